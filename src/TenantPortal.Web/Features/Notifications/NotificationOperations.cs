using TenantPortal.Web.Auth;

namespace TenantPortal.Web.Features.Notifications;

public static class NotificationOperations
{
    /// <summary>Set or clear the webhook URL, generate or rotate its signing key: the tenant's own admin only.</summary>
    public static readonly TenantOperationRequirement ManageWebhook = new(nameof(ManageWebhook), staffMayRead: false);

    /// <summary>See the webhook's host and the delivery log: the tenant's admin, and staff read-only.</summary>
    public static readonly TenantOperationRequirement ViewDeliveries = new(nameof(ViewDeliveries), staffMayRead: true);
}
