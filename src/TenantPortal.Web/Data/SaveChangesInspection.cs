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
/// itself ran <c>DetectChanges</c> over every tracked row again, on top of the pass <c>SaveChanges</c> makes.
/// </summary>
internal sealed class SaveChangesInspection(IEnumerable<ISaveChangesInspector> inspectors) : SaveChangesInterceptor
{
    private readonly ISaveChangesInspector[] _inspectors = [.. inspectors];

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

    private void Inspect(DbContext? context)
    {
        if (context is null || _inspectors.Length == 0)
        {
            return;
        }

        var tracker = context.ChangeTracker;
        var detect = tracker.AutoDetectChangesEnabled;
        // What SaveChanges will write: with automatic detection it detects first (once here for every inspector);
        // without it, it writes only what was detected already.
        if (detect)
        {
            tracker.DetectChanges();
            tracker.AutoDetectChangesEnabled = false;
        }

        try
        {
            var entries = tracker.Entries().ToList();
            foreach (var inspector in _inspectors)
            {
                inspector.Inspect(context, entries);
            }
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = detect;
        }
    }
}
