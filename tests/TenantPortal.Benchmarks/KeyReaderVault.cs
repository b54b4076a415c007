using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.KeyReader;
using TenantPortal.Tests.TestHost;

namespace TenantPortal.Benchmarks;

/// <summary>The Key Vault protocol fake holding one key per tenant (written with the portal's identity) and a KeyReader on it.</summary>
internal sealed class KeyReaderVault : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private KeyReaderVault(KeyVaultFake vault, ServiceProvider services, string[] tenantIds)
    {
        Vault = vault;
        _services = services;
        TenantIds = tenantIds;
    }

    public KeyVaultFake Vault { get; }

    public string[] TenantIds { get; }

    public ITenantApiKeyProvider Provider => _services.GetRequiredService<ITenantApiKeyProvider>();

    /// <param name="usageReporting">Count every served key and report to a portal that answers at once (in memory).</param>
    public static async Task<KeyReaderVault> StartAsync(int tenants, TimeSpan cacheTtl, bool usageReporting = false)
    {
        var vault = await KeyVaultFake.StartAsync(pageSize: 25);
        var writerOptions = new SecretClientOptions();
        vault.ConfigureClient(writerOptions);
        var writer = new SecretClient(vault.VaultUri, vault.Credential, writerOptions);
        var tenantIds = Enumerable.Range(0, tenants).Select(i => $"bench-{i:00000}").ToArray();
        await Parallel.ForEachAsync(tenantIds, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, token) =>
        {
            var secret = new KeyVaultSecret($"tenant-{id}-api-key", $"sk_live_benchmark_{id}_{Guid.NewGuid():N}");
            secret.Properties.Tags["tenant-id"] = id;
            await writer.SetSecretAsync(secret, token);
        });

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddTenantApiKeyReader(o =>
        {
            o.VaultUri = vault.VaultUri;
            o.Credential = vault.ReaderCredential;
            o.ConfigureClient = vault.ConfigureClient;
            o.CacheTtl = cacheTtl;
            if (usageReporting)
            {
                o.UsageReporting.PortalUri = new Uri("https://portal.benchmark/");
                o.UsageReporting.PortalAppIdUri = "api://tenantportal-benchmark";
            }
        });
        services.AddHttpClient(KeyReaderServiceCollectionExtensions.UsageReportingHttpClientName).ConfigurePrimaryHttpMessageHandler(() => new AcceptingPortal());
        return new KeyReaderVault(vault, services.BuildServiceProvider(), tenantIds);
    }

    /// <summary>The portal's answer to a usage report, without a portal.</summary>
    private sealed class AcceptingPortal : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent("{\"unknown\":0}") });
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Vault.DisposeAsync();
    }
}
