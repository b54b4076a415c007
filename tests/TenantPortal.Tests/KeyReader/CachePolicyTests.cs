using TenantPortal.KeyReader;

namespace TenantPortal.Tests.KeyReader;

/// <summary>The cache's decisions on a clock of one tick a second: TTL 300, negative TTL 30, staleness limit 3600, cooldown 1.</summary>
public sealed class CachePolicyTests
{
    private const string Tenant = "contoso";
    private const string V1 = "00000000000000000000000000000001";
    private const string V2 = "00000000000000000000000000000002";
    private const string V3 = "00000000000000000000000000000003";
    private const string Value = nameof(Value);

    private static readonly CachePolicy Policy = new(Ttl: 300, NegativeTtl: 30, MaxStaleness: 3600, InvalidationCooldown: 1);

    [Fact]
    public void From_Options_EachDurationInClockTicks()
    {
        var options = new TenantApiKeyReaderOptions
        {
            CacheTtl = TimeSpan.FromMinutes(5),
            NegativeCacheTtl = TimeSpan.FromSeconds(30),
            MaxStaleness = TimeSpan.FromHours(1),
            InvalidationCooldown = TimeSpan.FromMilliseconds(1500),
        };

        Assert.Equal(new CachePolicy(Ttl: 300_000, NegativeTtl: 30_000, MaxStaleness: 3_600_000, InvalidationCooldown: 1_500), CachePolicy.From(options, timestampFrequency: 1000));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(250L, null)]
    [InlineData(null, 250L)]
    public void OnRead_NothingCached_AwaitRead(long? failingSince, long? storeFailedAt)
    {
        Assert.Equal(ReadDecision.AwaitRead, Policy.OnRead(null, 0, failingSince, storeFailedAt));
    }

    [Theory]
    [InlineData(false, 0L, null)]
    [InlineData(false, 299L, null)]
    [InlineData(false, 299L, 250L)]
    [InlineData(true, 0L, null)]
    [InlineData(true, 29L, 10L)]
    public void OnRead_FreshValueOrAnswer_Serve(bool answer, long now, long? failingSince)
    {
        var entry = answer ? AnswerEntry(StoreRead.NotFound) : ValueEntry();

        Assert.Equal(ReadDecision.Serve, Policy.OnRead(entry, now, failingSince, storeFailedAt: null));
    }

    [Theory]
    [InlineData(300L, null)]
    [InlineData(3600L, null)]
    [InlineData(300L, 270L)] // another tenant's failure, a negative TTL ago: over
    [InlineData(3600L, 0L)]
    public void OnRead_ExpiredValueWithinTheLimitStoreHealthy_AwaitRefreshThenServeStale(long now, long? storeFailedAt)
    {
        Assert.Equal(ReadDecision.AwaitRefreshThenServeStale, Policy.OnRead(ValueEntry(), now, failingSince: null, storeFailedAt));
    }

    [Theory]
    [InlineData(300L, 250L, null)]
    [InlineData(3600L, 250L, null)]
    [InlineData(300L, 250L, 0L)]
    [InlineData(300L, null, 271L)]
    [InlineData(300L, null, 300L)]
    public void OnRead_ExpiredValueWithinTheLimitStoreFailing_ServeStale(long now, long? failingSince, long? storeFailedAt)
    {
        Assert.Equal(ReadDecision.ServeStale, Policy.OnRead(ValueEntry(), now, failingSince, storeFailedAt));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(250L, null)]
    [InlineData(null, 3600L)]
    public void OnRead_ValuePastTheLimit_AwaitRead(long? failingSince, long? storeFailedAt)
    {
        Assert.Equal(ReadDecision.AwaitRead, Policy.OnRead(ValueEntry(), 3601, failingSince, storeFailedAt));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(10L, null)]
    [InlineData(null, 20L)]
    public void OnRead_ExpiredAnswer_AwaitRead(long? failingSince, long? storeFailedAt)
    {
        Assert.Equal(ReadDecision.AwaitRead, Policy.OnRead(AnswerEntry(StoreRead.Failed("HTTP 503")), 30, failingSince, storeFailedAt));
    }

    [Fact]
    public void ServedDuringRefresh_ExpiredValue_SameValueFreshUntilTheLimit()
    {
        var stale = ValueEntry(readAt: 100, freshUntil: 400, latestDisabled: true);

        var served = Policy.ServedDuringRefresh(stale);

        Assert.Same(stale.Key, served.Key);
        Assert.Same(stale.Task, served.Task);
        Assert.Equal(100, served.ReadAt);
        Assert.Equal(3701, served.FreshUntil);
        Assert.True(served.LatestDisabled);
        Assert.Null(served.Answer);
        Assert.Equal(ReadDecision.Serve, Policy.OnRead(served, 3700, failingSince: null, storeFailedAt: null));
        Assert.Equal(ReadDecision.AwaitRead, Policy.OnRead(served, 3701, failingSince: null, storeFailedAt: null));
    }

