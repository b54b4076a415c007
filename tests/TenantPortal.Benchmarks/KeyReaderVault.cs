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

    public static async Task<KeyReaderVault> StartAsync(int tenants, TimeSpan cacheTtl)
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
        });
        return new KeyReaderVault(vault, services.BuildServiceProvider(), tenantIds);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Vault.DisposeAsync();
    }
}
