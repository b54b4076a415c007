using TenantPortal.Web.Data;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;

namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>One change's unit of work: the tracked tenant and versions, the store as listed, and the moves deferred until demotions are saved.</summary>
public sealed class KeyCommit(PortalDbContext db, Tenant tenant, List<ApiKeyVersion> rows, StoreView store, DateTimeOffset now)
{
    private readonly List<(ApiKeyVersion Row, KeyEvent? Cause)> _afterDemotions = [];

    public PortalDbContext Db { get; } = db;

    public Tenant Tenant { get; } = tenant;

    public List<ApiKeyVersion> Rows { get; } = rows;

    public StoreView Store { get; } = store;

    public DateTimeOffset Now { get; } = now;

    public ApiKeyVersion? Row(string storeVersionId) => Rows.FirstOrDefault(v => v.StoreVersionId == storeVersionId);

    /// <summary>A new Current row, added once the version it replaces is saved as demoted (one Current per tenant is an index).</summary>
    public void AddAfterDemotions(ApiKeyVersion row) => _afterDemotions.Add((row, null));

    /// <summary>Makes <paramref name="row"/> Current once the demotions are saved.</summary>
    public void PromoteAfterDemotions(ApiKeyVersion row, KeyEvent cause) => _afterDemotions.Add((row, cause));

    internal async Task PromoteAsync(CancellationToken cancellationToken)
    {
        if (_afterDemotions.Count == 0)
        {
            return;
        }

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
        await Db.SaveChangesAsync(cancellationToken);
    }

    internal void Promote(ApiKeyVersion row, KeyEvent cause)
    {
        row.MoveTo(cause, ApiKeyVersionStatus.Current, Now);
        row.GraceEndsAt = null;
        row.NextNoticeAt = row.ExpiresAt is { } due ? RotationSchedule.NextNoticeAt(due, Tenant.ReminderLeadDays, Now) : null;
    }
}
