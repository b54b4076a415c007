namespace TenantPortal.Web.Features.Notifications;

/// <summary>
/// The delivery log and outbox in one: a notice to send to one e-mail contact or webhook, with its attempts.
/// Rows are created with the notice in one transaction and sent afterwards, so a crash between the two loses nothing.
/// </summary>
public sealed class NotificationDelivery
{
    public long Id { get; init; }

    public long NoticeId { get; init; }

    public required string TenantId { get; init; }

    public NotificationChannel Channel { get; init; }

    /// <summary>The e-mail address, or the webhook URL's host (never its query string).</summary>
    public required string Target { get; init; }

    public string Language { get; init; } = "en";

    public NotificationDeliveryStatus Status { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? NextAttemptAt { get; set; }

    public DateTimeOffset? LastAttemptAt { get; set; }

    public int? LastStatusCode { get; set; }

    /// <summary>The last attempt's problem in English (operators, logs); null once delivered or before a failure.</summary>
    public string? LastError { get; set; }

    /// <summary>
    /// The same problem as a resource key and its arguments (<see cref="DeliveryProblem.Code"/>), worded in the reader's
    /// language when the delivery log is shown; null for rows written before codes, which show <see cref="LastError"/>.
    /// </summary>
    public string? LastErrorCode { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }
}

public enum NotificationChannel
{
    Email,
    Webhook,
}

public enum NotificationDeliveryStatus
{
    Pending,
    Delivered,
    Failed,
}
