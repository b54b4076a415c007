using TenantPortal.Web.Data;
using TenantPortal.Web.Features.Notifications;
using TenantPortal.Web.Features.Tenants;

namespace TenantPortal.Web.Features.Rotation;

/// <summary>Records what the portal tells a tenant about a key version, and queues its deliveries, in the caller's unit of work.</summary>
public static class RotationNotices
{
    /// <param name="tenant">The tenant with its contacts loaded (an offboarded tenant is told nothing).</param>
    public static RotationNotice Add(
        PortalDbContext db, Tenant tenant, string storeVersionId, RotationNoticeKind kind, int leadDays, DateTimeOffset? dueAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(tenant);
        var notice = new RotationNotice
        {
            TenantId = tenant.Id, StoreVersionId = storeVersionId, Kind = kind, LeadDays = leadDays, DueAt = dueAt, CreatedAt = now,
        };
        db.RotationNotices.Add(notice);
        if (!tenant.IsOffboarded)
        {
            NotificationOutbox.Enqueue(db, tenant, notice, now);
        }

        return notice;
    }

    /// <summary>
    /// Tells the tenant's contacts that its verification probe URL changed. Each change is a notice of its own: its
    /// <see cref="RotationNotice.StoreVersionId"/> is a new change id (<c>probe-…</c>), as the notice is about no key version.
    /// </summary>
    public static RotationNotice ProbeChanged(PortalDbContext db, Tenant tenant, DateTimeOffset now) =>
        Add(db, tenant, ProbeChangePrefix + Guid.NewGuid().ToString("N"), RotationNoticeKind.ProbeChanged, 0, dueAt: null, now);

    public const string ProbeChangePrefix = "probe-";
}
