using TenantPortal.KeyReader;
using TenantPortal.Tests.TestHost;

namespace TenantPortal.Tests.KeyReader;

/// <summary>
/// The cache's bound (<see cref="TenantApiKeyReaderOptions.MaxCachedTenants"/>) through the real SecretClient against the
/// Key Vault protocol fake, on a fake clock: tenant ids from requests cannot grow it, hot tenants stay hits, an evicted
/// tenant is read again, "not found" leaves once expired, and a read in progress is never evicted.
/// </summary>
public sealed class TenantApiKeyProviderEvictionTests
{
    [Fact]
    public async Task GetApiKeyAsync_ThousandUnknownTenants_KeepsAtMostMaxCachedTenants_OneVaultReadEach()
    {
        await using var h = await KeyVaultReaderHarness.StartAsync(o => o.MaxCachedTenants = 100);
        var ids = Enumerable.Range(0, 1000).Select(i => $"ghost-{i:D4}").ToList();

        foreach (var id in ids)
        {
            var ex = await Assert.ThrowsAsync<TenantApiKeyNotFoundException>(() => h.Provider.GetApiKeyAsync(id));
            Assert.Equal(id, ex.TenantId);
        }

        Assert.InRange(Cache(h).CachedTenants, 90, 100);
        Assert.Equal(1000, h.ReaderReads);

        // The newest answer is still remembered (no read); the oldest was evicted and is asked for again, once.
        await Assert.ThrowsAsync<TenantApiKeyNotFoundException>(() => h.Provider.GetApiKeyAsync(ids[^1]));
        Assert.Equal(1000, h.ReaderReads);
        var again = await Assert.ThrowsAsync<TenantApiKeyNotFoundException>(() => h.Provider.GetApiKeyAsync(ids[0]));
        Assert.Equal("ghost-0000", again.TenantId);
        Assert.Equal(1001, h.ReaderReads);
        Assert.InRange(Cache(h).CachedTenants, 90, 100);
    }

    [Fact]
    public async Task GetApiKeyAsync_FloodOfUnknownTenants_HotTenantsCachedKeyStaysAHit()
    {
        await using var h = await KeyVaultReaderHarness.StartAsync(o => o.MaxCachedTenants = 100);
        await h.RotateAsync("contoso", "sk_live_hot_tenant_0001");
        var first = await h.Provider.GetApiKeyAsync("contoso");

        for (var i = 0; i < 1000; i++)
        {
            await Assert.ThrowsAsync<TenantApiKeyNotFoundException>(() => h.Provider.GetApiKeyAsync($"cold-{i:D4}"));
        }

        var hit = h.Provider.GetApiKeyAsync("contoso");

        Assert.True(hit.IsCompletedSuccessfully);
        Assert.Same(first, await hit);
        Assert.Equal("sk_live_hot_tenant_0001", (await hit).Reveal());
        Assert.Equal(1 + 1000, h.ReaderReads);
        Assert.InRange(Cache(h).CachedTenants, 90, 100);
    }

