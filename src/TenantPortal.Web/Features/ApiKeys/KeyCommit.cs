using TenantPortal.Web.Data;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;

namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>
/// One change's unit of work: the tracked tenant and the versions that can still move, the store as listed, and the
/// moves deferred until after the demotions. Versions at rest (see <see cref="IsAtRest"/>) are not tracked: nothing a
/// change or a settlement does moves them, and a tenant's history grows with every rotation (as does the number of
/// superseded versions still enabled while they wait for the rotation monitor). <see cref="Known"/> still names every
/// version, so none is mistaken for one the database lacks.
/// </summary>
public sealed class KeyCommit(PortalDbContext db, Tenant tenant, List<ApiKeyVersion> rows, IReadOnlySet<string> known, StoreView store, DateTimeOffset now)
{
    private readonly List<(ApiKeyVersion Row, KeyEvent? Cause)> _afterDemotions = [];

    public PortalDbContext Db { get; } = db;

    public Tenant Tenant { get; } = tenant;

    public List<ApiKeyVersion> Rows { get; } = rows;

    /// <summary>Every version the database records for the tenant, tracked or at rest.</summary>
    public IReadOnlySet<string> Known { get; } = known;

    /// <summary>
    /// Of <paramref name="all"/> the tenant's versions, those a change or a settlement against <paramref name="store"/>
    /// can move: every one not at rest, the one the store would serve among them (a settlement may make it Current)
    /// and the one a change names.
    /// </summary>
    public static List<ApiKeyVersion> ThatCanMove(IReadOnlyList<ApiKeyVersion> all, StoreView store, string? named)
    {
        ArgumentNullException.ThrowIfNull(all);
        ArgumentNullException.ThrowIfNull(store);
        // The settlement's rule for what is served, over the recorded versions. A change or a settlement only adds to
        // these candidates (a new version, one found in the store) or removes ones the store shows disabled, so a
        // version that is not the newest of them now cannot be served at the end of the commit either.
        var servable = all.Where(v => v.IsEnabledInStore && v.MissingFromStoreSince is null && store.IsEnabled(v.StoreVersionId))
            .MaxBy(v => (store.CreatedOn(v.StoreVersionId), v.CreatedAt, store.Position(v.StoreVersionId)));
        return all.Where(v => ReferenceEquals(v, servable) || v.StoreVersionId == named || !IsAtRest(v, store)).ToList();
    }

    /// <summary>
    /// Whether the store as <paramref name="store"/> lists it agrees with everything the row says, so that neither a
    /// change nor a settlement moves <paramref name="v"/> (unless it is the version the store serves, which
    /// <see cref="ThatCanMove"/> keeps): switched off here and there (Disabled, Revoked, or a Superseded one whose grace is
    /// over), with no drift flagged and no notice due; or Superseded, enabled here and in the store with its grace end set,
    /// waiting for the rotation monitor. One the store lists otherwise (disabled, re-enabled, missing) is not at rest.
    /// </summary>
    public static bool IsAtRest(ApiKeyVersion v, StoreView store)
    {
        ArgumentNullException.ThrowIfNull(v);
        ArgumentNullException.ThrowIfNull(store);
        if (!store.IsListed || !store.Contains(v.StoreVersionId) || v.MissingFromStoreSince is not null || v.StillEnabledInStoreSince is not null)
        {
            return false;
        }

        var enabledThere = store.IsEnabled(v.StoreVersionId);
        return v.Status switch
        {
            ApiKeyVersionStatus.Disabled or ApiKeyVersionStatus.Revoked => !enabledThere && v.DisabledInStoreAt is not null && v.NextNoticeAt is null,
            ApiKeyVersionStatus.Superseded when v.DisabledInStoreAt is not null => !enabledThere && v.GraceEndsAt is null && v.NextNoticeAt is null,
            ApiKeyVersionStatus.Superseded => enabledThere && v.GraceEndsAt is not null,
            _ => false,
        };
    }

    public StoreView Store { get; } = store;

    public DateTimeOffset Now { get; } = now;

    public ApiKeyVersion? Row(string storeVersionId) => Rows.FirstOrDefault(v => v.StoreVersionId == storeVersionId);

    /// <summary>
    /// A new Current row, added after the demotions (one Current per tenant is a unique index). It may be saved in the
    /// same save as the demotions: EF Core runs a table's updates before its inserts when nothing else orders them
    /// (<c>ModificationCommandComparer</c>: by table, then entity state), so the row it replaces is no longer Current
    /// when it is inserted (<c>OneCurrentPerTenantTests</c> pins that order against the index).
    /// </summary>
    public void AddAfterDemotions(ApiKeyVersion row) => _afterDemotions.Add((row, null));

    /// <summary>Whether a recorded version is to become Current: its update needs the demotions saved first.</summary>
    internal bool PromotesRecordedVersion => _afterDemotions.Exists(m => m.Cause is not null);

    /// <summary>Makes <paramref name="row"/> Current once the demotions are saved.</summary>
    public void PromoteAfterDemotions(ApiKeyVersion row, KeyEvent cause) => _afterDemotions.Add((row, cause));

    /// <summary>
    /// Applies the deferred moves, after the demotions (saved first when a recorded version is promoted, see
    /// <see cref="PromotesRecordedVersion"/>). They are saved with the commit's next save (the settlement's or the last):
    /// nothing between reads them from the database, and a settlement that demotes the promoted row again saves that
    /// instead, so the database never holds two Current rows.
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
