using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using TenantPortal.Web.Data;

namespace TenantPortal.Web.Features.Notifications;

/// <summary>
/// Wakes this instance's dispatch worker as soon as deliveries are committed, so a notice goes out in seconds rather
/// than at the worker's next interval. Other instances still find them at their own interval (the claim keeps each
/// delivery to one sender).
/// </summary>
public sealed class NotificationWakeUp
{
    private readonly Channel<bool> _signals = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    /// <summary>Asks for a pass; signals that arrive while one is pending are one.</summary>
    public void Signal() => _signals.Writer.TryWrite(true);

    public async Task WaitAsync(CancellationToken cancellationToken) => await _signals.Reader.ReadAsync(cancellationToken);
}

/// <summary>
/// Signals <see cref="NotificationWakeUp"/> when a save that added deliveries has committed: right after the save,
/// or, inside an explicit transaction, when that transaction commits (a rollback signals nothing).
/// </summary>
internal sealed class NotificationWakeUpInterceptor(NotificationWakeUp wakeUp) : SaveChangesInterceptor, ISaveChangesInspector
{
    private static readonly object Marker = new();
    private readonly NotificationWakeUp _wakeUp = wakeUp;
    private readonly ConditionalWeakTable<DbContext, object> _afterSave = [];
    private readonly ConditionalWeakTable<DbContext, object> _afterCommit = [];

    public DbTransactionInterceptor Transactions => new CommitWatcher(this);

    /// <summary>Before the save (<see cref="SaveChangesInspection"/>): whether it adds deliveries.</summary>
    public void Inspect(DbContext context, IReadOnlyList<EntityEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var entry in entries)
        {
            if (entry.Entity is NotificationDelivery && entry.State == EntityState.Added)
            {
                _afterSave.AddOrUpdate(context, Marker);
                return;
            }
        }
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Forget(eventData.Context);

    public override void SaveChangesCanceled(DbContextEventData eventData) => Forget(eventData.Context);

    public override Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private void Saved(DbContext? context)
    {
        if (context is null || !_afterSave.Remove(context))
        {
            return;
        }

        if (context.Database.CurrentTransaction is null)
        {
            _wakeUp.Signal();
        }
        else
        {
            _afterCommit.AddOrUpdate(context, Marker);
        }
    }

    private void Forget(DbContext? context)
    {
        if (context is not null)
        {
            _afterSave.Remove(context);
        }
    }

    private sealed class CommitWatcher(NotificationWakeUpInterceptor owner) : DbTransactionInterceptor
    {
        public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Committed(eventData.Context);

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Committed(eventData.Context);
            return Task.CompletedTask;
        }

        public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => RolledBack(eventData.Context);

        public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            RolledBack(eventData.Context);
            return Task.CompletedTask;
        }

        private void Committed(DbContext? context)
        {
            if (context is not null && owner._afterCommit.Remove(context))
            {
                owner._wakeUp.Signal();
            }
        }

        private void RolledBack(DbContext? context)
        {
            if (context is not null)
            {
                owner._afterCommit.Remove(context);
            }
        }
    }
}
