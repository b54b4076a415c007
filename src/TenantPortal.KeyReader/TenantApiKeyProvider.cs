using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace TenantPortal.KeyReader;

/// <summary>
/// The cache in front of a <see cref="IKeyStore"/>. A hit is a dictionary lookup, a clock read and the return of a
/// completed task kept with the entry: no allocation. Misses for one tenant share one store read (single flight).
/// When a refresh gets no answer, the old value keeps serving for a bounded time; an authoritative answer (not found,
/// disabled, refused) replaces it at once, and so does a refresh that saw the latest version disabled before failing,
/// unless the cached value is itself an older version served because the latest was disabled. With usage reporting on,
/// every served key is counted in its version's cell (one interlocked increment on the hit path) and a background
/// sender reports the counts to the portal. The cache holds at most <see cref="TenantApiKeyReaderOptions.MaxCachedTenants"/>
/// tenants: tenant ids that come from requests must not grow the process's memory (see <see cref="Evict"/>).
/// </summary>
internal sealed partial class TenantApiKeyProvider : ITenantApiKeyProvider, IDisposable, IAsyncDisposable
{
    /// <summary>
    /// One slot per tenant whatever the casing: Key Vault names are case-insensitive, so "Contoso" and "contoso" are one
    /// secret and must be one cache entry (one read, one invalidation). The slot keeps the portal's lower-case form.
    /// </summary>
    private readonly ConcurrentDictionary<string, TenantSlot> _slots = new(StringComparer.OrdinalIgnoreCase);
    private readonly IKeyStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CachePolicy _policy;
    private readonly TimeSpan _refreshWaitLimit;
    private readonly TimeSpan _maxStalenessSpan;
    private readonly CancellationTokenSource _disposing = new();
    private readonly SemaphoreSlim _reads;
    private readonly KeyUsageRecorder? _usage;
    private readonly KeyUsageSender? _sender;
    private readonly int _maxCachedTenants;
    private readonly int _evictDownTo;
    private readonly long _touchInterval;
    private readonly Lock _evicting = new();

    /// <summary>Slots in <see cref="_slots"/>, kept here because <c>ConcurrentDictionary.Count</c> takes every lock.</summary>
    private int _slotCount;

    /// <summary>Slots added, and reads settled over the cap, since the last eviction pass.</summary>
    private int _changesSinceEviction;

    /// <summary>1 while a pass is asked for that no pass has run since (see <see cref="Evict"/>).</summary>
    private int _passWanted;

    /// <summary>When a read last failed for any tenant (an outage or throttling is vault-wide), or <see cref="long.MinValue"/>.</summary>
    private long _storeFailedAt = long.MinValue;

    public TenantApiKeyProvider(
        IKeyStore store, TenantApiKeyReaderOptions options, TimeProvider time, ILogger<TenantApiKeyProvider> logger,
        KeyUsageRecorder? usage = null, KeyUsageSender? sender = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _time = time;
        _logger = logger;
        _policy = CachePolicy.From(options, time.TimestampFrequency);
        _refreshWaitLimit = options.RefreshWaitLimit;
        _maxStalenessSpan = options.MaxStaleness;
        _reads = new SemaphoreSlim(options.MaxConcurrentReads, options.MaxConcurrentReads);
        _usage = usage;
        _sender = sender;
        _maxCachedTenants = options.MaxCachedTenants;
        // Over the cap, a pass evicts a tenth more than needed, so that a flood of new ids costs one pass per tenth of the cap.
        _evictDownTo = options.MaxCachedTenants - (options.MaxCachedTenants / 10);
        _touchInterval = time.TimestampFrequency;
    }

    /// <summary>The usage sender, when reporting is on (for tests).</summary>
    internal KeyUsageSender? Sender => _sender;

    /// <summary>Tenant and version cells in the usage table (for tests).</summary>
    internal int UsageCells => _usage?.Count ?? 0;

    /// <summary>Tenants in the cache, values and answers alike (for tests).</summary>
    internal int CachedTenants => Volatile.Read(ref _slotCount);

