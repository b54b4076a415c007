using System.Xml;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Data;

namespace TenantPortal.Web.SecretStore;

/// <summary>
/// The portal's Data Protection key ring lives in its database (<c>DataProtectionKeys</c>, through
/// Microsoft.AspNetCore.DataProtection.EntityFrameworkCore), so every instance and every deployment slot on that
/// database reads the same keys: a cookie, an antiforgery token or a webhook signing key protected by one is read by
/// all. The keys are encrypted with the certificate (<see cref="KeyRingProtection"/>), which is kept outside the database.
/// </summary>
public static class DatabaseKeyRing
{
    public static IDataProtectionBuilder PersistKeysToPortalDatabase(this IDataProtectionBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<KeyManagementOptions>().Configure<IDbContextFactory<PortalDbContext>, ILoggerFactory>((options, contexts, loggers) =>
            options.XmlRepository = new EntityFrameworkCoreXmlRepository<PortalDbContext>(new ContextScopes(contexts), loggers));
        return builder;
    }

    /// <summary>
    /// The repository asks a service scope for its context; the portal registers only a context factory (one context
    /// per operation, never one a circuit could keep), so the repository gets scopes that each hand out one fresh context.
    /// </summary>
    private sealed class ContextScopes(IDbContextFactory<PortalDbContext> contexts) : IServiceProvider, IServiceScopeFactory
    {
        public object? GetService(Type serviceType) => serviceType == typeof(IServiceScopeFactory) ? this : null;

        public IServiceScope CreateScope() => new Scope(contexts.CreateDbContext());

        private sealed class Scope(PortalDbContext context) : IServiceScope, IServiceProvider
        {
            public IServiceProvider ServiceProvider => this;

            public object? GetService(Type serviceType) => serviceType == typeof(PortalDbContext) ? context : null;

            public void Dispose() => context.Dispose();
        }
    }
}

/// <summary>
/// Moves the key ring from files into the database once: at the first start whose database has no key yet, the key
/// files (<c>key-*.xml</c>) in <c>DataProtection:KeysPath</c> are copied as they are (still encrypted with the
/// certificate they were written under), so sessions, webhook signing keys and the fingerprint key made before stay
/// readable. Runs before Data Protection loads its ring; after it, the database's ring is the only one the portal's
/// cookies and keys use.
/// </summary>
internal sealed partial class FileKeyRingImport(IDbContextFactory<PortalDbContext> contexts, KeyRingFolder folder, ILogger<FileKeyRingImport> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder.Path))
        {
            return;
        }

        var files = Directory.GetFiles(folder.Path, "key-*.xml");
        if (files.Length == 0)
        {
            return;
        }

        await using var db = contexts.CreateDbContext();
        try
        {
            if (await db.DataProtectionKeys.AnyAsync(cancellationToken))
            {
                return;
            }
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException)
        {
            // No table yet (migrations not applied): Data Protection reports it when it loads the ring.
            LogNoTable(logger, ex);
            return;
        }

        foreach (var file in files.Order(StringComparer.Ordinal))
        {
            XElement key;
            try
            {
                key = XElement.Load(file);
            }
            catch (XmlException ex)
            {
                LogUnreadableFile(logger, ex, file);
                continue;
            }

            db.DataProtectionKeys.Add(new DataProtectionKey { FriendlyName = Path.GetFileNameWithoutExtension(file), Xml = key.ToString(SaveOptions.DisableFormatting) });
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
            LogImported(logger, db.ChangeTracker.Entries<DataProtectionKey>().Count(), folder.Path);
        }
        catch (DbUpdateException)
        {
            // Another instance imported them at the same moment (the friendly name is unique).
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Imported {Count} Data Protection key(s) from the file key ring at {Path} into the database; the portal now reads its key ring from the database only")]
    private static partial void LogImported(ILogger logger, int count, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "The key file {Path} is not XML and was not imported")]
    private static partial void LogUnreadableFile(ILogger logger, Exception exception, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database has no key ring table yet; the file key ring was not imported (apply the migrations)")]
    private static partial void LogNoTable(ILogger logger, Exception exception);
}

/// <summary>
/// The local store's own key ring, in files (<c>DataProtection:KeysPath</c>), apart from the database and from the
/// secrets folder: the backend's KeyReader reads the local store with this folder and cannot reach the database. Same
/// application name and certificate as the portal's, so values stored before the portal's ring moved stay readable.
/// </summary>
public sealed class LocalStoreKeyRing : IDisposable
{
    private readonly ServiceProvider _services;

    internal LocalStoreKeyRing(string keysPath, IConfiguration configuration, IHostEnvironment environment, ILoggerFactory loggers)
    {
        var services = new ServiceCollection();
        services.AddSingleton(loggers);
        services.AddDataProtection()
            .SetApplicationName(SecretStoreServiceCollectionExtensions.ApplicationName)
            .PersistKeysToFileSystem(new DirectoryInfo(keysPath))
            .ProtectKeyRingFromConfiguration(configuration, environment);
        _services = services.BuildServiceProvider();
        Provider = _services.GetRequiredService<IDataProtectionProvider>();
    }

    public IDataProtectionProvider Provider { get; }

    public void Dispose() => _services.Dispose();
}
