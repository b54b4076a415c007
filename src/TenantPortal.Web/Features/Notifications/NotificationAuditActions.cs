namespace TenantPortal.Web.Features.Notifications;

/// <summary>Audit actions of the notification feature. Reasons carry metadata only: never a body, key or URL path.</summary>
public static class NotificationAuditActions
{
    public const string DeliverySucceeded = "Notification.Delivered";
    public const string DeliveryFailed = "Notification.Failed";
    public const string WebhookView = "Webhook.View";
    public const string WebhookUrlSet = "Webhook.UrlSet";
    public const string WebhookUrlCleared = "Webhook.UrlCleared";
    public const string WebhookSigningKeyGenerated = "Webhook.SigningKeyGenerated";
}