    public Task<TenantApiKey> GetApiKeyAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        // The hot path: an id found in the cache was validated when its slot was made.
        if (tenantId is not null && _slots.TryGetValue(tenantId, out var slot)
            && slot.Entry is { Task: { } cached } entry && _time.GetTimestamp() is var now && now < entry.FreshUntil)
        {
            slot.Touch(now, _touchInterval);
            if (entry.Usage is { } usage)
            {
                (usage.Retired ? Reattach(slot, entry) : usage).RecordUse(now);
            }

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
            if (slot.Entry is { } entry && _policy.MayInvalidate(entry, _time.GetTimestamp()))
            {
                slot.Entry = null;
                LogInvalidated(_logger, tenantId, entry.Key?.Version);
            }
        }
    }

    public void ReportRejected(string tenantId, string version)
    {
        TenantIds.ThrowIfInvalid(tenantId);
        KeyVersions.ThrowIfInvalid(version);
        if (_usage is null)
        {
            return;
        }

        var id = _slots.TryGetValue(tenantId, out var slot) ? slot.TenantId : tenantId.ToLowerInvariant();
        if (_usage.RecordRejection(id, version))
        {
            LogRejected(_logger, id, version);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_sender is not null)
        {
            await _sender.DisposeAsync();
        }

        Dispose();
    }

    public void Dispose()
    {
        _sender?.Dispose();
        if (_disposing.IsCancellationRequested)
        {
            return;
        }

        _disposing.Cancel();
        _disposing.Dispose();
        _reads.Dispose();
        (_store as IDisposable)?.Dispose();
    }

    private async Task<TenantApiKey> GetOrRefreshAsync(string tenantId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        TenantSlot slot;
        bool added;
        TaskCompletionSource<CacheEntry>? started = null;
        Task<CacheEntry> flight;
        CacheEntry? entry;
        ReadDecision decision;
        while (true)
        {
            slot = SlotFor(tenantId, out added);
            lock (slot)
            {
                if (slot.Evicted)
                {
                    // Evicted between the lookup and the lock: the tenant's next slot, so that its reads stay one flight.
                    continue;
                }

                var now = _time.GetTimestamp();
                slot.LastUsed = now;
                entry = slot.Entry;
                var storeFailedAt = Volatile.Read(ref _storeFailedAt);
                decision = _policy.OnRead(entry, now, slot.FailingSince, storeFailedAt == long.MinValue ? null : storeFailedAt);
                if (decision == ReadDecision.Serve)
                {
                    return Served(slot, entry!, entry!.Resolve(slot.TenantId, slot.SecretName));
                }

                if (slot.Flight is null)
                {
                    started = new TaskCompletionSource<CacheEntry>(TaskCreationOptions.RunContinuationsAsynchronously);
                    slot.Flight = started;
                }

                flight = slot.Flight.Task;
            }

            break;
        }

        if (started is not null)
        {
            // Off the caller's thread: whatever the store does synchronously, the wait below stays bounded.
            _ = Task.Run(() => RefreshAsync(slot, started), CancellationToken.None);
        }

        if (added)
        {
            // After the flight started: a slot with a read in progress is never evicted, so this one stays.
            MaybeEvict(slot, wait: false);
        }

        if (decision == ReadDecision.AwaitRead)
        {
            var read = await flight.WaitAsync(cancellationToken);
            return Served(slot, read, read.Resolve(slot.TenantId, slot.SecretName));
        }

        var stale = entry!;
        if (decision == ReadDecision.ServeStale)
        {
            ServeDuringRefresh(slot, stale, flight);
            return Served(slot, stale, stale.Key!);
        }

        try
        {
            var refreshed = await flight.WaitAsync(_refreshWaitLimit, _time, cancellationToken);
            return Served(slot, refreshed, refreshed.Resolve(slot.TenantId, slot.SecretName));
        }
        catch (TimeoutException)
        {
            if (ServeDuringRefresh(slot, stale, flight))
            {
                LogSlowRefresh(_logger, slot.TenantId, _refreshWaitLimit, stale.Key!.Version);
            }

            return Served(slot, stale, stale.Key!);
        }
    }

    /// <summary>The tenant's slot, made when missing (<paramref name="added"/>).</summary>
    private TenantSlot SlotFor(string tenantId, out bool added)
    {
        while (true)
        {
            if (_slots.TryGetValue(tenantId, out var slot))
            {
                added = false;
                return slot;
            }

            var created = new TenantSlot(tenantId.ToLowerInvariant(), _time.GetTimestamp());
            if (_slots.TryAdd(tenantId, created))
            {
                Interlocked.Increment(ref _slotCount);
                added = true;
                return created;
            }
        }
    }

    /// <summary>
    /// An eviction pass when the cache is over its cap (once a hundredth of the cap was added or settled since the
    /// last), and otherwise once the slots added since the last pass are a quarter of those held: "not found" answers
    /// past their TTL do not stay for ever, at a cost of a few slot visits per new tenant. One pass at a time; a caller
    /// that finds one running leaves it to run once more. <paramref name="keep"/> (the tenant being read) is not evicted by it.
    /// </summary>
    private void MaybeEvict(TenantSlot keep, bool wait)
    {
        var changes = Interlocked.Increment(ref _changesSinceEviction);
        var count = Volatile.Read(ref _slotCount);
        // Over the cap, a pass per hundredth of the cap added or settled: a burst whose reads are still in progress (which
        // no pass can evict) costs a pass per hundred new ids, not one per id, and the cache is at most a hundredth over between passes.
        if ((count > _maxCachedTenants && changes * 100L >= _maxCachedTenants) || changes * 4L >= count)
        {
            Evict(keep, wait);
        }
    }

    /// <summary>
    /// Removes the slots that hold nothing worth keeping (an answer that is no value and has expired, a value too old to be
    /// served even stale); then, over the cap, down to nine tenths of it: first the slots with no value (not found,
    /// disabled, refused, unreachable), then those whose value has expired, then the least recently used values. A slot
    /// with a read in progress is never evicted (its callers and single flight stay as they are); its usage cell stays
    /// with the recorder, which retires it when idle. An evicted tenant is simply read from the store at its next call.
    /// </summary>
    private void Evict(TenantSlot keep, bool wait)
    {
        // A caller that finds a pass running leaves its request for that pass, which runs once more for it: a read that
        // settles over the cap while the pass that started with it is still scanning is not left over the cap. A read
        // that settled (off the request path, <paramref name="wait"/>) waits for that pass, so that its callers see the
        // cache within its cap; a request adding a tenant does not wait.
        Volatile.Write(ref _passWanted, 1);
        while (Volatile.Read(ref _passWanted) == 1)
        {
            if (wait)
            {
                _evicting.Enter();
            }
            else if (!_evicting.TryEnter())
            {
                return;
            }

            try
            {
                while (Interlocked.Exchange(ref _passWanted, 0) == 1)
                {
                    int evicted;
                    do
                    {
                        Volatile.Write(ref _changesSinceEviction, 0);
                        evicted = EvictOnce(_time.GetTimestamp(), keep);
                    }
                    while (evicted > 0 && Volatile.Read(ref _slotCount) > _maxCachedTenants);
                }
            }
            finally
            {
                _evicting.Exit();
            }
        }
    }

    private int EvictOnce(long now, TenantSlot keep)
    {
        var over = Volatile.Read(ref _slotCount) > _maxCachedTenants;
        var candidates = over ? new List<EvictionCandidate>(Volatile.Read(ref _slotCount)) : null;
        var evicted = 0;
        var inFlight = 0;
        foreach (var (_, slot) in _slots)
        {
            // Read without the slot's lock, as a hint; TryEvict checks again under it.
            if (slot.Flight is not null)
            {
                inFlight++;
                continue;
            }

            if (ReferenceEquals(slot, keep))
            {
                continue;
            }

            var rank = RankOf(slot, now);
            if (rank == EvictionRank.Expired)
            {
                evicted += TryEvict(slot, rank, slot.LastUsed, now) ? 1 : 0;
            }
            else
            {
                candidates?.Add(new EvictionCandidate(rank, slot.LastUsed, slot));
            }
        }

        if (candidates is null)
        {
            return evicted;
        }

        candidates.Sort();
        var count = Volatile.Read(ref _slotCount);
        var excess = count - _evictDownTo;
        // Values only to bring the slots without a read in progress within the cap: a burst of new ids whose reads are
        // still in progress (bounded by the callers in flight, not by the ids) must not evict tenants' fresh keys.
        var settled = count - inFlight;
        var settledOver = settled > _maxCachedTenants;
        foreach (var candidate in candidates)
        {
            if (excess <= 0)
            {
                break;
            }

            if (candidate.Rank is EvictionRank.ExpiredValue or EvictionRank.FreshValue && (!settledOver || settled <= _evictDownTo))
            {
                break; // sorted: only values follow, and the settled slots are within the cap without them
            }

            if (TryEvict(candidate.Slot, candidate.Rank, candidate.LastUsed, now))
            {
                evicted++;
                excess--;
                settled--;
            }
        }

        return evicted;
    }

    /// <summary>Evicts the slot if it is still as ranked: no read in progress, no use since, the same kind of entry.</summary>
    private bool TryEvict(TenantSlot slot, EvictionRank rank, long lastUsed, long now)
    {
        lock (slot)
        {
            if (slot.Evicted || slot.Flight is not null || slot.LastUsed != lastUsed || RankOf(slot, now) != rank)
            {
                return false;
            }

            slot.Evicted = true;
            if (_slots.TryRemove(new KeyValuePair<string, TenantSlot>(slot.TenantId, slot)))
            {
                Interlocked.Decrement(ref _slotCount);
            }

            return true;
        }
    }

    private EvictionRank RankOf(TenantSlot slot, long now) => slot.Entry switch
    {
        null => EvictionRank.NoValue,
        { Key: null } answer when now >= answer.FreshUntil && slot.FailingSince is null => EvictionRank.Expired,
        { Key: null } => EvictionRank.NoValue,
        { } value when now >= value.FreshUntil && now - value.ReadAt > _policy.MaxStaleness => EvictionRank.Expired,
        { } value when now >= value.FreshUntil => EvictionRank.ExpiredValue,
        _ => EvictionRank.FreshValue,
    };

    /// <summary>Counts a key served off the hit path (after a read, stale, or under the slot's lock).</summary>
    private TenantApiKey Served(TenantSlot slot, CacheEntry entry, TenantApiKey key)
    {
        if (entry.Usage is { } usage)
        {
            (usage.Retired ? Reattach(slot, entry) : usage).RecordUse(_time.GetTimestamp());
        }

        return key;
    }

    /// <summary>
    /// The entry's cell was retired (idle for a whole interval): a live one for its version, which the slot's entry
    /// takes if it is still that entry. Off the hit path's usual course: at most once per idle interval per tenant.
    /// </summary>
    private KeyUsageCell Reattach(TenantSlot slot, CacheEntry entry)
    {
        var cell = _usage!.CellFor(slot.TenantId, entry.Key!.Version);
        lock (slot)
        {
            if (ReferenceEquals(slot.Entry, entry))
            {
                slot.Entry = entry.WithUsage(cell);
            }
        }

        return cell;
    }

    /// <summary>
    /// Until the refresh lands, the hot path serves the cached value to everyone instead of each caller waiting in turn.
    /// False when the refresh has landed meanwhile (or another caller did this).
    /// </summary>
    private bool ServeDuringRefresh(TenantSlot slot, CacheEntry stale, Task<CacheEntry> flight)
    {
        lock (slot)
        {
            if (slot.Entry != stale || slot.Flight?.Task != flight)
            {
                return false;
            }

            slot.Entry = _policy.ServedDuringRefresh(stale);
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

        if (Volatile.Read(ref _slotCount) > _maxCachedTenants)
        {
            // Over the cap with this read settled: no pass could evict it while it was in progress (nor a tenant's value
            // to make room for it). Before the callers get the answer, so that they see the cache within its cap; never
            // the tenant just read, which its callers are using.
            MaybeEvict(slot, wait: true);
        }

        flight.SetResult(result);
    }

    /// <summary>Turns a store answer into the slot's next entry, set before anything is logged. Runs under the slot's lock.</summary>
    private CacheEntry Apply(TenantSlot slot, StoreRead read, long now)
    {
        var previous = slot.Entry;
        var failingSince = slot.FailingSince;
        var next = _policy.OnAnswer(slot.TenantId, previous, failingSince, read, now, Random.Shared.NextDouble());
        if (_usage is not null && next.Entry.Key is { } key && next.Entry.Usage is not { Retired: false })
        {
            next = next with { Entry = next.Entry.WithUsage(_usage.CellFor(slot.TenantId, key.Version)) };
        }

        slot.Entry = next.Entry;
        slot.FailingSince = next.FailingSince;
        LogAnswer(slot, next, previous?.Key?.Version, failingSince, now);
        return next.Entry;
    }

    private void LogAnswer(TenantSlot slot, AnswerDecision next, string? cachedVersion, long? failingSince, long now)
    {
        var tenantId = slot.TenantId;
        var read = next.Read;
        var version = next.Entry.Key?.Version;
        if (next.Recovered)
        {
            var outage = _time.GetElapsedTime(failingSince!.Value, now);
            LogRecovered(_logger, tenantId, outage, version!);
        }

        var age = _time.GetElapsedTime(next.Entry.ReadAt, now);
        switch (next.Event)
        {
            case AnswerEvent.Rotated:
                LogRotated(_logger, tenantId, cachedVersion!, version!);
                break;
            case AnswerEvent.ServingOlderVersion:
                LogServingOlderVersion(_logger, tenantId, version!, cachedVersion);
                break;
            case AnswerEvent.Disabled:
                LogDisabled(_logger, tenantId, slot.SecretName, cachedVersion);
                break;
            case AnswerEvent.Refused:
                LogRefused(_logger, read.Error, tenantId, read.Reason!);
                break;
            case AnswerEvent.ServingStale:
                LogServingStale(_logger, read.Error, tenantId, read.Reason!, version!, age, _maxStalenessSpan);
                break;
            case AnswerEvent.StillServingStale:
                LogStillServingStale(_logger, tenantId, read.Reason!, version!, age);
                break;
            case AnswerEvent.LatestDisabledNotServed:
                LogLatestDisabledNotServed(_logger, read.Error, tenantId, read.Reason!, cachedVersion!);
                break;
            case AnswerEvent.StaleLimitReached:
                LogStaleLimitReached(_logger, read.Error, tenantId, read.Reason!, cachedVersion!, _maxStalenessSpan);
                break;
            case AnswerEvent.Failed:
                LogFailed(_logger, read.Error, tenantId, read.Reason!);
                break;
        }
    }

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

    [LoggerMessage(Level = LogLevel.Debug, Message = "API key of tenant {TenantId}, version {Version}: a rejection by the third-party API was counted for the portal")]
    private static partial void LogRejected(ILogger logger, string tenantId, string version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refresh of tenant {TenantId}'s API key is taking longer than {Limit}; serving the cached version {Version} meanwhile")]
    private static partial void LogSlowRefresh(ILogger logger, string tenantId, TimeSpan limit, string version);

    /// <summary>Which slots go first, lowest first.</summary>
    private enum EvictionRank
    {
        /// <summary>Nothing worth keeping: an answer that is no value, expired (outside an outage), or a value too old to serve stale.</summary>
        Expired,

        /// <summary>No value: not found, disabled, refused or unreachable (still remembered), or invalidated.</summary>
        NoValue,

        /// <summary>A value past its TTL, which the next call refreshes anyway.</summary>
        ExpiredValue,

        FreshValue,
    }

    private readonly record struct EvictionCandidate(EvictionRank Rank, long LastUsed, TenantSlot Slot) : IComparable<EvictionCandidate>
    {
        public int CompareTo(EvictionCandidate other) => Rank != other.Rank ? Rank.CompareTo(other.Rank) : LastUsed.CompareTo(other.LastUsed);
    }

    private sealed class TenantSlot(string tenantId, long createdAt)
    {
        public string TenantId { get; } = tenantId;

        public string SecretName { get; } = TenantIds.SecretNameOf(tenantId);

        /// <summary>Read without the lock by the hot path; replaced whole, never changed in place.</summary>
        public volatile CacheEntry? Entry;

        /// <summary>The store read in progress, if any. Guarded by the slot's lock.</summary>
        public TaskCompletionSource<CacheEntry>? Flight;

        /// <summary>When the current run of failed refreshes began. Guarded by the slot's lock.</summary>
        public long? FailingSince;

        /// <summary>
        /// When a caller last asked for the tenant, to the <see cref="Touch"/> interval on the hot path: the eviction's
        /// least-recently-used order. Written without the lock; an eviction checks it under the lock.
        /// </summary>
        public long LastUsed = createdAt;

        /// <summary>Removed from the cache; a caller that took the slot just before retries with the tenant's next one. Guarded by the slot's lock.</summary>
        public bool Evicted;

        /// <summary>A read, and a write at most once per <paramref name="interval"/>: a hot tenant's slot is not written by every hit on every core.</summary>
        public void Touch(long now, long interval)
        {
            if (now - LastUsed >= interval)
            {
                LastUsed = now;
            }
        }
    }
}
