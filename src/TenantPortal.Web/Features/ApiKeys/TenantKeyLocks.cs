using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using TenantPortal.Web.Data;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.ApiKeys;

public sealed class KeyLockOptions
{
    public const string SectionName = "ApiKeys:Lock";

    /// <summary>How long a change waits for another change to the same key to finish before it gives up.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "ApiKeys:Lock:Wait must be between 0 and 1 minute.")]
    public TimeSpan Wait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>When a lock lapses if its holder died; longer than the slowest change (several store calls with retries).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "01:00:00", ErrorMessage = "ApiKeys:Lock:Duration must be between 1 minute and 1 hour.")]
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often a waiter looks again for a lock another instance holds (this instance's releases wake it at once).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10", ErrorMessage = "ApiKeys:Lock:PollInterval must be between 10 ms and 10 seconds.")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);
}

/// <summary>
/// One change at a time to a tenant's key, across portal instances: a lease held on the tenant's own row (holder and
/// expiry columns), taken by one conditional UPDATE, checked again inside the metadata commit (so a holder whose lease
/// lapsed and was taken over cannot commit), and released at the end. No database transaction stays open across the
/// store call, so SQLite's single writer is never held for the seconds a vault call can take.
/// </summary>
public sealed partial class TenantKeyLocks(
    IDbContextFactory<PortalDbContext> contexts, TimeProvider time, IOptions<KeyLockOptions> options, IOptions<SecretStoreOptions> store, ILogger<TenantKeyLocks> logger)
{
    private static readonly string Instance = $"{Environment.MachineName}:{Environment.ProcessId}";
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _released = new(StringComparer.Ordinal);

    /// <summary>Raised when a change starts waiting for another one to the same key (tests wait on it instead of sleeping).</summary>
    public event Action<string>? Waiting;

    public KeyLockOptions Options => options.Value;

    /// <summary>Takes the lock on <paramref name="tenantId"/>'s key, waiting at most <paramref name="wait"/>; null when another change still holds it.</summary>
    public async Task<TenantKeyLock?> AcquireAsync(string tenantId, TimeSpan wait, CancellationToken cancellationToken)
    {
        var holder = $"{Instance}:{Guid.NewGuid():N}";
        var deadline = time.GetUtcNow() + wait;
        var announced = false;
        while (true)
        {
            // Taken before trying, so that a release between the try and the wait still wakes this waiter.
            var released = _released.GetOrAdd(tenantId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            var takenAt = time.GetUtcNow();
            if (await TryTakeAsync(tenantId, holder, cancellationToken))
            {
                return new TenantKeyLock(this, tenantId, holder) { ProvenAt = takenAt };
            }

            var remaining = deadline - time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                return null;
            }

            using var poll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(remaining < options.Value.PollInterval ? remaining : options.Value.PollInterval, time, poll.Token);
            if (!announced)
            {
                // Announced once the poll timer exists, so that a clock moved on this signal reaches it.
                announced = true;
                Waiting?.Invoke(tenantId);
            }

            await Task.WhenAny(released, delay);
            await poll.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// Inside the commit's transaction: renews the lease and proves it is still <paramref name="held"/>'s. False when it
    /// lapsed and another change took it; the caller must then roll back.
    /// </summary>
    public async Task<bool> ConfirmAsync(PortalDbContext db, TenantKeyLock held, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(held);
        var now = time.GetUtcNow();
        var expires = now + options.Value.Duration;
        var confirmed = await db.Tenants
            .Where(t => t.Id == held.TenantId && t.KeyLockHolder == held.Holder)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.KeyLockExpiresAt, expires), cancellationToken) == 1;
        if (confirmed)
        {
            held.ProvenAt = now;
        }

        return confirmed;
    }

    /// <summary>
    /// Inside the commit's transaction, when nothing follows it under the lock: proves the lease is still
    /// <paramref name="held"/>'s and gives it back in the same statement, so the release commits (or rolls back) with the
    /// change and costs no transaction of its own. False when it lapsed and another change took it.
    /// </summary>
    public async Task<bool> ConfirmAndReleaseAsync(PortalDbContext db, TenantKeyLock held, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(held);
        return await db.Tenants
            .Where(t => t.Id == held.TenantId && t.KeyLockHolder == held.Holder)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.KeyLockHolder, (string?)null).SetProperty(t => t.KeyLockExpiresAt, (DateTimeOffset?)null),
                cancellationToken) == 1;
    }

    /// <summary>Before each store call: renews the lease if it is still <paramref name="held"/>'s; false when another change took it.</summary>
    public async Task<bool> RenewAsync(TenantKeyLock held, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return await ConfirmAsync(db, held, cancellationToken);
    }

    /// <summary>
    /// Before a store call: true when <paramref name="held"/> may make it. A lease proven so recently that a call started
    /// now would end (or time out) with a whole further timeout to spare before the lease could lapse needs no renewal:
    /// the same slack as renewing first. Otherwise it is renewed (and proven) first.
    /// </summary>
    public async Task<bool> HoldAsync(TenantKeyLock held, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(held);
        var fresh = options.Value.Duration - 2 * store.Value.OperationTimeout;
        return time.GetUtcNow() - held.ProvenAt < fresh || await RenewAsync(held, cancellationToken);
    }

    private async Task<bool> TryTakeAsync(string tenantId, string holder, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var expires = now + options.Value.Duration;
        await using var db = contexts.CreateDbContext();
        return await db.Tenants
            .Where(t => t.Id == tenantId && (t.KeyLockHolder == null || t.KeyLockExpiresAt == null || t.KeyLockExpiresAt <= now))
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.KeyLockHolder, holder).SetProperty(t => t.KeyLockExpiresAt, expires), cancellationToken) == 1;
    }

    internal async Task ReleaseAsync(TenantKeyLock held)
    {
        try
        {
            if (!held.ReleasedWithCommit)
            {
                await ClearAsync(held);
            }
        }
        catch (Exception ex) when (ex is DbException or RetryLimitExceededException)
        {
            // The lease lapses on its own; the change's own result stands.
            LogReleaseFailed(logger, ex, held.TenantId);
        }
        finally
        {
            if (_released.TryRemove(held.TenantId, out var waiters))
            {
                waiters.TrySetResult();
            }
        }
    }

    private async Task ClearAsync(TenantKeyLock held)
    {
        // Not the caller's token: a cancelled change still gives the lock back.
        await using var db = contexts.CreateDbContext();
        await db.Tenants
            .Where(t => t.Id == held.TenantId && t.KeyLockHolder == held.Holder)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.KeyLockHolder, (string?)null).SetProperty(t => t.KeyLockExpiresAt, (DateTimeOffset?)null),
                CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the key lock on tenant {TenantId}; it lapses on its own")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string tenantId);
}

/// <summary>A held lock on one tenant's key; disposing it releases the lock.</summary>
public sealed class TenantKeyLock : IAsyncDisposable
{
    private readonly TenantKeyLocks _owner;
    private int _released;

    internal TenantKeyLock(TenantKeyLocks owner, string tenantId, string holder)
    {
        _owner = owner;
        TenantId = tenantId;
        Holder = holder;
    }

    public string TenantId { get; }

    public string Holder { get; }

    /// <summary>When the lease was last proven to be this change's (taken, renewed or confirmed).</summary>
    internal DateTimeOffset ProvenAt { get; set; }

    /// <summary>The commit's transaction gave the lease back (<see cref="TenantKeyLocks.ConfirmAndReleaseAsync"/>): disposing only wakes the waiters.</summary>
    internal bool ReleasedWithCommit { get; set; }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            await _owner.ReleaseAsync(this);
        }
    }
}
