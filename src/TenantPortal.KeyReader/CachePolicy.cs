using System.Diagnostics.CodeAnalysis;

namespace TenantPortal.KeyReader;

/// <summary>
/// The cache's decisions, from an entry, the clock and the options alone: no store, no lock, no log. Durations are in
/// clock ticks (<see cref="TimeProvider.TimestampFrequency"/>), like the entries' timestamps.
/// </summary>
internal sealed record CachePolicy(long Ttl, long NegativeTtl, long MaxStaleness, long InvalidationCooldown)
{
    public static CachePolicy From(TenantApiKeyReaderOptions options, long timestampFrequency)
    {
        return new(Ticks(options.CacheTtl), Ticks(options.NegativeCacheTtl), Ticks(options.MaxStaleness), Ticks(options.InvalidationCooldown));

        long Ticks(TimeSpan span) => (long)(span.TotalSeconds * timestampFrequency);
    }

    /// <param name="storeFailedAt">When the last read, for any tenant, failed; null when it did not.</param>
    public ReadDecision OnRead(CacheEntry? entry, long now, long? failingSince, long? storeFailedAt)
    {
        if (entry is not null && now < entry.FreshUntil)
        {
            return ReadDecision.Serve;
        }

        if (!IsServableStale(entry, now))
        {
            return ReadDecision.AwaitRead;
        }

        // An outage or throttling is vault-wide: another tenant's failure, lately, counts too.
        var failing = failingSince is not null || (storeFailedAt is { } failedAt && now - failedAt < NegativeTtl);
        return failing ? ReadDecision.ServeStale : ReadDecision.AwaitRefreshThenServeStale;
    }

    /// <summary>The entry that serves an expired value to everyone until its refresh lands: never past the staleness limit.</summary>
    public CacheEntry ServedDuringRefresh(CacheEntry stale) => stale.WithFreshUntil(StaleLimit(stale));

    public bool MayInvalidate(CacheEntry entry, long now) => now - entry.ReadAt >= InvalidationCooldown;

    /// <param name="jitter">A random number in [0, 1): the share of a tenth of the TTL taken off a new value's.</param>
    public AnswerDecision OnAnswer(string tenantId, CacheEntry? previous, long? failingSince, StoreRead read, long now, double jitter)
    {
        if (read.Status == StoreReadStatus.Found && read.TaggedTenantId is { } tagged
            && !string.Equals(tagged, tenantId, StringComparison.OrdinalIgnoreCase))
        {
            read = StoreRead.Refused($"The current version is tagged for another tenant ('{tagged}'); it is not served.");
        }

        return read.Status switch
        {
            StoreReadStatus.Found => OnValue(tenantId, previous, failingSince, read, now, jitter),
            StoreReadStatus.NotFound or StoreReadStatus.Disabled or StoreReadStatus.Refused => OnNegativeAnswer(previous, read, now),
            _ => OnFailure(previous, failingSince, read, now),
        };
    }

    private AnswerDecision OnValue(string tenantId, CacheEntry? previous, long? failingSince, StoreRead read, long now, double jitter)
    {
        // Up to a tenth off the TTL, so that tenants read together (at start-up) do not all expire in the same second.
        var freshUntil = now + Ttl - (long)(jitter * Ttl / 10);
        // The same version keeps its key object, task and usage counts: a refresh that changes nothing allocates nothing lasting.
        var entry = previous is { Key: { } same, Task: { } sameTask } && same.Version == read.Version
            ? CacheEntry.ForValue(same, sameTask, now, freshUntil, read.LatestDisabled, previous.Usage)
            : CacheEntry.ForValue(new TenantApiKey(tenantId, read.Version!, read.Value!), now, freshUntil, read.LatestDisabled);
        var alreadyServingOlder = previous is { LatestDisabled: true, Key: { } kept } && kept.Version == read.Version;
        var change = read.LatestDisabled && !alreadyServingOlder ? AnswerEvent.ServingOlderVersion
            : previous?.Key is { } old && old.Version != read.Version ? AnswerEvent.Rotated
            : AnswerEvent.None;
        return new(entry, FailingSince: null, read, change, Recovered: failingSince is not null);
    }

