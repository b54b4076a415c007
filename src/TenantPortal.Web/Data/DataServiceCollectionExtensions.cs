using System.ComponentModel.DataAnnotations;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.Infrastructure.Files;

namespace TenantPortal.Web.Data;

public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary><c>Sqlite</c> (embedded default) or <c>SqlServer</c>.</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Apply pending migrations at start-up. Always on in Development.</summary>
    public bool MigrateAtStartup { get; set; }
}

public enum DatabaseProvider
{
    Sqlite,
    SqlServer,
}

/// <summary>Where the embedded defaults keep their files (database, local secret store, key ring).</summary>
public sealed class AppDataOptions
{
    public const string SectionName = "AppData";

    [Required(ErrorMessage = "AppData:Path must name a folder for the portal's local files.")]
    public string Path { get; set; } = "App_Data";

    public string Resolve(string contentRoot, params string[] parts) =>
        System.IO.Path.GetFullPath(System.IO.Path.Combine([contentRoot, Path, .. parts]));
}

public static class DataServiceCollectionExtensions
{
    public const string ConnectionStringName = "TenantPortal";

    // Capped counts ("at most N+1 rows match") need no order; everything else that pages is ordered.
    private static void Warnings(WarningsConfigurationBuilder warnings) =>
        warnings.Ignore(CoreEventId.RowLimitingOperationWithoutOrderByWarning);

    // The audit trail's append-only guard and the features' own inspectors, over one list of a save's entries.
    private static SaveChangesInspection Inspection(IServiceProvider services) =>
        new([new AuditAppendOnlyGuard(), .. services.GetServices<ISaveChangesInspector>()]);

    public static IHostApplicationBuilder AddPortalData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AppDataOptions>().BindConfiguration(AppDataOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName).ValidateOnStart();

        var database = builder.Configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);

        switch (database.Provider)
        {
            case DatabaseProvider.SqlServer:
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    throw new OptionsValidationException(ConnectionStringName, typeof(DatabaseOptions),
                        ["Database:Provider is SqlServer but ConnectionStrings:TenantPortal is not set."]);
                }

                builder.Services.AddPooledDbContextFactory<SqlServerPortalDbContext>((sp, o) =>
                    o.UseSqlServer(connectionString, sql => sql.EnableRetryOnFailure()).AddInterceptors(Inspection(sp))
                        .AddInterceptors(sp.GetServices<IInterceptor>()) // the features' own (IInterceptor singletons)
                        .ConfigureWarnings(Warnings));
                builder.Services.AddSingleton<IDbContextFactory<PortalDbContext>, PortalDbContextFactory<SqlServerPortalDbContext>>();
                break;

            default:
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    var appData = builder.Configuration.GetSection(AppDataOptions.SectionName).Get<AppDataOptions>() ?? new AppDataOptions();
                    var file = appData.Resolve(builder.Environment.ContentRootPath, "tenantportal.db");
                    connectionString = $"Data Source={file}";
                }

                CreatePrivateDatabaseFile(connectionString);

                // One queue for this process's writers to the file (see SqliteWriterGate).
                var writerGate = new SqliteWriterGate();
                builder.Services.AddSingleton(writerGate);
                builder.Services.AddPooledDbContextFactory<SqlitePortalDbContext>((sp, o) => o.UseSqlite(connectionString)
                    .AddInterceptors(new SqliteConnectionTuning(), writerGate, Inspection(sp))
                    .LogTo(SqliteWriterGate.IsTransactionDisposed, writerGate.OnTransactionDisposed)
                    .AddInterceptors(sp.GetServices<IInterceptor>()) // the features' own (IInterceptor singletons)
                    .ConfigureWarnings(Warnings));
                builder.Services.AddSingleton<IDbContextFactory<PortalDbContext>, PortalDbContextFactory<SqlitePortalDbContext>>();
                break;
        }

        builder.Services.AddHostedService<DatabaseMigrator>();
        if (database.Provider != DatabaseProvider.SqlServer)
        {
            // After the migrator, so that the first checkpoint finds the database it created.
            builder.Services.AddSingleton(sp => new SqliteWalCheckpointer(connectionString!, sp.GetRequiredService<ILogger<SqliteWalCheckpointer>>()));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<SqliteWalCheckpointer>());
        }

        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// SQLite creates its file with the process's umask (0644) on first open, and the write-ahead log and its index
    /// (<c>-wal</c>, <c>-shm</c>) with the database file's mode: so the file is created first, 0600 (a folder it needs,
    /// 0700). An empty file is an empty database to SQLite. A file from before this rule, and its logs, are narrowed.
    /// </summary>
    private static void CreatePrivateDatabaseFile(string connectionString)
    {
        var options = new SqliteConnectionStringBuilder(connectionString);
        if (options.Mode == SqliteOpenMode.Memory || options.DataSource is "" or ":memory:")
        {
            return;
        }

        var file = System.IO.Path.GetFullPath(options.DataSource);
        var folder = System.IO.Path.GetDirectoryName(file)!;
        if (!Directory.Exists(folder))
        {
            PrivateFiles.CreateFolder(folder);
        }

        PrivateFiles.CreateFile(file);
        foreach (var companion in new[] { file + "-wal", file + "-shm", file + "-journal" }.Where(File.Exists))
        {
            PrivateFiles.Narrow(companion, PrivateFiles.FileMode);
        }
    }
}

/// <summary>Hands out the provider's context as the portal's one context type.</summary>
internal sealed class PortalDbContextFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<PortalDbContext>
    where TContext : PortalDbContext
{
    public PortalDbContext CreateDbContext() => inner.CreateDbContext();
}

internal sealed partial class DatabaseMigrator(
    IDbContextFactory<PortalDbContext> contexts,
    IOptions<DatabaseOptions> options,
    IHostEnvironment environment,
    ILogger<DatabaseMigrator> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!environment.IsDevelopment() && !options.Value.MigrateAtStartup)
        {
            return;
        }

        await using var db = contexts.CreateDbContext();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0)
        {
            LogApplying(logger, pending.Count);
            await db.Database.MigrateAsync(cancellationToken);
        }

        if (db.Database.IsSqlite())
        {
            // Write-ahead logging: one sync per commit instead of several, and readers never block the writer.
            // The setting is stored in the database file, so this runs once per file in effect.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying {Count} pending database migration(s)")]
    private static partial void LogApplying(ILogger logger, int count);
}
