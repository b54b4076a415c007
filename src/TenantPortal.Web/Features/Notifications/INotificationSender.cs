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

/// <summary>How one attempt ended. <paramref name="Problem"/> is a keyed text and its arguments, never a body or a key.</summary>
/// <param name="RetryAfter">How long the receiver asked to be left alone (Retry-After), when it said.</param>
public sealed record DeliveryAttempt(DeliveryAttemptOutcome Outcome, int? StatusCode, DeliveryProblem? Problem, TimeSpan? RetryAfter = null)
{
    /// <summary>The problem in English, as the delivery's <c>LastError</c> keeps it.</summary>
    public string? Error => Problem?.English;

    public static DeliveryAttempt Delivered(int? statusCode = null) => new(DeliveryAttemptOutcome.Delivered, statusCode, null);

    public static DeliveryAttempt Retry(DeliveryProblem problem, int? statusCode = null, TimeSpan? retryAfter = null) =>
        new(DeliveryAttemptOutcome.Retry, statusCode, problem, retryAfter);

    public static DeliveryAttempt Rejected(DeliveryProblem problem, int? statusCode = null) => new(DeliveryAttemptOutcome.Rejected, statusCode, problem);

    public static DeliveryAttempt Permanent(DeliveryProblem problem, int? statusCode = null) => new(DeliveryAttemptOutcome.Permanent, statusCode, problem);
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