    [Theory]
    [InlineData(10L, false)]
    [InlineData(11L, true)]
    [InlineData(5000L, true)]
    public void MayInvalidate_ValueReadAtTen_OnlyOnceTheCooldownHasPassed(long now, bool expected)
    {
        Assert.Equal(expected, Policy.MayInvalidate(ValueEntry(readAt: 10), now));
        Assert.Equal(expected, Policy.MayInvalidate(AnswerEntry(StoreRead.NotFound, readAt: 10), now));
    }

    [Theory]
    [InlineData(0.0, 1300L)]
    [InlineData(0.5, 1285L)]
    [InlineData(0.999, 1271L)]
    public async Task OnAnswer_FoundWithNothingCached_NewValueFreshForTheTtlLessUpToATenth(double jitter, long freshUntil)
    {
        var read = StoreRead.Found(V1, "sk_live_policy_0001", taggedTenantId: Tenant);

        var next = Policy.OnAnswer(Tenant, previous: null, failingSince: null, read, now: 1000, jitter);

        Assert.Equal(Tenant, next.Entry.Key!.TenantId);
        Assert.Equal(V1, next.Entry.Key.Version);
        Assert.Equal("sk_live_policy_0001", next.Entry.Key.Reveal());
        Assert.True(next.Entry.Task!.IsCompletedSuccessfully);
        Assert.Same(next.Entry.Key, await next.Entry.Task);
        Assert.Equal(1000, next.Entry.ReadAt);
        Assert.Equal(freshUntil, next.Entry.FreshUntil);
        Assert.False(next.Entry.LatestDisabled);
        Assert.Null(next.FailingSince);
        Assert.Same(read, next.Read);
        Assert.Equal(AnswerEvent.None, next.Event);
        Assert.False(next.Recovered);
    }

    [Fact]
    public void OnAnswer_FoundTheCachedVersion_SameKeyAndTaskNewTimes()
    {
        var previous = ValueEntry(V1);

        var next = Policy.OnAnswer(Tenant, previous, failingSince: null, StoreRead.Found(V1, "sk_live_policy_0001", null), now: 1000, jitter: 0);

        Assert.Same(previous.Key, next.Entry.Key);
        Assert.Same(previous.Task, next.Entry.Task);
        Assert.Equal(1000, next.Entry.ReadAt);
        Assert.Equal(1300, next.Entry.FreshUntil);
        Assert.Equal(AnswerEvent.None, next.Event);
    }

    [Theory]
    [InlineData(null, false, V2, false, nameof(AnswerEvent.None))]
    [InlineData(V1, false, V1, false, nameof(AnswerEvent.None))]
    [InlineData(V1, false, V2, false, nameof(AnswerEvent.Rotated))]
    [InlineData(null, false, V1, true, nameof(AnswerEvent.ServingOlderVersion))]
    [InlineData(V2, false, V1, true, nameof(AnswerEvent.ServingOlderVersion))]
    [InlineData(V1, true, V1, true, nameof(AnswerEvent.None))] // the same older version again: logged once
    [InlineData(V2, true, V1, true, nameof(AnswerEvent.ServingOlderVersion))]
    [InlineData(V1, true, V1, false, nameof(AnswerEvent.None))]
    [InlineData(V1, true, V3, false, nameof(AnswerEvent.Rotated))]
    public void OnAnswer_Found_EventForTheVersionChange(string? cachedVersion, bool cachedLatestDisabled, string version, bool latestDisabled, string expected)
    {
        var previous = cachedVersion is null ? null : ValueEntry(cachedVersion, latestDisabled: cachedLatestDisabled);

        var next = Policy.OnAnswer(Tenant, previous, failingSince: null, StoreRead.Found(version, "sk_live_policy", null, latestDisabled), now: 1000, jitter: 0);

        Assert.Equal(version, next.Entry.Key!.Version);
        Assert.Equal(latestDisabled, next.Entry.LatestDisabled);
        Assert.Equal(expected, next.Event.ToString());
    }

    [Fact]
    public void OnAnswer_FoundAfterFailures_RecoveredAndTheRunEnds()
    {
        var next = Policy.OnAnswer(Tenant, ValueEntry(V1), failingSince: 500, StoreRead.Found(V2, "sk_live_policy_0002", null), now: 1000, jitter: 0);

        Assert.True(next.Recovered);
        Assert.Null(next.FailingSince);
        Assert.Equal(V2, next.Entry.Key!.Version);
        Assert.Equal(AnswerEvent.Rotated, next.Event);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("contoso")]
    [InlineData("Contoso")]
    public void OnAnswer_FoundTaggedForTheTenantInAnyCasingOrUntagged_Served(string? tag)
    {
        var next = Policy.OnAnswer(Tenant, previous: null, failingSince: null, StoreRead.Found(V1, "sk_live_policy", tag), now: 1000, jitter: 0);

        Assert.Equal(V1, next.Entry.Key!.Version);
    }