    private AnswerDecision OnNegativeAnswer(CacheEntry? previous, StoreRead read, long now)
    {
        var repeated = previous?.Answer?.Status == read.Status;
        var change = repeated ? AnswerEvent.None : read.Status switch
        {
            StoreReadStatus.Disabled => AnswerEvent.Disabled,
            StoreReadStatus.Refused => AnswerEvent.Refused,
            _ => AnswerEvent.None,
        };
        return new(CacheEntry.ForAnswer(read, now, now + NegativeTtl), FailingSince: null, read, change, Recovered: false);
    }

    private AnswerDecision OnFailure(CacheEntry? previous, long? failingSince, StoreRead read, long now)
    {
        var firstFailure = failingSince is null;
        // The store saw the latest version disabled before failing: a value cached as the latest may be that very
        // version (a restore or a revoke in the portal), so it is not served. One cached as an older version is.
        var mayBeDisabled = read.LatestDisabled && previous is { Key: not null, LatestDisabled: false };
        if (IsServableStale(previous, now) && !mayBeDisabled)
        {
            // Serve the old value without asking the store again until the negative TTL passes, never past the limit.
            var stale = previous.WithFreshUntil(Math.Min(now + NegativeTtl, StaleLimit(previous)));
            return new(stale, failingSince ?? now, read, firstFailure ? AnswerEvent.ServingStale : AnswerEvent.StillServingStale, Recovered: false);
        }

        var change = mayBeDisabled ? AnswerEvent.LatestDisabledNotServed
            : previous?.Key is not null ? AnswerEvent.StaleLimitReached
            : firstFailure ? AnswerEvent.Failed
            : AnswerEvent.None;
        // Remembered like a negative answer: during an outage each tenant costs the vault one refresh per
        // NegativeCacheTtl, whether or not it has a value to fall back on.
        return new(CacheEntry.ForAnswer(read, now, now + NegativeTtl), failingSince ?? now, read, change, Recovered: false);
    }

    private bool IsServableStale([NotNullWhen(true)] CacheEntry? entry, long now) => entry is { Key: not null } && now - entry.ReadAt <= MaxStaleness;

    private long StaleLimit(CacheEntry entry) => entry.ReadAt + MaxStaleness + 1;
}

/// <summary>What a caller gets when the hot path did not serve it. Every decision but <see cref="Serve"/> starts or joins the tenant's one store read.</summary>
internal enum ReadDecision
{
    /// <summary>The entry is fresh: its value, or its answer as an exception.</summary>
    Serve,

    /// <summary>Nothing may be served meanwhile: wait for the store read.</summary>
    AwaitRead,

    /// <summary>The store is failing: the cached value at once, to everyone until the refresh lands.</summary>
    ServeStale,

    /// <summary>Wait for the refresh up to the refresh wait limit, then the cached value, to everyone until the refresh lands.</summary>
    AwaitRefreshThenServeStale,
}

/// <summary>What a store answer does: the slot's next entry and run of failures, and what is worth logging.</summary>
/// <param name="Read">The answer as applied: a version tagged for another tenant is a refusal.</param>
/// <param name="Recovered">A value after a run of failures.</param>
internal readonly record struct AnswerDecision(CacheEntry Entry, long? FailingSince, StoreRead Read, AnswerEvent Event, bool Recovered);

/// <summary>The change an answer makes, one log message each; repeats of an answer already logged are <see cref="None"/>.</summary>
internal enum AnswerEvent
{
    None,
    Rotated,
    ServingOlderVersion,
    Disabled,
    Refused,
    ServingStale,
    StillServingStale,
    LatestDisabledNotServed,
    StaleLimitReached,
    Failed,
}
