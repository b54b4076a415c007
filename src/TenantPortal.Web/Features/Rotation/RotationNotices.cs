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
}
