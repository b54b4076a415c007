using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace TenantPortal.KeyReader;

/// <summary>
/// The cache in front of a <see cref="IKeyStore"/>. A hit is a dictionary lookup, a clock read and the return of a
/// completed task kept with the entry: no allocation. Misses for one tenant share one store read (single flight).
/// When a refresh gets no answer, the old value keeps serving for a bounded time; an authoritative answer (not found,
/// disabled, refused) replaces it at once, and so does a refresh that saw the latest version disabled before failing,
/// unless the cached value is itself an older version served because the latest was disabled.
/// </summary>
internal sealed partial class TenantApiKeyProvider : ITenantApiKeyProvider, IDisposable
{
    /// <summary>
    /// One slot per tenant whatever the casing: Key Vault names are case-insensitive, so "Contoso" and "contoso" are one
    /// secret and must be one cache entry (one read, one invalidation). The slot keeps the portal's lower-case form.
    /// </summary>
    private readonly ConcurrentDictionary<string, TenantSlot> _slots = new(StringComparer.OrdinalIgnoreCase);
    private readonly IKeyStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _ttl;
    private readonly long _negativeTtl;
    private readonly long _maxStaleness;
    private readonly long _invalidationCooldown;
    private readonly TimeSpan _refreshWaitLimit;
    private readonly TimeSpan _maxStalenessSpan;
    private readonly CancellationTokenSource _disposing = new();
    private readonly SemaphoreSlim _reads;

    /// <summary>When a read last failed for any tenant (an outage or throttling is vault-wide), or <see cref="long.MinValue"/>.</summary>
    private long _storeFailedAt = long.MinValue;

    public TenantApiKeyProvider(IKeyStore store, TenantApiKeyReaderOptions options, TimeProvider time, ILogger<TenantApiKeyProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _time = time;
        _logger = logger;
        _ttl = Ticks(options.CacheTtl);
        _negativeTtl = Ticks(options.NegativeCacheTtl);
        _maxStaleness = Ticks(options.MaxStaleness);
        _invalidationCooldown = Ticks(options.InvalidationCooldown);
        _refreshWaitLimit = options.RefreshWaitLimit;
        _maxStalenessSpan = options.MaxStaleness;
        _reads = new SemaphoreSlim(options.MaxConcurrentReads, options.MaxConcurrentReads);
    }

    public Task<TenantApiKey> GetApiKeyAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        // The hot path: an id found in the cache was validated when its slot was made.
        if (tenantId is not null && _slots.TryGetValue(tenantId, out var slot)
            && slot.Entry is { Task: { } cached } entry && _time.GetTimestamp() < entry.FreshUntil)
        {
            return cached;
        }

