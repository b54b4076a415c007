using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using TenantPortal.KeyReader;

namespace TenantPortal.Benchmarks;

/// <summary>
/// Cache-hit latency of <see cref="ITenantApiKeyProvider.GetApiKeyAsync"/> once every tenant's key is cached (real
/// clock; a one-day TTL keeps misses out of the measured iterations — the hit path does not depend on the TTL).
/// In-process, so the Key Vault fake that filled the cache lives in the same process. <see cref="Counting"/>: with
/// usage reporting on, every hit is counted for the portal (the sender gathers once a minute in the background).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessConfig))]
public class KeyReaderCacheHit
{
    private KeyReaderVault _vault = null!;
    private ITenantApiKeyProvider _provider = null!;
    private string[] _tenantIds = null!;
    private int _next;

    [Params(false, true)]
    public bool Counting { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _vault = KeyReaderVault.StartAsync(tenants: 1000, cacheTtl: TimeSpan.FromDays(1), usageReporting: Counting).GetAwaiter().GetResult();
        _provider = _vault.Provider;
        _tenantIds = _vault.TenantIds;
        foreach (var id in _tenantIds)
        {
            _provider.GetApiKeyAsync(id).GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _vault.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "hit, one tenant")]
    public Task<TenantApiKey> OneTenant() => _provider.GetApiKeyAsync("bench-00042");

    [Benchmark(Description = "hit, 1,000 tenants in turn")]
    public Task<TenantApiKey> ThousandTenants()
    {
        var i = _next + 1 == _tenantIds.Length ? 0 : _next + 1;
        _next = i;
        return _provider.GetApiKeyAsync(_tenantIds[i]);
    }

    private sealed class InProcessConfig : ManualConfig
    {
        public InProcessConfig() => AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance));
    }
}
