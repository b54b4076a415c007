namespace TenantPortal.KeyReader;

/// <summary>
/// The counts for one tenant and version since the last harvest. A use is one interlocked increment and a clock value
/// the cache hit has read anyway: no lock, no allocation. Rejections are rare and take the cell's lock, so that a
/// harvest never splits a rejection from its time.
/// </summary>
internal sealed class KeyUsageCell(string tenantId, string version)
{
    private long _uses;
    private long _lastUsed = long.MinValue;
    private long _rejections;
    private DateTimeOffset? _firstRejected;
    private DateTimeOffset? _lastRejected;

    public string TenantId { get; } = tenantId;

    public string Version { get; } = version;

    /// <summary>
    /// Set by the harvest once the cell has been idle for a whole interval and left the recorder's table: a cache entry
    /// still holding it takes a fresh cell on its next use (counts made in the instant between are harvested once more).
    /// </summary>
    public volatile bool Retired;

    public void RecordUse(long timestamp)
    {
        Interlocked.Increment(ref _uses);
        if (timestamp > Volatile.Read(ref _lastUsed))
        {
            Volatile.Write(ref _lastUsed, timestamp);
        }
    }

    public void RecordRejection(DateTimeOffset at)
    {
        lock (this)
        {
            _rejections++;
            _firstRejected ??= at;
            _lastRejected = at;
        }
    }

    /// <summary>What happened since the last harvest, or null when nothing did; resets the counts.</summary>
    public KeyUsageSample? Harvest(TimeProvider time, long now, DateTimeOffset utcNow)
    {
        var uses = Interlocked.Exchange(ref _uses, 0);
        long rejections;
        DateTimeOffset? first;
        DateTimeOffset? last;
        lock (this)
        {
            rejections = _rejections;
            first = _firstRejected;
            last = _lastRejected;
            _rejections = 0;
            _firstRejected = null;
            _lastRejected = null;
        }

        if (uses == 0 && rejections == 0)
        {
            return null;
        }

        var lastUsed = Volatile.Read(ref _lastUsed);
        DateTimeOffset? lastUsedAt = uses == 0 || lastUsed == long.MinValue ? null : utcNow - time.GetElapsedTime(lastUsed, now);
        return new KeyUsageSample(TenantId, Version, uses, lastUsedAt, rejections, first, last);
    }
}

/// <summary>One tenant and version's counts over some period; never a value.</summary>
internal sealed record KeyUsageSample(
    string TenantId,
    string Version,
    long Uses,
    DateTimeOffset? LastUsedAt,
    long Rejections,
    DateTimeOffset? FirstRejectedAt,
    DateTimeOffset? LastRejectedAt)
{
    public KeyUsageSample Merge(KeyUsageSample later) => new(
        TenantId,
        Version,
        Uses + later.Uses,
        Max(LastUsedAt, later.LastUsedAt),
        Rejections + later.Rejections,
        FirstRejectedAt is { } a && later.FirstRejectedAt is { } b ? (a <= b ? a : b) : FirstRejectedAt ?? later.FirstRejectedAt,
        Max(LastRejectedAt, later.LastRejectedAt));

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is { } x && b is { } y ? (x >= y ? x : y) : a ?? b;
}
