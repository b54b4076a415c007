using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace TenantPortal.Web.Data;

/// <summary>
/// Runs <see cref="Committed"/> once a save that <see cref="Concerns"/> it has committed: right after the save, or,
/// inside an explicit transaction, when that transaction commits (a rollback or a failed save runs nothing). Register
/// the instance as an <see cref="IInterceptor"/> and an <see cref="ISaveChangesInspector"/>, and its
/// <see cref="Transactions"/> as an <see cref="IInterceptor"/>.
/// </summary>
public abstract class AfterCommitInterceptor : SaveChangesInterceptor, ISaveChangesInspector
{
    private static readonly object Marker = new();
    private readonly ConditionalWeakTable<DbContext, object> _afterSave = [];
    private readonly ConditionalWeakTable<DbContext, object> _afterCommit = [];

    public DbTransactionInterceptor Transactions => new CommitWatcher(this);

    /// <summary>Whether the save about to run, with these entries, is one to act on once committed.</summary>
    protected abstract bool Concerns(IReadOnlyList<EntityEntry> entries);

    /// <summary>A save it concerns has committed.</summary>
    protected abstract void Committed();

    public void Inspect(DbContext context, IReadOnlyList<EntityEntry> entries)
    {
        if (Concerns(entries))
        {
            _afterSave.AddOrUpdate(context, Marker);
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
            Committed();
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

    private sealed class CommitWatcher(AfterCommitInterceptor owner) : DbTransactionInterceptor
    {
        public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => OnCommitted(eventData.Context);

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            OnCommitted(eventData.Context);
            return Task.CompletedTask;
        }

        public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => RolledBack(eventData.Context);

        public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            RolledBack(eventData.Context);
            return Task.CompletedTask;
        }

        private void OnCommitted(DbContext? context)
        {
            if (context is not null && owner._afterCommit.Remove(context))
            {
                owner.Committed();
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
