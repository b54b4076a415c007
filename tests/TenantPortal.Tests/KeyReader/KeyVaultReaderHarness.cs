using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using TenantPortal.KeyReader;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.KeyReader;

/// <summary>
/// A KeyReader on the Key Vault protocol fake with the reader identity, a fake clock and every log record down to
/// Trace; the portal's own Key Vault store (portal identity) writes, rotates and disables as the portal would.
/// </summary>
internal sealed class KeyVaultReaderHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    /// <summary>The options' defaults, spelled out for the tests that move the clock across them.</summary>
    public static readonly TimeSpan CacheTtl = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan ShortestCacheTtl = CacheTtl * 0.9; // TTL jitter: up to a tenth off
    public static readonly TimeSpan NegativeCacheTtl = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan RefreshWaitLimit = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan InvalidationCooldown = TimeSpan.FromSeconds(1);

    private readonly ServiceProvider _services;

    private KeyVaultReaderHarness(KeyVaultFake vault, FakeTimeProvider time, ServiceProvider services, KeyVaultSecretStore portal)
    {
        Vault = vault;
        Time = time;
        _services = services;
        Portal = portal;
    }

    public KeyVaultFake Vault { get; }

    public FakeTimeProvider Time { get; }

    public KeyVaultSecretStore Portal { get; }

    public ITenantApiKeyProvider Provider => _services.GetRequiredService<ITenantApiKeyProvider>();

    /// <summary>The provider's usage sender, when reporting is on.</summary>
    internal KeyUsageSender? Sender => (Provider as TenantApiKeyProvider)?.Sender;

    public FakeLogCollector Logs => _services.GetFakeLogCollector();

    public static async Task<KeyVaultReaderHarness> StartAsync(
        Action<TenantApiKeyReaderOptions>? configure = null, bool readWithPortalIdentity = false, Action<IServiceCollection>? configureServices = null)
    {
        // The vault stamps versions with the test's clock: which version is newest is then the test's to say.
        var time = new FakeTimeProvider(Start);
        var vault = await KeyVaultFake.StartAsync(time: time);
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        services.AddSingleton<TimeProvider>(time);
        services.AddTenantApiKeyReader(o =>
        {
            o.VaultUri = vault.VaultUri;
            o.Credential = readWithPortalIdentity ? vault.Credential : vault.ReaderCredential;
            o.ConfigureClient = client =>
            {
                vault.ConfigureClient(client);
                // Short client-side back-off so that a 429's Retry-After is what a test can see in the elapsed time.
                client.Retry.MaxRetries = 2;
                client.Retry.Delay = TimeSpan.FromMilliseconds(10);
                client.Retry.MaxDelay = TimeSpan.FromMilliseconds(50);
                client.Retry.NetworkTimeout = TimeSpan.FromSeconds(2);
            };
            configure?.Invoke(o);
        });
        configureServices?.Invoke(services);

        var portalOptions = new SecretStoreOptions
        {
            Provider = SecretStoreProvider.AzureKeyVault,
            VaultUri = vault.VaultUri,
            OperationTimeout = TimeSpan.FromSeconds(10),
        };
        var clientOptions = new SecretClientOptions { Retry = { MaxRetries = 0 } };
        vault.ConfigureClient(clientOptions);
        var portal = new KeyVaultSecretStore(new SecretClient(vault.VaultUri, vault.Credential, clientOptions),
            Microsoft.Extensions.Options.Options.Create(portalOptions), NullLogger<KeyVaultSecretStore>.Instance);
        return new KeyVaultReaderHarness(vault, time, services.BuildServiceProvider(validateScopes: true), portal);
    }

    /// <summary>A submit in the portal: a new version with the tags the portal writes.</summary>
    public Task<SecretVersionProperties> RotateAsync(string tenantId, string value, string? taggedTenantId = null) =>
        Portal.SetAsync(SecretName.ForTenant(tenantId), new SecretValue(value), new SecretWriteOptions("text/plain",
            new Dictionary<string, string>
            {
                [ApiKeyTags.TenantId] = taggedTenantId ?? tenantId,
                [ApiKeyTags.SetByObjectId] = Guid.NewGuid().ToString(),
            },
            Start.AddDays(90)), CancellationToken.None);

    /// <summary>
    /// Disables one version in the store, as the portal does: the newer version for a restore of the previous one, every
    /// enabled version for an emergency revoke (<see cref="RevokeAsync"/>).
    /// </summary>
    public Task<SecretVersionProperties> DisableAsync(string tenantId, string version) =>
        Portal.UpdateVersionAsync(SecretName.ForTenant(tenantId), version, new SecretVersionUpdate(Enabled: false), CancellationToken.None);

    /// <summary>An emergency revoke in the portal: every enabled version is disabled.</summary>
    public async Task RevokeAsync(string tenantId)
    {
        await foreach (var version in Portal.ListVersionsAsync(SecretName.ForTenant(tenantId), CancellationToken.None))
        {
            if (version.Enabled)
            {
                await DisableAsync(tenantId, version.Version);
            }
        }
    }

    /// <summary>The reader's requests for the tenant's version list (metadata only, not value reads).</summary>
    public int ReaderListings(string tenantId) => Vault.Requests.Count(r => r.Identity == VaultIdentity.Reader
        && r.Path.StartsWith($"/secrets/{SecretName.ForTenant(tenantId).Value}/versions", StringComparison.Ordinal));

    public int ReaderReads => Vault.ReaderValueReads.Count;

    public IEnumerable<string> AllLogText() => Logs.GetSnapshot().SelectMany(r =>
        new[] { r.Message, r.Exception?.ToString() ?? "" }
            .Concat(r.StructuredState?.Select(kv => kv.Value ?? "") ?? []));

    /// <summary>Waits until a log record matching <paramref name="match"/> has been written (at once if one has).</summary>
    public async Task WaitForLogAsync(Func<FakeLogRecord, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var record in Logs.GetLogsAsync(timeout.Token))
        {
            if (match(record))
            {
                return;
            }
        }
    }

    public IReadOnlyList<FakeLogRecord> LogsAt(LogLevel level) => Logs.GetSnapshot().Where(r => r.Level == level).ToList();

    public async ValueTask DisposeAsync()
    {
        Vault.ReleaseValueReads();
        await _services.DisposeAsync();
        await Vault.DisposeAsync();
    }
}
