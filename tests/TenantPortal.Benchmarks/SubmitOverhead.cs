using System.Diagnostics;
using System.Runtime;
using System.Security.Claims;
using Azure.Core;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Benchmarks;

/// <summary>
/// The portal's own cost per key submit on top of the vault call: the real composition (SQLite file, audit and
/// metadata writes, authorization) with the Key Vault store talking to the protocol fake (no added latency).
/// Each submit's store call is timed by a decorator, so overhead = submit time − that submit's store time.
/// </summary>
internal static class SubmitOverhead
{
    public static async Task RunAsync(int submits, int tenants)
    {
        await using var vault = await KeyVaultFake.StartAsync(pageSize: 25);
        var timing = new StoreTiming();
        await using var portal = await PortalServices.StartAsync(
            services =>
            {
                services.AddSingleton<TokenCredential>(vault.Credential);
                services.PostConfigure<SecretStoreOptions>(o => o.ConfigureClient = vault.ConfigureClient);
                services.AddSingleton(sp => TimedVaultStore(sp, timing));
            },
            new Dictionary<string, string?>
            {
                ["SecretStore:Provider"] = "AzureKeyVault",
                ["SecretStore:VaultUri"] = vault.VaultUri.ToString(),
                ["Logging:LogLevel:Default"] = "Warning",
            });

        var principals = await CreateTenantsAsync(portal, tenants);
        var service = portal.Get<ApiKeyService>();

        // Warm-up: connection pools, the SDK's token and challenge cache, and the JIT. Tiered compilation goes on
        // recompiling hot methods for a few thousand submits (rotations only start once every tenant has a key), so
        // rounds continue until one compiles next to nothing: a long-running portal is measured, not its JIT.
        var warmUp = 0;
        long compiledInRound;
        do
        {
            var compiledBefore = JitInfo.GetCompiledMethodCount();
            for (var i = 0; i < WarmUpRound; i++, warmUp++)
            {
                await SubmitAsync(service, principals[warmUp % tenants], warmUp);
            }

            compiledInRound = JitInfo.GetCompiledMethodCount() - compiledBefore;
        }
        while ((compiledInRound > SettledMethodsPerRound || warmUp < 2 * tenants) && warmUp < MaxWarmUp);

        var total = new double[submits];
        var overhead = new double[submits];
        var store = new double[submits];
        var allocated = new double[submits];
        var compiled = JitInfo.GetCompiledMethodCount();
        var collections = GC.CollectionCount(0);
        var paused = GC.GetTotalPauseDuration();
        for (var i = 0; i < submits; i++)
        {
            timing.Last = TimeSpan.Zero;
            timing.LastAllocated = 0;
            var allocatedBefore = GC.GetTotalAllocatedBytes();
            var started = Stopwatch.GetTimestamp();
            await SubmitAsync(service, principals[i % tenants], warmUp + i);
            var elapsed = Stopwatch.GetElapsedTime(started);
            allocated[i] = (GC.GetTotalAllocatedBytes() - allocatedBefore - timing.LastAllocated) / 1024.0;
            total[i] = elapsed.TotalMilliseconds;
            store[i] = timing.Last.TotalMilliseconds;
            overhead[i] = (elapsed - timing.Last).TotalMilliseconds;
        }

        Console.WriteLine($"Key submit, Key Vault store against the protocol fake (HTTPS, no added latency), SQLite, {submits:N0} submits over {tenants:N0} tenants");
        Console.WriteLine($"  after {warmUp:N0} warm-up submits; {(GCSettings.IsServerGC ? "server" : "workstation")} GC; during the run: " +
            $"{JitInfo.GetCompiledMethodCount() - compiled:N0} methods compiled, {GC.CollectionCount(0) - collections:N0} collections, " +
            $"{(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:N0} ms paused in GC");
        Report("portal overhead (submit − store call)", overhead);
        Report("store call (SecretClient → fake)", store);
        Report("whole submit", total);

        Console.WriteLine($"  {"allocated, mean per submit",-40} {allocated.Average(),7:0} KB (process-wide, minus during the store call)");
    }