    [Fact]
    public async Task GetApiKeyAsync_OverTheCap_EvictsTheLeastRecentlyUsedValue_ItsNextCallReadsTheStoreOnce()
    {
        await using var h = await KeyVaultReaderHarness.StartAsync(o => o.MaxCachedTenants = 3);
        foreach (var id in new[] { "alpha", "bravo", "charlie", "delta" })
        {
            await h.RotateAsync(id, $"sk_live_lru_{id}_1");
        }

        await h.Provider.GetApiKeyAsync("alpha");
        await h.Provider.GetApiKeyAsync("bravo");
        await h.Provider.GetApiKeyAsync("charlie");
        h.Time.Advance(TimeSpan.FromSeconds(2));
        await h.Provider.GetApiKeyAsync("alpha");   // hits: bravo is now the least recently used
        await h.Provider.GetApiKeyAsync("charlie");
        h.Time.Advance(TimeSpan.FromSeconds(2));
        await h.Provider.GetApiKeyAsync("delta");   // the fourth tenant: one over the cap
        Assert.Equal(4, h.ReaderReads);
        Assert.Equal(3, Cache(h).CachedTenants);

        // The others are still hits; bravo is read from the store, which meanwhile holds a new version.
        Assert.Equal("sk_live_lru_alpha_1", (await h.Provider.GetApiKeyAsync("alpha")).Reveal());
        Assert.Equal("sk_live_lru_charlie_1", (await h.Provider.GetApiKeyAsync("charlie")).Reveal());
        Assert.Equal("sk_live_lru_delta_1", (await h.Provider.GetApiKeyAsync("delta")).Reveal());
        Assert.Equal(4, h.ReaderReads);
        var v2 = await h.RotateAsync("bravo", "sk_live_lru_bravo_2");

        var bravo = await h.Provider.GetApiKeyAsync("bravo");

        Assert.Equal(v2.Version, bravo.Version);
        Assert.Equal("sk_live_lru_bravo_2", bravo.Reveal());
        Assert.Equal(5, h.ReaderReads);
        Assert.Same(bravo, await h.Provider.GetApiKeyAsync("bravo"));
        Assert.Equal(5, h.ReaderReads);
        Assert.Equal(3, Cache(h).CachedTenants);
    }

    [Fact]
    public async Task GetApiKeyAsync_UnknownTenantsPastTheNegativeTtl_LeaveTheCacheBeforeItIsFull()
    {
        await using var h = await KeyVaultReaderHarness.StartAsync();
        for (var i = 0; i < 100; i++)
        {
            await Assert.ThrowsAsync<TenantApiKeyNotFoundException>(() => h.Provider.GetApiKeyAsync($"old-{i:D3}"));
        }

        Assert.Equal(100, Cache(h).CachedTenants);
        h.Time.Advance(KeyVaultReaderHarness.NegativeCacheTtl);

        for (var i = 0; i < 100; i++)
        {
            await Assert.ThrowsAsync<TenantApiKeyNotFoundException>(() => h.Provider.GetApiKeyAsync($"new-{i:D3}"));
        }

        // The expired "not found" answers were dropped on the way (default cap: 100,000); the fresh ones stay.
        Assert.Equal(100, Cache(h).CachedTenants);
        Assert.Equal(200, h.ReaderReads);
        await Assert.ThrowsAsync<TenantApiKeyNotFoundException>(() => h.Provider.GetApiKeyAsync("new-000"));
        Assert.Equal(200, h.ReaderReads);
    }

    [Fact]
    public async Task GetApiKeyAsync_ReadInProgressDuringAFlood_IsNotEvicted_LaterCallersJoinTheOneRead()
    {
        await using var h = await KeyVaultReaderHarness.StartAsync(o => o.MaxCachedTenants = 2);
        var stored = await h.RotateAsync("contoso", "sk_live_in_flight_0001");
        static bool IsContosoRead(RecordedRequest r) =>
            r.IsValueRead && r.Identity == VaultIdentity.Reader && r.Path.StartsWith("/secrets/tenant-contoso-api-key", StringComparison.Ordinal);
        h.Vault.HoldRequests(IsContosoRead);

        var waiting = h.Provider.GetApiKeyAsync("contoso");
        await h.Vault.WaitForRequestAsync(IsContosoRead);
        h.Time.Advance(TimeSpan.FromSeconds(2)); // contoso is now the least recently used, and its slot holds no value yet
        for (var i = 0; i < 20; i++)
        {
            await Assert.ThrowsAsync<TenantApiKeyNotFoundException>(() => h.Provider.GetApiKeyAsync($"flood-{i:D2}"));
        }

        var joining = h.Provider.GetApiKeyAsync("contoso");
        Assert.False(waiting.IsCompleted);
        Assert.False(joining.IsCompleted);
        h.Vault.ReleaseHeldRequests();

        Assert.Same(await waiting, await joining);
        Assert.Equal(stored.Version, (await joining).Version);
        Assert.Single(h.Vault.ReaderValueReads, IsContosoRead);
        Assert.Equal(1 + 20, h.ReaderReads);
        Assert.InRange(Cache(h).CachedTenants, 1, 2);
    }

