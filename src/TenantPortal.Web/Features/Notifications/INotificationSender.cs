using TenantPortal.Web.Features.Rotation;

namespace TenantPortal.Web.Features.Notifications;

/// <summary>Sends one delivery over one channel (e-mail, webhook). The dispatcher records the outcome and retries.</summary>
public interface INotificationSender
{
    NotificationChannel Channel { get; }

    Task<DeliveryAttempt> SendAsync(OutgoingNotification notification, CancellationToken cancellationToken);
}

/// <summary>One delivery to attempt, with what the message needs: no key, no hint.</summary>
public sealed record OutgoingNotification(
    NotificationDelivery Delivery,
    RotationNotice Notice,
    string TenantDisplayName,
    string? WebhookUrl,
    string? WebhookSigningKeyProtected);

/// <summary>How one attempt ended. <paramref name="Error"/> is plain words, never a body or a key.</summary>
/// <param name="RetryAfter">How long the receiver asked to be left alone (Retry-After), when it said.</param>
public sealed record DeliveryAttempt(DeliveryAttemptOutcome Outcome, int? StatusCode, string? Error, TimeSpan? RetryAfter = null)
{
    public static DeliveryAttempt Delivered(int? statusCode = null) => new(DeliveryAttemptOutcome.Delivered, statusCode, null);

    public static DeliveryAttempt Retry(string error, int? statusCode = null, TimeSpan? retryAfter = null) =>
        new(DeliveryAttemptOutcome.Retry, statusCode, error, retryAfter);

    public static DeliveryAttempt Rejected(string error, int? statusCode = null) => new(DeliveryAttemptOutcome.Rejected, statusCode, error);

    public static DeliveryAttempt Permanent(string error, int? statusCode = null) => new(DeliveryAttemptOutcome.Permanent, statusCode, error);
}

public enum DeliveryAttemptOutcome
{
    Delivered,

    /// <summary>Worth trying again later (timeout, 5xx, 408, 429, connection trouble).</summary>
    Retry,

    /// <summary>The receiver refused it (a 4xx, a redirect, a refused recipient): tried once more, then given up.</summary>
    Rejected,

    /// <summary>Cannot succeed as things stand (no webhook URL, no signing key): given up at once.</summary>
    Permanent,
}
