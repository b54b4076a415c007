using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using TenantPortal.KeyReader;
using TenantPortal.Tests.TestHost;

namespace TenantPortal.Tests.KeyReader;

/// <summary>The KeyReader through the real SecretClient against the Key Vault protocol fake, with the reader identity.</summary>
public sealed class TenantApiKeyProviderTests : IAsyncLifetime
{
    private KeyVaultReaderHarness _h = null!;

    public async Task InitializeAsync() => _h = await KeyVaultReaderHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task GetApiKeyAsync_AfterEachRotation_ReturnsTheNewVersionOnceTheTtlPasses()
    {
        var v1 = await _h.RotateAsync("contoso", "sk_live_rotation_0001");
        var first = await _h.Provider.GetApiKeyAsync("contoso");
        Assert.Equal(v1.Version, first.Version);
        Assert.Equal("sk_live_rotation_0001", first.Reveal());
        Assert.Equal("contoso", first.TenantId);

        var v2 = await _h.RotateAsync("contoso", "sk_live_rotation_0002");
        _h.Time.Advance(KeyVaultReaderHarness.ShortestCacheTtl - TimeSpan.FromSeconds(1));
        Assert.Equal(v1.Version, (await _h.Provider.GetApiKeyAsync("contoso")).Version);

        _h.Time.Advance(KeyVaultReaderHarness.CacheTtl - KeyVaultReaderHarness.ShortestCacheTtl + TimeSpan.FromSeconds(1));
        var second = await _h.Provider.GetApiKeyAsync("contoso");
        Assert.Equal(v2.Version, second.Version);
        Assert.Equal("sk_live_rotation_0002", second.Reveal());

        var v3 = await _h.RotateAsync("contoso", "sk_live_rotation_0003");
        _h.Time.Advance(KeyVaultReaderHarness.CacheTtl);
        Assert.Equal(v3.Version, (await _h.Provider.GetApiKeyAsync("contoso")).Version);

        Assert.Equal(3, _h.ReaderReads);
        Assert.DoesNotContain(_h.Vault.Requests, r => r.Identity == VaultIdentity.Reader && r.Method != "GET");
        Assert.Equal(2, _h.LogsAt(LogLevel.Information).Count(r => r.Message.Contains("rotated", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task GetApiKeyAsync_CacheHit_ReturnsTheSameCompletedTaskWithoutAVaultRead()
    {
        await _h.RotateAsync("contoso", "sk_live_cache_hit_0001");
        var miss = _h.Provider.GetApiKeyAsync("contoso");
        await miss;

        var hit = _h.Provider.GetApiKeyAsync("contoso");
        var again = _h.Provider.GetApiKeyAsync("contoso");

        Assert.True(hit.IsCompletedSuccessfully);
        Assert.Same(hit, again);
        Assert.Same(await miss, await hit);
        Assert.Equal(1, _h.ReaderReads);
    }

    [Fact]
    public async Task Invalidate_AfterARotation_NextReadReturnsTheNewVersion()
    {
        await _h.RotateAsync("contoso", "sk_live_invalidate_0001");
        await _h.Provider.GetApiKeyAsync("contoso");
        var v2 = await _h.RotateAsync("contoso", "sk_live_invalidate_0002");

        // Right after a read, a burst of 401s from the third-party API must not turn into a burst of vault reads.
        _h.Provider.Invalidate("contoso");
        Assert.Equal("sk_live_invalidate_0001", (await _h.Provider.GetApiKeyAsync("contoso")).Reveal());
        Assert.Equal(1, _h.ReaderReads);

        _h.Time.Advance(KeyVaultReaderHarness.InvalidationCooldown);
        _h.Provider.Invalidate("contoso");
        var key = await _h.Provider.GetApiKeyAsync("contoso");

        Assert.Equal(v2.Version, key.Version);
        Assert.Equal("sk_live_invalidate_0002", key.Reveal());
        Assert.Equal(2, _h.ReaderReads);
        _h.Provider.Invalidate("never-read");
    }

    [Fact]
    public async Task TenantIds_AreCaseInsensitive_LikeKeyVaultNames_OneEntryOneReadOneInvalidation()
    {
        await _h.RotateAsync("contoso", "sk_live_casing_0001");

        var upper = await _h.Provider.GetApiKeyAsync("Contoso");
        var lower = await _h.Provider.GetApiKeyAsync("contoso");
        Assert.Equal(1, _h.ReaderReads);
        Assert.Equal("contoso", upper.TenantId);
        Assert.Equal(upper.Version, lower.Version);

        var v2 = await _h.RotateAsync("contoso", "sk_live_casing_0002");
        _h.Time.Advance(KeyVaultReaderHarness.InvalidationCooldown);
        _h.Provider.Invalidate("CONTOSO");

        Assert.Equal(v2.Version, (await _h.Provider.GetApiKeyAsync("contoso")).Version);
        Assert.Equal(2, _h.ReaderReads);
    }

    [Fact]
    public async Task GetApiKeyAsync_HundredParallelCallers_MakeOneVaultRead()
    {
        var stored = await _h.RotateAsync("contoso", "sk_live_single_flight_0001");
        _h.Vault.HoldValueReads();

        var calls = new ConcurrentBag<Task<TenantApiKey>>();
        Parallel.For(0, 100, _ => calls.Add(_h.Provider.GetApiKeyAsync("contoso")));
        await _h.Vault.WaitForRequestAsync(r => r.IsValueRead && r.Identity == VaultIdentity.Reader);
        Assert.Equal(100, calls.Count);
        Assert.All(calls, call => Assert.False(call.IsCompleted));

        _h.Vault.ReleaseValueReads();
        var keys = await Task.WhenAll(calls);

        Assert.Single(_h.Vault.ReaderValueReads);
        Assert.All(keys, key => Assert.Same(keys[0], key));
        Assert.Equal(stored.Version, keys[0].Version);
    }

    public static TheoryData<FaultKind> Outages => [FaultKind.ServerError, FaultKind.Throttle, FaultKind.DropConnection];

    [Theory]
    [MemberData(nameof(Outages))]
    public async Task GetApiKeyAsync_VaultFailingAfterExpiry_ServesTheCachedValueAndRecoversAfter(FaultKind fault)
    {
        var v1 = await _h.RotateAsync("contoso", "sk_live_outage_0001");
        await _h.Provider.GetApiKeyAsync("contoso");
        var v2 = await _h.RotateAsync("contoso", "sk_live_outage_0002");
        _h.Vault.Enqueue(fault, times: 100);

        _h.Time.Advance(KeyVaultReaderHarness.CacheTtl);
        var duringOutage = await _h.Provider.GetApiKeyAsync("contoso");
        Assert.Equal(v1.Version, duringOutage.Version);
        var readsAfterFailedRefresh = _h.ReaderReads;
        Assert.Equal(1 + 3, readsAfterFailedRefresh); // the first read, then one refresh: a try and two SDK retries

        // Until the negative TTL passes, the stale value is served without asking the failing vault again.
        _h.Time.Advance(KeyVaultReaderHarness.NegativeCacheTtl - TimeSpan.FromSeconds(1));
        Assert.Equal(v1.Version, (await _h.Provider.GetApiKeyAsync("contoso")).Version);
        Assert.Equal(readsAfterFailedRefresh, _h.ReaderReads);
        var warning = Assert.Single(_h.LogsAt(LogLevel.Warning));
        Assert.Contains("serving the cached version", warning.Message, StringComparison.Ordinal);
        Assert.Contains(v1.Version, warning.Message, StringComparison.Ordinal);

        // The vault is back. The store has been failing, so this caller does not wait for the retry: it gets the cached
        // value while the refresh runs, and the new version once it has landed.
        _h.Vault.ClearFaults();
        _h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(v1.Version, (await _h.Provider.GetApiKeyAsync("contoso")).Version);
        await _h.WaitForLogAsync(r => r.Level == LogLevel.Information && r.Message.Contains("available again", StringComparison.Ordinal));
        var recovered = await _h.Provider.GetApiKeyAsync("contoso");

        Assert.Equal(v2.Version, recovered.Version);
        Assert.Equal("sk_live_outage_0002", recovered.Reveal());
    }

    [Fact]
    public async Task GetApiKeyAsync_VaultFailingForAnotherTenant_ServesTheCachedValueWithoutWaiting()
    {
        await _h.RotateAsync("contoso", "sk_live_vault_wide_0001");
        await _h.RotateAsync("fabrikam", "sk_live_vault_wide_fab1");
        await _h.Provider.GetApiKeyAsync("contoso");
        await _h.Provider.GetApiKeyAsync("fabrikam");
        _h.Vault.Enqueue(FaultKind.ServerError, times: 100);
        _h.Time.Advance(KeyVaultReaderHarness.CacheTtl);
        Assert.Equal("sk_live_vault_wide_0001", (await _h.Provider.GetApiKeyAsync("contoso")).Reveal());

        // An outage is vault-wide: the next tenant to expire does not make its callers wait for a refresh that will fail.
        var call = _h.Provider.GetApiKeyAsync("fabrikam");

        Assert.True(call.IsCompletedSuccessfully);
        Assert.Equal("sk_live_vault_wide_fab1", (await call).Reveal());
    }

    [Fact]
    public async Task GetApiKeyAsync_OutageLongerThanMaxStaleness_ThrowsUnavailable()
    {
        await using var h = await KeyVaultReaderHarness.StartAsync(o => o.MaxStaleness = TimeSpan.FromMinutes(10));
        await h.RotateAsync("contoso", "sk_live_long_outage_0001");
        await h.Provider.GetApiKeyAsync("contoso");
        h.Vault.Enqueue(FaultKind.ServerError, times: 100);

        h.Time.Advance(KeyVaultReaderHarness.CacheTtl);
        Assert.Equal("sk_live_long_outage_0001", (await h.Provider.GetApiKeyAsync("contoso")).Reveal());
        h.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        var ex = await Assert.ThrowsAsync<TenantApiKeyUnavailableException>(() => h.Provider.GetApiKeyAsync("contoso"));
        Assert.True(ex.IsTransient);
        Assert.Equal("contoso", ex.TenantId);
        Assert.Contains(h.LogsAt(LogLevel.Error), r => r.Message.Contains("no longer served", StringComparison.Ordinal));

        h.Vault.ClearFaults();
        h.Time.Advance(KeyVaultReaderHarness.NegativeCacheTtl);
        Assert.Equal("sk_live_long_outage_0001", (await h.Provider.GetApiKeyAsync("contoso")).Reveal());
    }

    [Fact]
    public async Task GetApiKeyAsync_NothingCachedAndVaultDown_ThrowsTransientUnavailable()
    {
        await _h.RotateAsync("contoso", "sk_live_cold_outage_0001");
        _h.Vault.Enqueue(FaultKind.ServerError, times: 3);

        var ex = await Assert.ThrowsAsync<TenantApiKeyUnavailableException>(() => _h.Provider.GetApiKeyAsync("contoso"));

        Assert.True(ex.IsTransient);
        Assert.Contains("HTTP 500", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, _h.ReaderReads);

        // The failure is remembered for the negative TTL: callers do not each send the failing vault another read.
        await Assert.ThrowsAsync<TenantApiKeyUnavailableException>(() => _h.Provider.GetApiKeyAsync("contoso"));
        Assert.Equal(3, _h.ReaderReads);
        _h.Time.Advance(KeyVaultReaderHarness.NegativeCacheTtl);
        Assert.Equal("sk_live_cold_outage_0001", (await _h.Provider.GetApiKeyAsync("contoso")).Reveal());
    }

    [Fact]
    public async Task GetApiKeyAsync_ThrottledOnce_RetriesAfterTheServersRetryAfter()
    {
        await _h.RotateAsync("contoso", "sk_live_throttled_0001");
        _h.Vault.Enqueue(FaultKind.Throttle, retryAfterSeconds: 1);

        var started = Stopwatch.GetTimestamp();
        var key = await _h.Provider.GetApiKeyAsync("contoso");

        Assert.Equal("sk_live_throttled_0001", key.Reveal());
        Assert.Equal(2, _h.ReaderReads);
        // The client's own back-off is 10–50 ms here: a wait of about a second is the server's Retry-After.
        Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(900));
    }

    [Fact]
    public async Task GetApiKeyAsync_RefreshHeldUpByRetryAfter_ServesTheCachedValueMeanwhile()
    {
        await _h.RotateAsync("contoso", "sk_live_slow_refresh_0001");
        await _h.RotateAsync("fabrikam", "sk_live_slow_refresh_fab1");
        await _h.Provider.GetApiKeyAsync("contoso");
        var v2 = await _h.RotateAsync("contoso", "sk_live_slow_refresh_0002");
        _h.Time.Advance(KeyVaultReaderHarness.CacheTtl);
        await _h.Provider.GetApiKeyAsync("fabrikam");
        // The refresh meets a 429 with Retry-After 1 s; its retry is then held until the test lets it through.
        _h.Vault.Enqueue(FaultKind.Throttle, retryAfterSeconds: 1);
        _h.Vault.HoldValueReads();

        var waiting = _h.Provider.GetApiKeyAsync("contoso");
        Assert.False(waiting.IsCompleted);
        _h.Time.Advance(KeyVaultReaderHarness.RefreshWaitLimit);
        Assert.Equal("sk_live_slow_refresh_0001", (await waiting).Reveal());

        // From then until the refresh lands, callers get the cached value at once, and other tenants are untouched.
        var meanwhile = _h.Provider.GetApiKeyAsync("contoso");
        Assert.True(meanwhile.IsCompletedSuccessfully);
        Assert.Equal("sk_live_slow_refresh_0001", (await meanwhile).Reveal());
        Assert.Equal("sk_live_slow_refresh_fab1", (await _h.Provider.GetApiKeyAsync("fabrikam")).Reveal());

        _h.Vault.ReleaseValueReads();
        await _h.WaitForLogAsync(r => r.Message.Contains("rotated", StringComparison.Ordinal));

        Assert.Equal(v2.Version, (await _h.Provider.GetApiKeyAsync("contoso")).Version);
        Assert.Equal(3, _h.Vault.ReaderValueReads.Count(r => r.Path.Contains("tenant-contoso-", StringComparison.Ordinal)));
        Assert.Single(_h.Vault.ReaderValueReads, r => r.Path.Contains("tenant-fabrikam-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetApiKeyAsync_EveryVersionDisabled_ThrowsDisabledAndServesNoCachedVersion()
    {
        await _h.RotateAsync("contoso", "sk_live_revoked_0001");
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        var v2 = await _h.RotateAsync("contoso", "sk_live_revoked_0002");
        Assert.Equal(v2.Version, (await _h.Provider.GetApiKeyAsync("contoso")).Version);

        await _h.RevokeAsync("contoso");
        _h.Time.Advance(KeyVaultReaderHarness.CacheTtl);

        var ex = await Assert.ThrowsAsync<TenantApiKeyDisabledException>(() => _h.Provider.GetApiKeyAsync("contoso"));
        Assert.Equal("contoso", ex.TenantId);
        Assert.Contains("tenant-contoso-api-key", ex.Message, StringComparison.Ordinal);
        Assert.Contains("disabled (revoked)", ex.Message, StringComparison.Ordinal);
        var reads = _h.ReaderReads;

        _h.Time.Advance(KeyVaultReaderHarness.NegativeCacheTtl - TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<TenantApiKeyDisabledException>(() => _h.Provider.GetApiKeyAsync("contoso"));
        Assert.Equal(reads, _h.ReaderReads);
        Assert.Single(_h.LogsAt(LogLevel.Warning), r => r.Message.Contains("disabled", StringComparison.Ordinal));

        _h.Time.Advance(TimeSpan.FromSeconds(1));
        var v3 = await _h.RotateAsync("contoso", "sk_live_revoked_0003");
        Assert.Equal(v3.Version, (await _h.Provider.GetApiKeyAsync("contoso")).Version);
    }

    // What the portal's revoke dialog promises: the revoke is seen when the cached copy expires, or at the next read after
    // Invalidate; during an outage the cached copy serves until MaxStaleness unless it was invalidated.
    [Fact]
    public async Task Revoke_CachedCopyServesUntilItExpires_InvalidateMakesTheNextReadSeeIt()
    {
        var v1 = await _h.RotateAsync("contoso", "sk_live_revoke_seen_0001");
        Assert.Equal(v1.Version, (await _h.Provider.GetApiKeyAsync("contoso")).Version);

        await _h.RevokeAsync("contoso");
        _h.Time.Advance(KeyVaultReaderHarness.InvalidationCooldown);

        Assert.Equal(v1.Version, (await _h.Provider.GetApiKeyAsync("contoso")).Version);
        _h.Provider.Invalidate("contoso");
        await Assert.ThrowsAsync<TenantApiKeyDisabledException>(() => _h.Provider.GetApiKeyAsync("contoso"));
    }

    [Fact]
    public async Task Revoke_DuringAnOutage_CachedCopyServesUntilMaxStaleness()
    {
        await using var h = await KeyVaultReaderHarness.StartAsync(o => o.MaxStaleness = TimeSpan.FromMinutes(30));
        await h.RotateAsync("contoso", "sk_live_revoke_outage_0001");
        await h.Provider.GetApiKeyAsync("contoso");
        await h.RevokeAsync("contoso");
        h.Vault.Enqueue(FaultKind.ServerError, times: 10_000);

        h.Time.Advance(KeyVaultReaderHarness.CacheTtl);
        Assert.Equal("sk_live_revoke_outage_0001", (await h.Provider.GetApiKeyAsync("contoso")).Reveal());
        h.Time.Advance(TimeSpan.FromMinutes(24));
        Assert.Equal("sk_live_revoke_outage_0001", (await h.Provider.GetApiKeyAsync("contoso")).Reveal());
        h.Time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<TenantApiKeyUnavailableException>(() => h.Provider.GetApiKeyAsync("contoso"));
    }

    [Fact]
    public async Task Revoke_DuringAnOutage_InvalidateStopsTheCachedCopyAtOnce()
    {
        await _h.RotateAsync("contoso", "sk_live_revoke_invalidate_01");
        await _h.Provider.GetApiKeyAsync("contoso");
        await _h.RevokeAsync("contoso");
        _h.Vault.Enqueue(FaultKind.ServerError, times: 10_000);
        _h.Time.Advance(KeyVaultReaderHarness.CacheTtl);
        Assert.Equal("sk_live_revoke_invalidate_01", (await _h.Provider.GetApiKeyAsync("contoso")).Reveal());

        _h.Provider.Invalidate("contoso");

        var ex = await Assert.ThrowsAsync<TenantApiKeyUnavailableException>(() => _h.Provider.GetApiKeyAsync("contoso"));
        Assert.True(ex.IsTransient);
    }

    [Fact]
    public async Task GetApiKeyAsync_RestoreThenRevoke_FollowsTheNewestEnabledVersionAsTheCacheTurnsOver()
    {
        var v1 = await _h.RotateAsync("contoso", "sk_live_restore_0001");
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        var v2 = await _h.RotateAsync("contoso", "sk_live_restore_0002");
        Assert.Equal(v2.Version, (await _h.Provider.GetApiKeyAsync("contoso")).Version);

        // Restore of the previous version: the portal disables the newer one. The cached value serves until it expires.
        await _h.DisableAsync("contoso", v2.Version);
        _h.Time.Advance(KeyVaultReaderHarness.ShortestCacheTtl - TimeSpan.FromSeconds(1));
        Assert.Equal(v2.Version, (await _h.Provider.GetApiKeyAsync("contoso")).Version);
        Assert.Equal(1, _h.ReaderReads);

        _h.Time.Advance(KeyVaultReaderHarness.CacheTtl);
        var restored = await _h.Provider.GetApiKeyAsync("contoso");
        Assert.Equal(v1.Version, restored.Version);
        Assert.Equal("sk_live_restore_0001", restored.Reveal());
        Assert.Single(_h.LogsAt(LogLevel.Information), r => r.Message.Contains("the newest enabled one", StringComparison.Ordinal));

        // The restored version is cached like any other, and refreshed with the same choice (logged once).
        var readsAfterRestore = _h.ReaderReads;
        Assert.Same(restored, await _h.Provider.GetApiKeyAsync("contoso"));
        Assert.Equal(readsAfterRestore, _h.ReaderReads);
        _h.Time.Advance(KeyVaultReaderHarness.CacheTtl);
        Assert.Same(restored, await _h.Provider.GetApiKeyAsync("contoso"));
        Assert.Single(_h.LogsAt(LogLevel.Information), r => r.Message.Contains("the newest enabled one", StringComparison.Ordinal));

        // Emergency revoke: nothing enabled. The cached restored value is not served once the store has said so.
        await _h.RevokeAsync("contoso");
        _h.Time.Advance(KeyVaultReaderHarness.CacheTtl);
        await Assert.ThrowsAsync<TenantApiKeyDisabledException>(() => _h.Provider.GetApiKeyAsync("contoso"));
        _h.Time.Advance(KeyVaultReaderHarness.NegativeCacheTtl);
        await Assert.ThrowsAsync<TenantApiKeyDisabledException>(() => _h.Provider.GetApiKeyAsync("contoso"));

        // A new submit after the revoke is the latest and enabled: one GET again.
        var v3 = await _h.RotateAsync("contoso", "sk_live_restore_0003");
        var listings = _h.ReaderListings("contoso");
        _h.Time.Advance(KeyVaultReaderHarness.NegativeCacheTtl);
        Assert.Equal(v3.Version, (await _h.Provider.GetApiKeyAsync("contoso")).Version);
        Assert.Equal(listings, _h.ReaderListings("contoso"));
        Assert.DoesNotContain(_h.Vault.Requests, r => r.Identity == VaultIdentity.Reader && r.Method != "GET");
    }

    [Fact]
    public async Task Invalidate_AfterARestore_NextReadReturnsThePreviousVersion()
    {
        var v1 = await _h.RotateAsync("contoso", "sk_live_restore_invalidate_0001");
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        var v2 = await _h.RotateAsync("contoso", "sk_live_restore_invalidate_0002");
        Assert.Equal(v2.Version, (await _h.Provider.GetApiKeyAsync("contoso")).Version);
        await _h.DisableAsync("contoso", v2.Version);

        // The third-party API refuses the newer key (the tenant restored the previous one): a 401 and Invalidate.
        _h.Time.Advance(KeyVaultReaderHarness.InvalidationCooldown);
        _h.Provider.Invalidate("contoso");

        Assert.Equal(v1.Version, (await _h.Provider.GetApiKeyAsync("contoso")).Version);
    }

    [Fact]
    public async Task GetApiKeyAsync_LatestDisabledThenVaultFails_DoesNotServeTheCachedLatest()
    {
        var v1 = await _h.RotateAsync("contoso", "sk_live_restore_outage_0001");
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        var v2 = await _h.RotateAsync("contoso", "sk_live_restore_outage_0002");
        Assert.Equal(v2.Version, (await _h.Provider.GetApiKeyAsync("contoso")).Version);
        await _h.DisableAsync("contoso", v2.Version);
        _h.Time.Advance(KeyVaultReaderHarness.CacheTtl);

        // The GET of the latest answers "disabled"; then the vault fails (the version list, with the SDK's retries).
        var ex = await Assert.ThrowsAsync<TenantApiKeyUnavailableException>(() => ReadWhileTheVaultFailsAfterTheFirstGetAsync(_h));

        // The cached value was read as the latest: it may be the version just disabled, so it is not served stale.
        Assert.True(ex.IsTransient);
        Assert.Contains(_h.LogsAt(LogLevel.Warning), r => r.Message.Contains("may be that one", StringComparison.Ordinal));
        await Assert.ThrowsAsync<TenantApiKeyUnavailableException>(() => _h.Provider.GetApiKeyAsync("contoso"));

        _h.Vault.ClearFaults();
        _h.Time.Advance(KeyVaultReaderHarness.NegativeCacheTtl);
        Assert.Equal(v1.Version, (await _h.Provider.GetApiKeyAsync("contoso")).Version);
    }

    [Fact]
    public async Task GetApiKeyAsync_PreviousVersionCachedAndVaultFails_ServesItStale()
    {
        var v1 = await _h.RotateAsync("contoso", "sk_live_restored_outage_0001");
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        var v2 = await _h.RotateAsync("contoso", "sk_live_restored_outage_0002");
        await _h.DisableAsync("contoso", v2.Version);
        Assert.Equal(v1.Version, (await _h.Provider.GetApiKeyAsync("contoso")).Version);
        _h.Time.Advance(KeyVaultReaderHarness.CacheTtl);

        // The cached value is the older version served because the latest was disabled: an outage may keep it serving.
        var key = await ReadWhileTheVaultFailsAfterTheFirstGetAsync(_h);

        Assert.Equal(v1.Version, key.Version);
        Assert.Contains(_h.LogsAt(LogLevel.Warning), r => r.Message.Contains("serving the cached version", StringComparison.Ordinal));
    }

    /// <summary>Lets the refresh's first GET through, then fails every request after it (the SDK's retries included).</summary>
    private static async Task<TenantApiKey> ReadWhileTheVaultFailsAfterTheFirstGetAsync(KeyVaultReaderHarness h)
    {
        var earlier = h.Vault.Requests;
        h.Vault.HoldValueReads();
        var call = h.Provider.GetApiKeyAsync("contoso");
        await h.Vault.WaitForRequestAsync(r => r.IsValueRead && r.Identity == VaultIdentity.Reader && !earlier.Any(e => ReferenceEquals(e, r)));
        h.Vault.Enqueue(FaultKind.ServerError, times: 100);
        h.Vault.ReleaseValueReads();
        return await call;
    }

    [Fact]
    public async Task GetApiKeyAsync_UnknownTenant_ThrowsNotFoundAndCachesTheAnswer()
    {
        var ex = await Assert.ThrowsAsync<TenantApiKeyNotFoundException>(() => _h.Provider.GetApiKeyAsync("nobody"));
        Assert.Equal("nobody", ex.TenantId);
        Assert.Contains("tenant-nobody-api-key", ex.Message, StringComparison.Ordinal);

        await Assert.ThrowsAsync<TenantApiKeyNotFoundException>(() => _h.Provider.GetApiKeyAsync("nobody"));
        Assert.Equal(1, _h.ReaderReads);

        await _h.RotateAsync("nobody", "sk_live_onboarded_later_0001");
        _h.Time.Advance(KeyVaultReaderHarness.NegativeCacheTtl);
        Assert.Equal("sk_live_onboarded_later_0001", (await _h.Provider.GetApiKeyAsync("nobody")).Reveal());
    }

    public static TheoryData<string> InvalidTenantIds =>
    [
        "",
        "has space",
        "under_score",
        "dot.ted",
        "../secrets",
        "ünïcode",
        new string('a', 113),
    ];

    [Theory]
    [MemberData(nameof(InvalidTenantIds))]
    public async Task GetApiKeyAsync_InvalidTenantId_ThrowsArgumentExceptionWithoutAVaultCall(string tenantId)
    {
        Assert.Throws<ArgumentException>(() => { _ = _h.Provider.GetApiKeyAsync(tenantId); });
        Assert.Throws<ArgumentException>(() => _h.Provider.Invalidate(tenantId));
        Assert.Throws<ArgumentNullException>(() => { _ = _h.Provider.GetApiKeyAsync(null!); });

        Assert.Empty(_h.Vault.Requests);
        // The longest valid id reaches the vault, as the portal would name it.
        await Assert.ThrowsAsync<TenantApiKeyNotFoundException>(() => _h.Provider.GetApiKeyAsync(new string('a', 112)));
    }

    [Fact]
    public async Task GetApiKeyAsync_ReaderWithThePortalsIdentity_ThrowsUnavailableNamingTheRole()
    {
        // The portal's identity has no getSecret: the fake answers 403 ForbiddenByRbac, as Key Vault would.
        await using var h = await KeyVaultReaderHarness.StartAsync(readWithPortalIdentity: true);
        await h.RotateAsync("contoso", "sk_live_wrong_identity_0001");

        var ex = await Assert.ThrowsAsync<TenantApiKeyUnavailableException>(() => h.Provider.GetApiKeyAsync("contoso"));

        Assert.False(ex.IsTransient);
        Assert.Contains("Key Vault Secrets User", ex.Message, StringComparison.Ordinal);
        Assert.Empty(h.Vault.ReaderValueReads);
        Assert.Contains(h.Vault.ValueReads, r => r.Identity == VaultIdentity.Portal);
    }

    [Fact]
    public async Task GetApiKeyAsync_VersionTaggedForAnotherTenant_IsNotServed()
    {
        await _h.RotateAsync("contoso", "sk_live_mislabelled_0001", taggedTenantId: "fabrikam");

        var ex = await Assert.ThrowsAsync<TenantApiKeyUnavailableException>(() => _h.Provider.GetApiKeyAsync("contoso"));

        Assert.False(ex.IsTransient);
        Assert.Contains("tagged for another tenant", ex.Message, StringComparison.Ordinal);
    }
}