        TenantIds.ThrowIfInvalid(tenantId);
        return GetOrRefreshAsync(tenantId, cancellationToken);
    }

    public void Invalidate(string tenantId)
    {
        TenantIds.ThrowIfInvalid(tenantId);
        if (!_slots.TryGetValue(tenantId, out var slot))
        {
            return;
        }

        lock (slot)
        {
            if (slot.Entry is { } entry && _time.GetTimestamp() - entry.ReadAt >= _invalidationCooldown)
            {
                slot.Entry = null;
                LogInvalidated(_logger, tenantId, entry.Key?.Version);
            }
        }
    }

    public void Dispose()
    {
        _disposing.Cancel();
        _disposing.Dispose();
        _reads.Dispose();
        (_store as IDisposable)?.Dispose();
    }

    private async Task<TenantApiKey> GetOrRefreshAsync(string tenantId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var slot = _slots.GetOrAdd(tenantId, static id => new TenantSlot(id.ToLowerInvariant()));
        TaskCompletionSource<CacheEntry>? started = null;
        Task<CacheEntry> flight;
        CacheEntry? fallback;
        bool failing;
        lock (slot)
        {
            var now = _time.GetTimestamp();
            var entry = slot.Entry;
            if (entry is not null && now < entry.FreshUntil)
            {
                return entry.Resolve(slot);
            }

            fallback = entry is { Key: not null } && now - entry.ReadAt <= _maxStaleness ? entry : null;
            var storeFailedAt = Volatile.Read(ref _storeFailedAt);
            failing = slot.FailingSince is not null || (storeFailedAt != long.MinValue && now - storeFailedAt < _negativeTtl);
            if (slot.Flight is null)
            {
                started = new TaskCompletionSource<CacheEntry>(TaskCreationOptions.RunContinuationsAsynchronously);
                slot.Flight = started;
            }

            flight = slot.Flight.Task;
        }

        if (started is not null)
        {
            // Off the caller's thread: whatever the store does synchronously, the wait below stays bounded.
            _ = Task.Run(() => RefreshAsync(slot, started), CancellationToken.None);
        }

        if (fallback is null)
        {
            return (await flight.WaitAsync(cancellationToken)).Resolve(slot);
        }

        if (failing)
        {
            // The store is failing (for this tenant or, lately, any): nobody waits for the retry, the cached value serves meanwhile.
            ServeDuringRefresh(slot, fallback, flight);
            return fallback.Key!;
        }

        try
        {
            return (await flight.WaitAsync(_refreshWaitLimit, _time, cancellationToken)).Resolve(slot);
        }
        catch (TimeoutException)
        {
            if (ServeDuringRefresh(slot, fallback, flight))
            {
                LogSlowRefresh(_logger, slot.TenantId, _refreshWaitLimit, fallback.Key!.Version);
            }

            return fallback.Key!;
        }
    }

    /// <summary>
    /// Until the refresh lands, the hot path serves the cached value to everyone instead of each caller waiting in turn;
    /// never past the staleness limit. False when the refresh has landed meanwhile (or another caller did this).
    /// </summary>
    private bool ServeDuringRefresh(TenantSlot slot, CacheEntry fallback, Task<CacheEntry> flight)
    {
        lock (slot)
        {
            if (slot.Entry != fallback || slot.Flight?.Task != flight)
            {
                return false;
            }

            slot.Entry = CacheEntry.ForValue(fallback.Key!, fallback.Task!, fallback.ReadAt, fallback.ReadAt + _maxStaleness + 1, fallback.LatestDisabled);
            return true;
        }
    }

    private async Task RefreshAsync(TenantSlot slot, TaskCompletionSource<CacheEntry> flight)
    {
        StoreRead read;
        try
        {
            // A cold start misses every tenant at once: a bounded number of reads (and connections) at a time.
            await _reads.WaitAsync(_disposing.Token);
            try
            {
                read = await _store.ReadCurrentAsync(slot.SecretName, _disposing.Token);
            }
            finally
            {
                _reads.Release();
            }
        }
        catch (OperationCanceledException ex) when (_disposing.IsCancellationRequested)
        {
            read = StoreRead.Failed("The key reader is shutting down.", ex);
        }
#pragma warning disable CA1031 // Whatever a store throws, the waiting callers get an answer, never a hung task.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            read = StoreRead.Failed("The store failed unexpectedly.", ex);
        }

        CacheEntry result;
        var now = _time.GetTimestamp();
        Volatile.Write(ref _storeFailedAt, read.Status == StoreReadStatus.Failed ? now : long.MinValue);
        lock (slot)
        {
            result = Apply(slot, read, now);
            slot.Flight = null;
        }

        flight.SetResult(result);
    }

    /// <summary>Turns a store answer into the slot's next entry, set before anything is logged. Runs under the slot's lock.</summary>
    private CacheEntry Apply(TenantSlot slot, StoreRead read, long now)
    {
        var previous = slot.Entry;
        if (read.Status == StoreReadStatus.Found && read.TaggedTenantId is { } tagged
            && !string.Equals(tagged, slot.TenantId, StringComparison.OrdinalIgnoreCase))
        {
            read = StoreRead.Refused($"The current version is tagged for another tenant ('{tagged}'); it is not served.");
        }

        switch (read.Status)
        {
            case StoreReadStatus.Found:
            {
                // Up to a tenth off the TTL, so that tenants read together (at start-up) do not all expire in the same second.
                var freshUntil = now + _ttl - (long)(Random.Shared.NextDouble() * _ttl / 10);
                // The same version keeps its key object and task: a refresh that changes nothing allocates nothing lasting.
                var entry = previous is { Key: { } same, Task: { } sameTask } && same.Version == read.Version
                    ? CacheEntry.ForValue(same, sameTask, now, freshUntil, read.LatestDisabled)
                    : CacheEntry.ForValue(new TenantApiKey(slot.TenantId, read.Version!, read.Value!), now, freshUntil, read.LatestDisabled);
                var key = entry.Key!;
                slot.Entry = entry;
                if (slot.FailingSince is { } since)
                {
                    var outage = _time.GetElapsedTime(since, now);
                    LogRecovered(_logger, slot.TenantId, outage, key.Version);
                    slot.FailingSince = null;
                }

                var alreadyServingOlder = previous is { LatestDisabled: true, Key: { } kept } && kept.Version == key.Version;
                if (read.LatestDisabled && !alreadyServingOlder)
                {
                    LogServingOlderVersion(_logger, slot.TenantId, key.Version, previous?.Key?.Version);
                }
                else if (previous?.Key is { } old && old.Version != key.Version)
                {
                    LogRotated(_logger, slot.TenantId, old.Version, key.Version);
                }

                return entry;
            }

            case StoreReadStatus.NotFound or StoreReadStatus.Disabled or StoreReadStatus.Refused:
            {
                slot.FailingSince = null;
                var entry = CacheEntry.ForAnswer(read, now, now + _negativeTtl);
                slot.Entry = entry;
                var repeated = previous?.Answer?.Status == read.Status;
                if (read.Status == StoreReadStatus.Disabled && !repeated)
                {
                    LogDisabled(_logger, slot.TenantId, slot.SecretName, previous?.Key?.Version);
                }
                else if (read.Status == StoreReadStatus.Refused && !repeated)
                {
                    LogRefused(_logger, read.Error, slot.TenantId, read.Reason!);
                }

                return entry;
            }

            default:
            {
                var firstFailure = slot.FailingSince is null;
                slot.FailingSince ??= now;
                // The store saw the latest version disabled before failing: a value cached as the latest may be that very
                // version (a restore or a revoke in the portal), so it is not served. One cached as an older version is.
                var mayBeDisabled = read.LatestDisabled && previous is { Key: not null, LatestDisabled: false };
                if (previous?.Key is { } stale && now - previous.ReadAt <= _maxStaleness && !mayBeDisabled)
                {
                    // Serve the old value without asking the store again until the negative TTL passes, never past the limit.
                    var entry = CacheEntry.ForValue(stale, previous.Task!, previous.ReadAt, Math.Min(now + _negativeTtl, previous.ReadAt + _maxStaleness + 1), previous.LatestDisabled);
                    slot.Entry = entry;
                    var age = _time.GetElapsedTime(previous.ReadAt, now);
                    if (firstFailure)
                    {
                        LogServingStale(_logger, read.Error, slot.TenantId, read.Reason!, stale.Version, age, _maxStalenessSpan);
                    }
                    else
                    {
                        LogStillServingStale(_logger, slot.TenantId, read.Reason!, stale.Version, age);
                    }

                    return entry;
                }

                if (mayBeDisabled && previous?.Key is { } perhapsDisabled)
                {
                    LogLatestDisabledNotServed(_logger, read.Error, slot.TenantId, read.Reason!, perhapsDisabled.Version);
                }
                else if (previous?.Key is { } expired)
                {
                    LogStaleLimitReached(_logger, read.Error, slot.TenantId, read.Reason!, expired.Version, _maxStalenessSpan);
                }
                else if (firstFailure)
                {
                    LogFailed(_logger, read.Error, slot.TenantId, read.Reason!);
                }

                // Remembered like a negative answer: during an outage each tenant costs the vault one refresh per
                // NegativeCacheTtl, whether or not it has a value to fall back on.
                var failure = CacheEntry.ForAnswer(read, now, now + _negativeTtl);
                slot.Entry = failure;
                return failure;
            }
        }
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    [LoggerMessage(Level = LogLevel.Information, Message = "API key of tenant {TenantId} rotated: version {OldVersion} replaced by {NewVersion}")]
    private static partial void LogRotated(ILogger logger, string tenantId, string oldVersion, string newVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "API key of tenant {TenantId}: the latest version is disabled in the store; serving version {Version}, the newest enabled one (was {PreviousVersion})")]
    private static partial void LogServingOlderVersion(ILogger logger, string tenantId, string version, string? previousVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cached API key of tenant {TenantId} (version {Version}) invalidated; the next read asks the store")]
    private static partial void LogInvalidated(ILogger logger, string tenantId, string? version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "API key of tenant {TenantId} is disabled in the store ({SecretName}); the cached version {CachedVersion} is no longer served")]
    private static partial void LogDisabled(ILogger logger, string tenantId, string secretName, string? cachedVersion);

    [LoggerMessage(Level = LogLevel.Error, Message = "API key of tenant {TenantId} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, Exception? exception, string tenantId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store unavailable for tenant {TenantId} ({Reason}); serving the cached version {Version}, read {Age} ago, for at most {MaxStaleness} after it was read")]
    private static partial void LogServingStale(ILogger logger, Exception? exception, string tenantId, string reason, string version, TimeSpan age, TimeSpan maxStaleness);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Store still unavailable for tenant {TenantId} ({Reason}); still serving the cached version {Version}, read {Age} ago")]
    private static partial void LogStillServingStale(ILogger logger, string tenantId, string reason, string version, TimeSpan age);

    [LoggerMessage(Level = LogLevel.Error, Message = "Store unavailable for tenant {TenantId} ({Reason}); the cached version {Version} is older than {MaxStaleness} and is no longer served")]
    private static partial void LogStaleLimitReached(ILogger logger, Exception? exception, string tenantId, string reason, string version, TimeSpan maxStaleness);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store unavailable for tenant {TenantId} ({Reason}) after it showed the latest version disabled; the cached version {Version} may be that one and is no longer served")]
    private static partial void LogLatestDisabledNotServed(ILogger logger, Exception? exception, string tenantId, string reason, string version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store unavailable for tenant {TenantId} ({Reason}) and no cached value to serve")]
    private static partial void LogFailed(ILogger logger, Exception? exception, string tenantId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Store available again for tenant {TenantId} after {Duration}; current version {Version}")]
    private static partial void LogRecovered(ILogger logger, string tenantId, TimeSpan duration, string version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refresh of tenant {TenantId}'s API key is taking longer than {Limit}; serving the cached version {Version} meanwhile")]
    private static partial void LogSlowRefresh(ILogger logger, string tenantId, TimeSpan limit, string version);

    private sealed class TenantSlot(string tenantId)
    {
        public string TenantId { get; } = tenantId;

        public string SecretName { get; } = TenantIds.SecretNameOf(tenantId);

        /// <summary>Read without the lock by the hot path; replaced whole, never changed in place.</summary>
        public volatile CacheEntry? Entry;

        /// <summary>The store read in progress, if any. Guarded by the slot's lock.</summary>
        public TaskCompletionSource<CacheEntry>? Flight;

        /// <summary>When the current run of failed refreshes began. Guarded by the slot's lock.</summary>
        public long? FailingSince;
    }

    /// <summary>One answer for one tenant: a value (with its completed task, returned as is on a hit) or why there is none.</summary>
    private sealed class CacheEntry
    {
        private CacheEntry(TenantApiKey? key, Task<TenantApiKey>? task, StoreRead? answer, long readAt, long freshUntil, bool latestDisabled)
        {
            Key = key;
            Task = task;
            Answer = answer;
            ReadAt = readAt;
            FreshUntil = freshUntil;
            LatestDisabled = latestDisabled;
        }

        public TenantApiKey? Key { get; }

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

        public static CacheEntry ForValue(TenantApiKey key, Task<TenantApiKey> task, long readAt, long freshUntil, bool latestDisabled) =>
            new(key, task, null, readAt, freshUntil, latestDisabled);

        public static CacheEntry ForAnswer(StoreRead answer, long readAt, long freshUntil) => new(null, null, answer, readAt, freshUntil, latestDisabled: false);

        public TenantApiKey Resolve(TenantSlot slot)
        {
            if (Key is not null)
            {
                return Key;
            }

            throw Answer!.Status switch
            {
                StoreReadStatus.NotFound => new TenantApiKeyNotFoundException(slot.TenantId, slot.SecretName),
                StoreReadStatus.Disabled => new TenantApiKeyDisabledException(slot.TenantId, slot.SecretName),
                StoreReadStatus.Refused => new TenantApiKeyUnavailableException(slot.TenantId,
                    $"The API key of tenant '{slot.TenantId}' cannot be read: {Answer.Reason}", isTransient: false, Answer.Error),
                _ => new TenantApiKeyUnavailableException(slot.TenantId,
                    $"The API key of tenant '{slot.TenantId}' cannot be read now and no cached value may be served: {Answer.Reason}", isTransient: true, Answer.Error),
            };
        }
    }
}
