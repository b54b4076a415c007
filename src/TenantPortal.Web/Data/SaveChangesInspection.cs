using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace TenantPortal.Web.Data;

/// <summary>A check on what a save is about to write: the tracked entries as that save will see them.</summary>
public interface ISaveChangesInspector
{
    void Inspect(DbContext context, IReadOnlyList<EntityEntry> entries);
}

/// <summary>
/// Hands every <see cref="ISaveChangesInspector"/> (the audit trail's append-only guard, the notification wake-up) one
/// list of a save's tracked entries, changes detected once. Each inspector calling <c>ChangeTracker.Entries()</c>
/// itself ran <c>DetectChanges</c> over every tracked row again, and <c>SaveChanges</c> runs it once more after the
/// interceptors: automatic detection stays off from this pass until the save ends (saved, failed or cancelled), so the
/// save writes exactly what the inspectors saw. The interceptors after this one change no entity.
/// </summary>
internal sealed class SaveChangesInspection(IEnumerable<ISaveChangesInspector> inspectors) : SaveChangesInterceptor
{
    private static readonly object Marker = new();
    private readonly ISaveChangesInspector[] _inspectors = [.. inspectors];

    /// <summary>Contexts whose automatic detection this save switched off, to switch back on when it ends.</summary>
    private readonly ConditionalWeakTable<DbContext, object> _suspended = [];

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Inspect(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Inspect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Resume(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Resume(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Resume(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Resume(eventData.Context);
        return Task.CompletedTask;
    }

    public override void SaveChangesCanceled(DbContextEventData eventData) => Resume(eventData.Context);

    public override Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default)
    {
        Resume(eventData.Context);
        return Task.CompletedTask;
    }

    private void Inspect(DbContext? context)
    {
        if (context is null || _inspectors.Length == 0)
        {
            return;
        }

        var tracker = context.ChangeTracker;
        // What SaveChanges will write: with automatic detection it detects first (once here for every inspector, and
        // not again in SaveChanges); without it, it writes only what was detected already. A save that ended without
        // switching detection back on (an exception no interceptor heard of) still counts as automatic.
        if (tracker.AutoDetectChangesEnabled || _suspended.TryGetValue(context, out _))
        {
            tracker.DetectChanges();
            tracker.AutoDetectChangesEnabled = false;
            _suspended.AddOrUpdate(context, Marker);
        }

        try
        {
            var entries = tracker.Entries().ToList();
            foreach (var inspector in _inspectors)
            {
                inspector.Inspect(context, entries);
            }
        }
        catch
        {
            // A refused save (the append-only guard) never reaches SaveChangesFailed.
            Resume(context);
            throw;
        }
    }

    private void Resume(DbContext? context)
    {
        if (context is not null && _suspended.Remove(context))
        {
            context.ChangeTracker.AutoDetectChangesEnabled = true;
        }
    }
}
