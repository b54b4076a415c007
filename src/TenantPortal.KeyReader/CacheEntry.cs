namespace TenantPortal.KeyReader;

/// <summary>One answer for one tenant: a value (with its completed task, returned as is on a hit) or why there is none.</summary>
internal sealed class CacheEntry
{
    private CacheEntry(TenantApiKey? key, Task<TenantApiKey>? task, StoreRead? answer, long readAt, long freshUntil, bool latestDisabled, KeyUsageCell? usage = null)
    {
        Usage = usage;
        Key = key;
        Task = task;
        Answer = answer;
        ReadAt = readAt;
        FreshUntil = freshUntil;
        LatestDisabled = latestDisabled;
    }

    public TenantApiKey? Key { get; }

    /// <summary>Where uses of <see cref="Key"/> are counted; null when usage reporting is off (or not attached yet).</summary>
    public KeyUsageCell? Usage { get; }

    public Task<TenantApiKey>? Task { get; }

    public StoreRead? Answer { get; }

    /// <summary>When the store last confirmed this answer (clock timestamp).</summary>
    public long ReadAt { get; }

    /// <summary>Served from the cache until this timestamp.</summary>
    public long FreshUntil { get; }

    /// <summary>The value is an older version, served because the latest was disabled when it was read.</summary>
    public bool LatestDisabled { get; }

    public static CacheEntry ForValue(TenantApiKey key, long readAt, long freshUntil, bool latestDisabled) =>
        new(key, System.Threading.Tasks.Task.FromResult(key), null, readAt, freshUntil, latestDisabled);

    public static CacheEntry ForValue(TenantApiKey key, Task<TenantApiKey> task, long readAt, long freshUntil, bool latestDisabled, KeyUsageCell? usage = null) =>
        new(key, task, null, readAt, freshUntil, latestDisabled, usage);

    public static CacheEntry ForAnswer(StoreRead answer, long readAt, long freshUntil) => new(null, null, answer, readAt, freshUntil, latestDisabled: false);

    public CacheEntry WithFreshUntil(long freshUntil) => new(Key, Task, Answer, ReadAt, freshUntil, LatestDisabled, Usage);

    public CacheEntry WithUsage(KeyUsageCell usage) => new(Key, Task, Answer, ReadAt, FreshUntil, LatestDisabled, usage);

    public TenantApiKey Resolve(string tenantId, string secretName)
    {
        if (Key is not null)
        {
            return Key;
        }

        throw Answer!.Status switch
        {
            StoreReadStatus.NotFound => new TenantApiKeyNotFoundException(tenantId, secretName),
            StoreReadStatus.Disabled => new TenantApiKeyDisabledException(tenantId, secretName),
            StoreReadStatus.Refused => new TenantApiKeyUnavailableException(tenantId,
                $"The API key of tenant '{tenantId}' cannot be read: {Answer.Reason}", isTransient: false, Answer.Error),
            _ => new TenantApiKeyUnavailableException(tenantId,
                $"The API key of tenant '{tenantId}' cannot be read now and no cached value may be served: {Answer.Reason}", isTransient: true, Answer.Error),
        };
    }
}
