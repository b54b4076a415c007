using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.Infrastructure.Telemetry;

namespace TenantPortal.Web.Features.Notifications;

public sealed record DispatchReport(int Delivered, int Retrying, int Failed)
{
    public int Attempted => Delivered + Retrying + Failed;
}

/// <summary>
/// Sends pending deliveries that are due, in small batches. Each row is claimed with an optimistic update (its
/// attempt count moves on and it is hidden for <see cref="NotificationDispatchOptions.ClaimTimeout"/>) before it is
/// sent, so two portal instances never send the same delivery at once. Failures are retried with back-off
/// (1 min, 5 min, 30 min, 2 h) up to <see cref="NotificationDispatchOptions.MaxAttempts"/>; a receiver's refusal is
/// given up after <see cref="NotificationDispatchOptions.RejectedAttemptLimit"/> attempts. Final outcomes are audited
/// as metadata.
/// </summary>
public sealed partial class NotificationDispatcher(
    IDbContextFactory<PortalDbContext> contexts,
    IEnumerable<INotificationSender> senders,
    AuditTrail audit,
    TimeProvider time,
    IOptions<NotificationDispatchOptions> options,
    PortalMetrics metrics,
    ILogger<NotificationDispatcher> logger)
{
    public const int ErrorMaxLength = 300;
    private const int MaxBatchesPerRun = 20;

    public async Task<DispatchReport> DispatchDueAsync(CancellationToken cancellationToken)
    {
        int delivered = 0, retrying = 0, failed = 0;
        var batchSize = Math.Max(1, options.Value.BatchSize);
        for (var batch = 0; batch < MaxBatchesPerRun; batch++)
        {
            var now = time.GetUtcNow();
            List<Candidate> due;
            await using (var db = contexts.CreateDbContext())
            {
                due = await db.NotificationDeliveries.AsNoTracking()
                    .Where(d => d.Status == NotificationDeliveryStatus.Pending && d.NextAttemptAt <= now)
                    .OrderBy(d => d.NextAttemptAt).ThenBy(d => d.Id)
                    .Take(batchSize)
                    .Select(d => new Candidate(d.Id, d.Attempts))
                    .ToListAsync(cancellationToken);
            }

            foreach (var candidate in due)
            {
                switch (await DispatchOneAsync(candidate, cancellationToken))
                {
                    case NotificationDeliveryStatus.Delivered: delivered++; break;
                    case NotificationDeliveryStatus.Failed: failed++; break;
                    case NotificationDeliveryStatus.Pending: retrying++; break;
                }
            }

            if (due.Count < batchSize)
            {
                break;
            }
        }

        return new DispatchReport(delivered, retrying, failed);
    }

    /// <summary>Claims, sends and records one delivery; null when another instance claimed it first.</summary>
    private async Task<NotificationDeliveryStatus?> DispatchOneAsync(Candidate candidate, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var attempt = candidate.Attempts + 1;
        var claimedUntil = now + options.Value.ClaimTimeout;
        OutgoingNotification? notification;
        await using (var db = contexts.CreateDbContext())
        {
            var claimed = await db.NotificationDeliveries
                .Where(d => d.Id == candidate.Id && d.Status == NotificationDeliveryStatus.Pending && d.Attempts == candidate.Attempts)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(d => d.Attempts, attempt)
                    .SetProperty(d => d.NextAttemptAt, claimedUntil)
                    .SetProperty(d => d.LastAttemptAt, now), cancellationToken);
            if (claimed == 0)
            {
                return null;
            }

            notification = await (
                from d in db.NotificationDeliveries.AsNoTracking()
                join n in db.RotationNotices.AsNoTracking() on d.NoticeId equals n.Id
                join t in db.Tenants.AsNoTracking() on d.TenantId equals t.Id
                where d.Id == candidate.Id
                select new OutgoingNotification(d, n, t.DisplayName, t.WebhookUrl, t.WebhookSigningKeyProtected))
                .FirstOrDefaultAsync(cancellationToken);
        }

        var result = notification is null
            ? DeliveryAttempt.Permanent(DeliveryProblem.Of("NoticeGone"))
            : await SendAsync(notification, cancellationToken);

        var status = result.Outcome switch
        {
            DeliveryAttemptOutcome.Delivered => NotificationDeliveryStatus.Delivered,
            DeliveryAttemptOutcome.Permanent => NotificationDeliveryStatus.Failed,
            DeliveryAttemptOutcome.Rejected when attempt >= NotificationDispatchOptions.RejectedAttemptLimit => NotificationDeliveryStatus.Failed,
            _ when attempt >= options.Value.MaxAttempts => NotificationDeliveryStatus.Failed,
            _ => NotificationDeliveryStatus.Pending,
        };
        var finishedAt = time.GetUtcNow();
        // The usual back-off, or longer when the receiver asked for it (Retry-After on a 429 or 503).
        var delay = NotificationDispatchOptions.RetryDelayAfter(attempt);
        if (result.RetryAfter is { } retryAfter && retryAfter > delay)
        {
            delay = retryAfter;
        }

        DateTimeOffset? next = status == NotificationDeliveryStatus.Pending ? finishedAt + delay : null;
        DateTimeOffset? deliveredAt = status == NotificationDeliveryStatus.Delivered ? finishedAt : null;
        var error = Bound(result.Error);
        var errorCode = result.Problem?.Code;

        await using (var db = contexts.CreateDbContext())
        {
            // Only while the claim is still ours: a later claim (after ClaimTimeout) has moved Attempts on.
            await db.NotificationDeliveries
                .Where(d => d.Id == candidate.Id && d.Attempts == attempt)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(d => d.Status, status)
                    .SetProperty(d => d.NextAttemptAt, next)
                    .SetProperty(d => d.LastStatusCode, result.StatusCode)
                    .SetProperty(d => d.LastError, error)
                    .SetProperty(d => d.LastErrorCode, errorCode)
                    .SetProperty(d => d.DeliveredAt, deliveredAt), CancellationToken.None);
        }

        if (status != NotificationDeliveryStatus.Delivered)
        {
            metrics.NotificationFailed(notification?.Delivery.Channel.ToString() ?? "unknown", final: status == NotificationDeliveryStatus.Failed);
        }

        if (notification is not null)
        {
            LogAttempt(logger, candidate.Id, notification.Delivery.Channel, attempt, result.Outcome, status);
            if (status != NotificationDeliveryStatus.Pending)
            {
                await AuditOutcomeAsync(notification, attempt, status, result, cancellationToken);
            }
        }

        return status;
    }

    private async Task<DeliveryAttempt> SendAsync(OutgoingNotification notification, CancellationToken cancellationToken)
    {
        var sender = senders.FirstOrDefault(s => s.Channel == notification.Delivery.Channel);
        if (sender is null)
        {
            return DeliveryAttempt.Permanent(DeliveryProblem.Of("NoSender", notification.Delivery.Channel));
        }

        try
        {
            return await sender.SendAsync(notification, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogSenderFailed(logger, ex, notification.Delivery.Id, notification.Delivery.Channel);
            return DeliveryAttempt.Retry(DeliveryProblem.Of("SenderFailed"));
        }
    }

    private Task AuditOutcomeAsync(OutgoingNotification notification, int attempt, NotificationDeliveryStatus status, DeliveryAttempt result, CancellationToken cancellationToken)
    {
        var (delivery, notice) = (notification.Delivery, notification.Notice);
        // Metadata only: which notice, which channel, which attempt, the status code. No body, no address, no URL path.
        var reason = $"{delivery.Channel} delivery {delivery.Id} of notice {notice.Kind}"
            + (notice.LeadDays > 0 ? $" ({notice.LeadDays} days)" : "")
            + (status == NotificationDeliveryStatus.Delivered ? $": delivered on attempt {attempt}" : $": failed after {attempt} attempt(s)")
            + (result.StatusCode is { } code ? $", status {code}" : "");
        return audit.TryAppendAsync(audit.Create(PortalActor.System,
            status == NotificationDeliveryStatus.Delivered ? NotificationAuditActions.DeliverySucceeded : NotificationAuditActions.DeliveryFailed,
            status == NotificationDeliveryStatus.Delivered ? AuditOutcome.Succeeded : AuditOutcome.Failed,
            delivery.TenantId, keyVersion: notice.KeyVersion, reason: reason), cancellationToken);
    }

    private static string? Bound(string? error) => error is { Length: > ErrorMaxLength } ? error[..(ErrorMaxLength - 1)] + "…" : error;

    private sealed record Candidate(long Id, int Attempts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification delivery {DeliveryId} ({Channel}) attempt {Attempt}: {Outcome}, now {Status}")]
    private static partial void LogAttempt(ILogger logger, long deliveryId, NotificationChannel channel, int attempt, DeliveryAttemptOutcome outcome, NotificationDeliveryStatus status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Notification delivery {DeliveryId} ({Channel}) failed unexpectedly; it will be retried")]
    private static partial void LogSenderFailed(ILogger logger, Exception exception, long deliveryId, NotificationChannel channel);
}
