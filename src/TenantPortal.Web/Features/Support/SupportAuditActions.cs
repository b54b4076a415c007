using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Web.Features.Support;

/// <summary>The support console's audit actions, beside <see cref="AuditActions.SupportOverview"/> (the dashboard and the list).</summary>
public static class SupportAuditActions
{
    public const string Overview = AuditActions.SupportOverview;
    public const string Exported = "Support.RotationStatusExported";
    public const string TimelineViewed = "Support.TimelineViewed";
    public const string KeyLookup = "Support.KeyLookup";
}