    /// <summary>The portal's Key Vault store (its SecretClient, configured for the fake), each write timed into <paramref name="timing"/>.</summary>
    internal static ISecretStore TimedVaultStore(IServiceProvider services, StoreTiming timing) => new TimedSecretStore(
        new KeyVaultSecretStore(services.GetRequiredService<SecretClient>(), services.GetRequiredService<IOptions<SecretStoreOptions>>(),
            NullLogger<KeyVaultSecretStore>.Instance),
        timing);

    internal const int WarmUpRound = 500;
    internal const int SettledMethodsPerRound = 50;
    internal const int MaxWarmUp = 20_000;

    private static async Task<List<(ClaimsPrincipal User, string TenantId)>> CreateTenantsAsync(PortalServices portal, int count)
    {
        var principals = new List<(ClaimsPrincipal User, string TenantId)>(count);
        await using var db = portal.CreateDbContext();
        for (var i = 0; i < count; i++)
        {
            var tid = Guid.NewGuid();
            var id = $"bench-{i:00000}";
            var tenant = new Tenant { Id = id, DisplayName = $"Bench {i:00000}", CreatedAt = PortalServices.Start };
            tenant.Directories.Add(new TenantDirectory { EntraTenantId = tid, TenantId = id });
            db.Tenants.Add(tenant);
            principals.Add((TestPersonas.With(tid, TestPersonas.TenantAdminRole), id));
        }

        await db.SaveChangesAsync();
        return principals;
    }

    private static async Task SubmitAsync(ApiKeyService service, (ClaimsPrincipal User, string TenantId) actor, int i)
    {
        var result = await service.SubmitApiKeyAsync(actor.User, actor.TenantId, new SecretValue($"sk_live_benchmark_{i:0000000}_{Guid.NewGuid():N}"), CancellationToken.None);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(result.Message);
        }
    }

    internal static void Report(string label, double[] samples)
    {
        var sorted = samples.Order().ToArray();
        double P(double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
        Console.WriteLine($"  {label,-40} p50 {P(0.50),7:0.00} ms   p90 {P(0.90),7:0.00} ms   p99 {P(0.99),7:0.00} ms   max {sorted[^1],7:0.00} ms");
    }

    /// <summary>The store calls of the submit being measured; <c>api-submit</c> attributes them to requests instead.</summary>
    internal class StoreTiming
    {
        public TimeSpan Last { get; set; }

        public long LastAllocated { get; set; }

        public virtual void Add(TimeSpan elapsed, long allocated)
        {
            Last += elapsed;
            LastAllocated += allocated;
        }
    }

    internal sealed class TimedSecretStore(ISecretStore inner, StoreTiming timing) : ISecretStore
    {
        public async Task<SecretVersionProperties> SetAsync(SecretName name, SecretValue value, SecretWriteOptions options, CancellationToken cancellationToken)
        {
            var allocatedBefore = GC.GetTotalAllocatedBytes();
            var started = Stopwatch.GetTimestamp();
            try
            {
                return await inner.SetAsync(name, value, options, cancellationToken);
            }
            finally
            {
                timing.Add(Stopwatch.GetElapsedTime(started), GC.GetTotalAllocatedBytes() - allocatedBefore);
            }
        }

        public Task<SecretVersionProperties> UpdateVersionAsync(SecretName name, string version, SecretVersionUpdate update, CancellationToken cancellationToken) =>
            inner.UpdateVersionAsync(name, version, update, cancellationToken);

        public IAsyncEnumerable<SecretVersionProperties> ListVersionsAsync(SecretName name, CancellationToken cancellationToken) =>
            inner.ListVersionsAsync(name, cancellationToken);

        public Task CheckAvailabilityAsync(CancellationToken cancellationToken) => inner.CheckAvailabilityAsync(cancellationToken);
    }
}