    [Fact]
    public void OnAnswer_FoundTaggedForAnotherTenant_RefusalReplacesTheCachedValue()
    {
        var next = Policy.OnAnswer(Tenant, ValueEntry(V1), failingSince: null, StoreRead.Found(V2, "sk_live_policy", "fabrikam"), now: 1000, jitter: 0);

        Assert.Null(next.Entry.Key);
        Assert.Same(next.Read, next.Entry.Answer);
        Assert.Equal(StoreReadStatus.Refused, next.Read.Status);
        Assert.Equal("The current version is tagged for another tenant ('fabrikam'); it is not served.", next.Read.Reason);
        Assert.Equal(1030, next.Entry.FreshUntil);
        Assert.Equal(AnswerEvent.Refused, next.Event);
    }

    [Theory]
    [InlineData(nameof(StoreReadStatus.NotFound))]
    [InlineData(nameof(StoreReadStatus.Disabled))]
    [InlineData(nameof(StoreReadStatus.Refused))]
    public void OnAnswer_NegativeAnswer_ReplacesTheCachedValueForTheNegativeTtlAndEndsTheRun(string status)
    {
        var read = Read(status);

        var next = Policy.OnAnswer(Tenant, ValueEntry(V1), failingSince: 500, read, now: 1000, jitter: 0.5);

        Assert.Null(next.Entry.Key);
        Assert.Null(next.Entry.Task);
        Assert.Same(read, next.Entry.Answer);
        Assert.Equal(1000, next.Entry.ReadAt);
        Assert.Equal(1030, next.Entry.FreshUntil);
        Assert.Null(next.FailingSince);
        Assert.False(next.Recovered);
    }

    [Theory]
    [InlineData(nameof(StoreReadStatus.NotFound), null, nameof(AnswerEvent.None))]
    [InlineData(nameof(StoreReadStatus.NotFound), Value, nameof(AnswerEvent.None))]
    [InlineData(nameof(StoreReadStatus.Disabled), null, nameof(AnswerEvent.Disabled))]
    [InlineData(nameof(StoreReadStatus.Disabled), Value, nameof(AnswerEvent.Disabled))]
    [InlineData(nameof(StoreReadStatus.Disabled), nameof(StoreReadStatus.NotFound), nameof(AnswerEvent.Disabled))]
    [InlineData(nameof(StoreReadStatus.Disabled), nameof(StoreReadStatus.Disabled), nameof(AnswerEvent.None))]
    [InlineData(nameof(StoreReadStatus.Refused), null, nameof(AnswerEvent.Refused))]
    [InlineData(nameof(StoreReadStatus.Refused), nameof(StoreReadStatus.Failed), nameof(AnswerEvent.Refused))]
    [InlineData(nameof(StoreReadStatus.Refused), nameof(StoreReadStatus.Refused), nameof(AnswerEvent.None))]
    public void OnAnswer_NegativeAnswer_EventUnlessTheSameAnswerWasCached(string status, string? cached, string expected)
    {
        var previous = cached switch
        {
            null => null,
            Value => ValueEntry(),
            _ => AnswerEntry(Read(cached)),
        };

        var next = Policy.OnAnswer(Tenant, previous, failingSince: null, Read(status), now: 1000, jitter: 0);

        Assert.Equal(expected, next.Event.ToString());
    }

    [Theory]
    [InlineData(0L, 300L, 330L)]
    [InlineData(0L, 3571L, 3601L)]
    [InlineData(0L, 3590L, 3601L)] // the negative TTL would pass the limit: the limit
    [InlineData(0L, 3600L, 3601L)]
    [InlineData(100L, 3650L, 3680L)]
    public void OnAnswer_FirstFailureWithAValueWithinTheLimit_ServingStaleUntilTheNegativeTtlOrTheLimit(long readAt, long now, long freshUntil)
    {
        var previous = ValueEntry(readAt: readAt, freshUntil: readAt + 300);
        var read = StoreRead.Failed("HTTP 503");

        var next = Policy.OnAnswer(Tenant, previous, failingSince: null, read, now, jitter: 0);

        Assert.Same(previous.Key, next.Entry.Key);
        Assert.Same(previous.Task, next.Entry.Task);
        Assert.Equal(readAt, next.Entry.ReadAt);
        Assert.Equal(freshUntil, next.Entry.FreshUntil);
        Assert.Equal(now, next.FailingSince);
        Assert.Same(read, next.Read);
        Assert.Equal(AnswerEvent.ServingStale, next.Event);
        Assert.False(next.Recovered);
    }

