using TenantPortal.Web.Data;

namespace TenantPortal.Web.Features.Rotation;

/// <summary>Records what the portal tells a tenant about a key version, in the caller's unit of work.</summary>
public static class RotationNotices
{
    public static RotationNotice Add(
        PortalDbContext db, string tenantId, string storeVersionId, RotationNoticeKind kind, int leadDays, DateTimeOffset? dueAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(db);
        var notice = new RotationNotice
        {
            TenantId = tenantId, StoreVersionId = storeVersionId, Kind = kind, LeadDays = leadDays, DueAt = dueAt, CreatedAt = now,
        };
        db.RotationNotices.Add(notice);
        return notice;
    }
}
