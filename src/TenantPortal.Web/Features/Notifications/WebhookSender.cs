using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Infrastructure.Outbound;

namespace TenantPortal.Web.Features.Notifications;

/// <summary>
/// POSTs a signed JSON event to the tenant's webhook through the SSRF-safe outbound client (the same address rules
/// as a probe; the host need not be on the probe allow-list). The body never holds a key.
/// </summary>
public sealed class WebhookSender(OutboundHttpClient http, WebhookSigningKeys signingKeys, TimeProvider time) : INotificationSender
{
    public const string UserAgent = "TenantPortal-Webhooks/1";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public NotificationChannel Channel => NotificationChannel.Webhook;

    public static string EventName(RotationNoticeKind kind) => kind switch
    {
        RotationNoticeKind.Reminder => "key.reminder",
        RotationNoticeKind.Overdue => "key.overdue",
        RotationNoticeKind.Revoked => "key.revoked",
        RotationNoticeKind.Rotated => "key.rotated",
        RotationNoticeKind.PreviousDisabled => "key.previous_disabled",
        RotationNoticeKind.ProbeChanged => "probe.changed",
        RotationNoticeKind.KeyRejected => "key.rejected",
        RotationNoticeKind.PreviousStillUsed => "key.previous_still_used",
        RotationNoticeKind.PreviousKeptWhileUsed => "key.previous_kept_while_used",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown notice kind."),
    };

    /// <summary>
    /// The JSON body: the event, tenant, short version id (null when the notice is about none), due date, lead days, the
    /// moment a key health event is about (<c>since</c>: a rejection incident's first rejection, a previous version's
    /// last use; null for the others, whose <c>dueAt</c> is the due date) and when it happened.
    /// </summary>
    public static string Body(NotificationDelivery delivery, RotationNotice notice)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(notice);
        return JsonSerializer.Serialize(new WebhookEvent(
            delivery.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            EventName(notice.Kind),
            notice.TenantId,
            notice.KeyVersion is { } version ? NotificationTexts.ShortVersion(version) : null,
            IsKeyHealth(notice.Kind) ? null : notice.DueAt?.ToUniversalTime(),
            notice.LeadDays,
            IsKeyHealth(notice.Kind) ? notice.DueAt?.ToUniversalTime() : null,
            notice.CreatedAt.ToUniversalTime()), Json);
    }

    private static bool IsKeyHealth(RotationNoticeKind kind) =>
        kind is RotationNoticeKind.KeyRejected or RotationNoticeKind.PreviousStillUsed or RotationNoticeKind.PreviousKeptWhileUsed;

    public async Task<DeliveryAttempt> SendAsync(OutgoingNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (!Uri.TryCreate(notification.WebhookUrl, UriKind.Absolute, out var url))
        {
            return DeliveryAttempt.Permanent(DeliveryProblem.Of("WebhookRemoved"));
        }

        if (string.IsNullOrEmpty(notification.WebhookSigningKeyProtected))
        {
            return DeliveryAttempt.Permanent(DeliveryProblem.Of("WebhookNoSigningKey"));
        }

        string signingKey;
        try
        {
            signingKey = signingKeys.Unprotect(notification.Notice.TenantId, notification.WebhookSigningKeyProtected);
        }
        catch (CryptographicException)
        {
            return DeliveryAttempt.Permanent(DeliveryProblem.Of("WebhookSigningKeyUnreadable"));
        }

        var body = Body(notification.Delivery, notification.Notice);
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Compute(signingKey, timestamp, body));
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.DeliveryHeader, notification.Delivery.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.EventHeader, EventName(notification.Notice.Kind));

        var response = await http.SendAsync(request, cancellationToken);
        return Interpret(response);
    }

    private static DeliveryAttempt Interpret(OutboundResponse response)
    {
        switch (response.Failure)
        {
            case OutboundFailure.None:
                break;
            case OutboundFailure.NotHttps:
                return DeliveryAttempt.Permanent(DeliveryProblem.Of("WebhookNotHttps"));
            case OutboundFailure.AddressRefused:
                return DeliveryAttempt.Rejected(DeliveryProblem.Outbound(response.Problem!));
            default:
                return DeliveryAttempt.Retry(DeliveryProblem.Outbound(response.Problem!));
        }

        var status = response.StatusCode!.Value;
        var text = "HTTP " + OutboundHttpClient.StatusText(status);
        return status switch
        {
            >= 200 and < 300 => DeliveryAttempt.Delivered(status),
            >= 300 and < 400 => DeliveryAttempt.Rejected(response.RedirectHost is { } host
                ? DeliveryProblem.Of("WebhookRedirectTo", text, host)
                : DeliveryProblem.Of("WebhookRedirect", text), status),
            _ when response.RetryAfter is { } wait => DeliveryAttempt.Retry(RetryAfter(text, wait), status, wait),
            408 or 429 => DeliveryAttempt.Retry(DeliveryProblem.Of("WebhookTryLater", text), status),
            >= 400 and < 500 => DeliveryAttempt.Rejected(DeliveryProblem.Of("WebhookRefused", text), status),
            _ => DeliveryAttempt.Retry(DeliveryProblem.Of("WebhookAnswered", text), status),
        };
    }

    // One whole sentence per unit, so each language words the wait its own way.
    private static DeliveryProblem RetryAfter(string status, TimeSpan wait) => wait switch
    {
        { TotalSeconds: < 120 } => DeliveryProblem.Of("WebhookRetryAfterSeconds", status, (int)wait.TotalSeconds),
        { TotalMinutes: < 120 } => DeliveryProblem.Of("WebhookRetryAfterMinutes", status, (int)wait.TotalMinutes),
        _ => DeliveryProblem.Of("WebhookRetryAfterHours", status, wait.TotalHours.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)),
    };

    private sealed record WebhookEvent(
        string Id,
        string Event,
        string TenantId,
        string? Version,
        DateTimeOffset? DueAt,
        int LeadDays,
        DateTimeOffset? Since,
        DateTimeOffset OccurredAt);
}