    [Fact]
    public void OnAnswer_FailureAgainWithAValueWithinTheLimit_StillServingStaleAndTheRunKeepsItsStart()
    {
        var previous = ValueEntry(readAt: 0, freshUntil: 330);

        var next = Policy.OnAnswer(Tenant, previous, failingSince: 300, StoreRead.Failed("HTTP 503"), now: 330, jitter: 0);

        Assert.Same(previous.Key, next.Entry.Key);
        Assert.Equal(360, next.Entry.FreshUntil);
        Assert.Equal(300, next.FailingSince);
        Assert.Equal(AnswerEvent.StillServingStale, next.Event);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(300L)]
    public void OnAnswer_FailureAfterTheLatestShowedDisabled_ValueCachedAsTheLatestNotServed(long? failingSince)
    {
        var read = StoreRead.Failed("HTTP 503", latestDisabled: true);

        var next = Policy.OnAnswer(Tenant, ValueEntry(V2, latestDisabled: false), failingSince, read, now: 330, jitter: 0);

        Assert.Null(next.Entry.Key);
        Assert.Same(read, next.Entry.Answer);
        Assert.Equal(360, next.Entry.FreshUntil);
        Assert.Equal(failingSince ?? 330, next.FailingSince);
        Assert.Equal(AnswerEvent.LatestDisabledNotServed, next.Event);
    }

    [Fact]
    public void OnAnswer_FailureAfterTheLatestShowedDisabled_OlderVersionCachedAsSuchServesStale()
    {
        var previous = ValueEntry(V1, latestDisabled: true);

        var next = Policy.OnAnswer(Tenant, previous, failingSince: null, StoreRead.Failed("HTTP 503", latestDisabled: true), now: 330, jitter: 0);

        Assert.Same(previous.Key, next.Entry.Key);
        Assert.True(next.Entry.LatestDisabled);
        Assert.Equal(360, next.Entry.FreshUntil);
        Assert.Equal(AnswerEvent.ServingStale, next.Event);
    }

    [Theory]
    [InlineData(null, 3601L)]
    [InlineData(300L, 3601L)]
    [InlineData(300L, 9000L)]
    public void OnAnswer_FailureWithAValuePastTheLimit_StaleLimitReached(long? failingSince, long now)
    {
        var read = StoreRead.Failed("HTTP 503");

        var next = Policy.OnAnswer(Tenant, ValueEntry(readAt: 0), failingSince, read, now, jitter: 0);

        Assert.Null(next.Entry.Key);
        Assert.Same(read, next.Entry.Answer);
        Assert.Equal(now, next.Entry.ReadAt);
        Assert.Equal(now + 30, next.Entry.FreshUntil);
        Assert.Equal(failingSince ?? now, next.FailingSince);
        Assert.Equal(AnswerEvent.StaleLimitReached, next.Event);
    }

    [Theory]
    [InlineData(null, null, nameof(AnswerEvent.Failed))]
    [InlineData(nameof(StoreReadStatus.NotFound), null, nameof(AnswerEvent.Failed))]
    [InlineData(nameof(StoreReadStatus.Failed), 300L, nameof(AnswerEvent.None))] // logged when the run began
    public void OnAnswer_FailureWithNoValueCached_FailedOnceARun(string? cached, long? failingSince, string expected)
    {
        var previous = cached is null ? null : AnswerEntry(Read(cached), readAt: 300);
        var read = StoreRead.Failed("HTTP 503");

        var next = Policy.OnAnswer(Tenant, previous, failingSince, read, now: 330, jitter: 0);

        Assert.Null(next.Entry.Key);
        Assert.Same(read, next.Entry.Answer);
        Assert.Equal(360, next.Entry.FreshUntil);
        Assert.Equal(failingSince ?? 330, next.FailingSince);
        Assert.Equal(expected, next.Event.ToString());
    }

    private static CacheEntry ValueEntry(string version = V1, long readAt = 0, long freshUntil = 300, bool latestDisabled = false) =>
        CacheEntry.ForValue(new TenantApiKey(Tenant, version, "sk_live_policy"), readAt, freshUntil, latestDisabled);

    private static CacheEntry AnswerEntry(StoreRead answer, long readAt = 0) => CacheEntry.ForAnswer(answer, readAt, readAt + 30);

    private static StoreRead Read(string status) => Enum.Parse<StoreReadStatus>(status) switch
    {
        StoreReadStatus.NotFound => StoreRead.NotFound,
        StoreReadStatus.Disabled => StoreRead.Disabled,
        StoreReadStatus.Refused => StoreRead.Refused("Access denied: the identity lacks the Key Vault Secrets User role."),
        StoreReadStatus.Failed => StoreRead.Failed("HTTP 503"),
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
