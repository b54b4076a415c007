using TenantPortal.Web.Data;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;

namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>
/// One change's unit of work: the tracked tenant and the versions that can still move, the store as listed, and the
/// moves deferred until demotions are saved. Versions at rest (switched off here, disabled in the store, no drift, no
/// notice due) are not tracked: nothing a change or a settlement does moves them, and a tenant's history grows with
/// every rotation. <see cref="Known"/> still names every version, so none is mistaken for one the database lacks.
/// </summary>
public sealed class KeyCommit(PortalDbContext db, Tenant tenant, List<ApiKeyVersion> rows, IReadOnlySet<string> known, StoreView store, DateTimeOffset now)
{
    private readonly List<(ApiKeyVersion Row, KeyEvent? Cause)> _afterDemotions = [];

    public PortalDbContext Db { get; } = db;

    public Tenant Tenant { get; } = tenant;

    public List<ApiKeyVersion> Rows { get; } = rows;

    /// <summary>Every version the database records for the tenant, tracked or at rest.</summary>
    public IReadOnlySet<string> Known { get; } = known;

    /// <summary>Whether <paramref name="v"/> is at rest with the store as <paramref name="store"/> lists it (see the class summary).</summary>
    public static bool IsAtRest(ApiKeyVersion v, StoreView store)
    {
        ArgumentNullException.ThrowIfNull(v);
        ArgumentNullException.ThrowIfNull(store);
        return store.IsListed && !KeyTransitions.IsLive(v.Status) && v.DisabledInStoreAt is not null && v.NextNoticeAt is null
            && v.MissingFromStoreSince is null && v.StillEnabledInStoreSince is null
            && store.Contains(v.StoreVersionId) && !store.IsEnabled(v.StoreVersionId);
    }

    public StoreView Store { get; } = store;

    public DateTimeOffset Now { get; } = now;

    public ApiKeyVersion? Row(string storeVersionId) => Rows.FirstOrDefault(v => v.StoreVersionId == storeVersionId);

    /// <summary>A new Current row, added once the version it replaces is saved as demoted (one Current per tenant is an index).</summary>
    public void AddAfterDemotions(ApiKeyVersion row) => _afterDemotions.Add((row, null));

    /// <summary>Makes <paramref name="row"/> Current once the demotions are saved.</summary>
    public void PromoteAfterDemotions(ApiKeyVersion row, KeyEvent cause) => _afterDemotions.Add((row, cause));

    /// <summary>
    /// Applies the deferred moves, once the demotions are saved. They are saved with the commit's next save (the
    /// settlement's or the last): nothing between reads them from the database, and a settlement that demotes the
    /// promoted row again saves that instead, so the database never holds two Current rows.
    /// </summary>
    internal void ApplyAfterDemotions()
    {
        foreach (var (row, cause) in _afterDemotions)
        {
            if (cause is { } c)
            {
                Promote(row, c);
            }
            else
            {
                Db.ApiKeyVersions.Add(row);
                Rows.Add(row);
            }
        }

        _afterDemotions.Clear();
    }

    internal void Promote(ApiKeyVersion row, KeyEvent cause)
    {
        row.MoveTo(cause, ApiKeyVersionStatus.Current, Now);
        row.GraceEndsAt = null;
        row.NextNoticeAt = row.ExpiresAt is { } due ? RotationSchedule.NextNoticeAt(due, Tenant.ReminderLeadDays, Now) : null;
    }
}
