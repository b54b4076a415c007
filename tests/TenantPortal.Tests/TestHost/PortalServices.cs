using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using TenantPortal.Web;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features;
using TenantPortal.Web.Features.Notifications;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.TestHost;

/// <summary>
/// The portal's real service composition (SQLite file, local secret store, Data Protection, authorization) in a
/// temporary folder, with a fake clock. The seeded development tenants exist once it has started.
/// </summary>
public sealed class PortalServices : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    private readonly IHost _host;
    private readonly IServiceScope _scope;

    private PortalServices(IHost host, string dataDirectory, FakeTimeProvider time)
    {
        _host = host;
        _scope = host.Services.CreateScope();
        DataDirectory = dataDirectory;
        Time = time;
    }

    public string DataDirectory { get; }

    public FakeTimeProvider Time { get; }

    /// <summary>A scope like one Blazor circuit's.</summary>
    public IServiceProvider Services => _scope.ServiceProvider;

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public static async Task<PortalServices> StartAsync(Action<IServiceCollection>? configure = null, IDictionary<string, string?>? settings = null)
    {
        var dataDirectory = TempDirectory.Create();
        var time = new FakeTimeProvider(Start);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = PortalHostDefaults.Args([]),
            EnvironmentName = Environments.Development,
            ContentRootPath = dataDirectory,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AppData:Path"] = dataDirectory,
            // Tests run reconciliation themselves; those about the background pass switch it back on.
            ["Reconciliation:Enabled"] = "false",
            ["Audit:Retention:Enabled"] = "false",
            ["Rotation:Monitor:Enabled"] = "false",
            // Tests dispatch notifications themselves, moving the fake clock between passes.
            ["Notifications:Dispatch:Enabled"] = "false",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Services.AddSingleton<TimeProvider>(time);
        builder.AddPortalData();
        builder.AddPortalSecretStore();
        builder.AddPortalAuthentication();
        builder.AddPortalFeatures();
        builder.AddPortalNotifications();
        configure?.Invoke(builder.Services);
        // Web-only services (routing, navigation) that this host leaves out are not needed by the feature services.
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateOnBuild = false, ValidateScopes = true }));

        var host = builder.Build();
        await host.StartAsync();
        return new PortalServices(host, dataDirectory, time);
    }

    /// <summary>Another scope on the same host, like a second circuit or a restarted worker.</summary>
    public Task<ScopedServices> NewScopeAsync() => Task.FromResult(new ScopedServices(_host.Services.CreateAsyncScope()));

    public sealed class ScopedServices(AsyncServiceScope scope) : IAsyncDisposable
    {
        public T Get<T>() where T : notnull => scope.ServiceProvider.GetRequiredService<T>();

        /// <summary>A service made in this scope with some of its dependencies given, e.g. another instance's lease holder.</summary>
        public T Create<T>(params object[] parameters) => ActivatorUtilities.CreateInstance<T>(scope.ServiceProvider, parameters);

        public ValueTask DisposeAsync() => scope.DisposeAsync();
    }

    public PortalDbContext CreateDbContext() => Get<IDbContextFactory<PortalDbContext>>().CreateDbContext();

    public string DatabaseFile => Path.Combine(DataDirectory, "tenantportal.db");

    public string SecretsDirectory => Path.Combine(DataDirectory, "secrets");

    public async Task<List<SecretVersionProperties>> StoredVersionsAsync(string tenantId)
    {
        var list = new List<SecretVersionProperties>();
        await foreach (var v in Get<ISecretStore>().ListVersionsAsync(SecretName.ForTenant(tenantId), CancellationToken.None))
        {
            list.Add(v);
        }

        return list;
    }

    public async ValueTask DisposeAsync()
    {
        _scope.Dispose();
        await _host.StopAsync();
        _host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TempDirectory.Delete(DataDirectory);
    }
}