    [Fact]
    public async Task GetApiKeyAsync_BurstOfUnknownTenantsStillBeingRead_EvictsNoHotTenantsKey_AndTheCacheIsWithinItsCapOnceTheyAnswer()
    {
        await using var h = await KeyVaultReaderHarness.StartAsync(o => o.MaxCachedTenants = 10);
        var hot = Enumerable.Range(0, 8).Select(i => $"hot-{i}").ToList();
        foreach (var id in hot)
        {
            await h.RotateAsync(id, $"sk_live_burst_hot_{id}_0001");
            await h.Provider.GetApiKeyAsync(id);
        }

        static bool IsBurstRead(RecordedRequest r) => r.IsValueRead && r.Path.StartsWith("/secrets/tenant-burst-", StringComparison.Ordinal);
        h.Vault.HoldRequests(IsBurstRead);
        h.Time.Advance(TimeSpan.FromSeconds(2)); // the hot tenants are now the least recently used
        var burst = Enumerable.Range(0, 30).Select(i => h.Provider.GetApiKeyAsync($"burst-{i:D2}")).ToList();
        for (var i = 0; i < 30; i++)
        {
            var path = $"/secrets/tenant-burst-{i:D2}-api-key";
            await h.Vault.WaitForRequestAsync(r => IsBurstRead(r) && r.Path.StartsWith(path, StringComparison.Ordinal));
        }

        // 38 tenants, 30 of them still being read: no pass may evict a hot tenant's key to make room for those.
        foreach (var id in hot)
        {
            Assert.True(h.Provider.GetApiKeyAsync(id).IsCompletedSuccessfully, $"{id} was evicted during the burst");
        }

        h.Vault.ReleaseHeldRequests();
        foreach (var read in burst)
        {
            await Assert.ThrowsAsync<TenantApiKeyNotFoundException>(() => read);
        }

        Assert.InRange(Cache(h).CachedTenants, 8, 10);
        foreach (var id in hot)
        {
            var hit = h.Provider.GetApiKeyAsync(id);
            Assert.True(hit.IsCompletedSuccessfully, $"{id} was evicted once the burst answered");
            Assert.Equal($"sk_live_burst_hot_{id}_0001", (await hit).Reveal());
        }

        Assert.Equal(8 + 30, h.ReaderReads);
    }

    [Fact]
    public async Task Invalidate_EvictedTenant_IsANoOp_ItsNextCallReadsTheStore()
    {
        await using var h = await KeyVaultReaderHarness.StartAsync(o => o.MaxCachedTenants = 1);
        await h.RotateAsync("contoso", "sk_live_evicted_invalidate_1");
        await h.RotateAsync("fabrikam", "sk_live_evicted_invalidate_f");
        await h.Provider.GetApiKeyAsync("contoso");
        h.Time.Advance(TimeSpan.FromSeconds(2));
        await h.Provider.GetApiKeyAsync("fabrikam"); // evicts contoso, the least recently used
        Assert.Equal(1, Cache(h).CachedTenants);

        h.Provider.Invalidate("contoso");
        var v2 = await h.RotateAsync("contoso", "sk_live_evicted_invalidate_2");

        Assert.Equal(v2.Version, (await h.Provider.GetApiKeyAsync("contoso")).Version);
        Assert.Equal(3, h.ReaderReads);
        Assert.Equal(1, Cache(h).CachedTenants);
    }

    private static TenantApiKeyProvider Cache(KeyVaultReaderHarness h) => (TenantApiKeyProvider)h.Provider;
}
