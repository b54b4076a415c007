using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.Notifications;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Tests.Features.Notifications;

public sealed class NotificationDispatcherTests : IAsyncLifetime
{
    private NotificationTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await NotificationTestBed.StartAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task Enqueue_WithTheNotice_AddsOnePendingDeliveryPerContactAndOneForTheWebhook()
    {
        var (notice, _) = await _bed.EnqueueAsync();

        var deliveries = await _bed.DeliveriesAsync();
        Assert.Equal(3, deliveries.Count);
        Assert.All(deliveries, d =>
        {
            Assert.Equal(notice.Id, d.NoticeId);
            Assert.NotEqual(0, d.NoticeId);
            Assert.Equal(NotificationDeliveryStatus.Pending, d.Status);
            Assert.Equal(PortalServices.Start, d.NextAttemptAt);
            Assert.Equal(0, d.Attempts);
        });
        Assert.Equal(["ops@contoso.test:en", "tanaka@contoso.test:ja"],
            deliveries.Where(d => d.Channel == NotificationChannel.Email).Select(d => $"{d.Target}:{d.Language}").Order());
        // The webhook row keeps the host only: the URL's path and query can hold the receiver's token.
        Assert.Equal(NotificationTestBed.WebhookHost, deliveries.Single(d => d.Channel == NotificationChannel.Webhook).Target);
    }

    [Fact]
    public async Task DispatchDueAsync_SendsEMailInEachContactsLanguageAndASignedWebhook()
    {
        await _bed.EnqueueAsync(RotationNoticeKind.Reminder, leadDays: 14);

        var report = await _bed.Dispatcher.DispatchDueAsync(default);

        Assert.Equal(new DispatchReport(3, 0, 0), report);
        var messages = await _bed.Smtp.WaitForMessagesAsync(2);
        var english = messages.Single(m => m.To.Mailboxes.Single().Address == "ops@contoso.test");
        var japanese = messages.Single(m => m.To.Mailboxes.Single().Address == "tanaka@contoso.test");
        Assert.Equal("[TenantPortal] Contoso Ltd: rotate your API key within 14 days", english.Subject);
        Assert.Contains("version 3f2a9c71", english.TextBody, StringComparison.Ordinal);
        Assert.Contains("9 December 2026", english.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(NotificationTestBed.VersionId, english.TextBody, StringComparison.Ordinal);
        Assert.Equal("[TenantPortal] Contoso Ltd: 14日以内にAPIキーをローテーションしてください", japanese.Subject);
        Assert.Contains("2026年12月9日", japanese.TextBody, StringComparison.Ordinal);
        Assert.Equal("ja", japanese.Body!.Headers["Content-Language"]);
        Assert.Equal("en", english.Body!.Headers["Content-Language"]);
        Assert.Equal("no-reply@portal.test", english.From.Mailboxes.Single().Address);

        var hook = Assert.Single(_bed.Webhook.Requests);
        Assert.Equal("POST", hook.Method);
        Assert.Equal("/hooks/rotation", hook.Path);
        Assert.Equal("?token=abc", hook.Query);
        var timestamp = hook.Header("X-TenantPortal-Timestamp")!;
        Assert.Equal(PortalServices.Start.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), timestamp);
        Assert.Equal(ExpectedSignature(_bed.SigningKey!, timestamp, hook.Body), hook.Header("X-TenantPortal-Signature"));
        var deliveries = await _bed.DeliveriesAsync();
        Assert.Equal(deliveries.Single(d => d.Channel == NotificationChannel.Webhook).Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            hook.Header("X-TenantPortal-Delivery"));
        Assert.StartsWith("application/json", hook.Header("Content-Type"), StringComparison.Ordinal);

        using var body = JsonDocument.Parse(hook.Body);
        Assert.Equal("key.reminder", body.RootElement.GetProperty("event").GetString());
        Assert.Equal("contoso", body.RootElement.GetProperty("tenantId").GetString());
        Assert.Equal("3f2a9c71", body.RootElement.GetProperty("version").GetString());
        Assert.Equal(14, body.RootElement.GetProperty("leadDays").GetInt32());
        Assert.Equal(PortalServices.Start.AddDays(14), body.RootElement.GetProperty("dueAt").GetDateTimeOffset());
        Assert.Equal(PortalServices.Start, body.RootElement.GetProperty("occurredAt").GetDateTimeOffset());

        Assert.All(deliveries, d =>
        {
            Assert.Equal(NotificationDeliveryStatus.Delivered, d.Status);
            Assert.Equal(1, d.Attempts);
            Assert.Equal(PortalServices.Start, d.DeliveredAt);
            Assert.Null(d.NextAttemptAt);
            Assert.Null(d.LastError);
        });
        Assert.Equal(200, deliveries.Single(d => d.Channel == NotificationChannel.Webhook).LastStatusCode);
    }

    [Fact]
    public async Task DispatchDueAsync_NothingDue_SendsNothing()
    {
        Assert.Equal(new DispatchReport(0, 0, 0), await _bed.Dispatcher.DispatchDueAsync(default));
    }

    [Fact]
    public async Task DispatchDueAsync_WebhookFailsTwice_RetriesWithBackOffThenDelivers()
    {
        _bed.Webhook.FailNext(2, 503);
        await _bed.EnqueueAsync();

        await _bed.Dispatcher.DispatchDueAsync(default);
        var hook = await WebhookDeliveryAsync();
        Assert.Equal(NotificationDeliveryStatus.Pending, hook.Status);
        Assert.Equal(1, hook.Attempts);
        Assert.Equal(503, hook.LastStatusCode);
        Assert.Equal("The webhook answered HTTP 503 Service Unavailable.", hook.LastError);
        Assert.Equal(PortalServices.Start.AddMinutes(1), hook.NextAttemptAt);

        // Not due yet: nothing is sent.
        _bed.Portal.Time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(0, (await _bed.Dispatcher.DispatchDueAsync(default)).Attempted);

        _bed.Portal.Time.Advance(TimeSpan.FromSeconds(1));
        await _bed.Dispatcher.DispatchDueAsync(default);
        hook = await WebhookDeliveryAsync();
        Assert.Equal(2, hook.Attempts);
        Assert.Equal(PortalServices.Start.AddMinutes(1 + 5), hook.NextAttemptAt);

        _bed.Portal.Time.Advance(TimeSpan.FromMinutes(5));
        await _bed.Dispatcher.DispatchDueAsync(default);
        hook = await WebhookDeliveryAsync();
        Assert.Equal(NotificationDeliveryStatus.Delivered, hook.Status);
        Assert.Equal(3, hook.Attempts);
        Assert.Null(hook.LastError);
        Assert.Equal(3, _bed.Webhook.Requests.Count);
        // Each attempt is signed afresh with its own timestamp.
        Assert.Equal(3, _bed.Webhook.Requests.Select(r => r.Header("X-TenantPortal-Timestamp")).Distinct().Count());
        Assert.All(_bed.Webhook.Requests, r =>
            Assert.Equal(ExpectedSignature(_bed.SigningKey!, r.Header("X-TenantPortal-Timestamp")!, r.Body), r.Header("X-TenantPortal-Signature")));
    }

    [Fact]
    public async Task DispatchDueAsync_WebhookKeepsFailing_MarksFailedAfterFiveAttemptsAndAudits()
    {
        _bed.Webhook.StatusCode = 500;
        await _bed.EnqueueAsync();

        var waits = new[] { 0, 1, 5, 30, 120 };
        foreach (var minutes in waits)
        {
            _bed.Portal.Time.Advance(TimeSpan.FromMinutes(minutes));
            await _bed.Dispatcher.DispatchDueAsync(default);
        }

        var hook = await WebhookDeliveryAsync();
        Assert.Equal(NotificationDeliveryStatus.Failed, hook.Status);
        Assert.Equal(5, hook.Attempts);
        Assert.Null(hook.NextAttemptAt);
        Assert.Equal(5, _bed.Webhook.Requests.Count);

        _bed.Portal.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, (await _bed.Dispatcher.DispatchDueAsync(default)).Attempted);

        await using var db = _bed.Portal.CreateDbContext();
        var failed = await db.AuditEvents.SingleAsync(e => e.Action == NotificationAuditActions.DeliveryFailed);
        Assert.Equal(AuditOutcome.Failed, failed.Outcome);
        Assert.Equal("contoso", failed.TenantId);
        Assert.Equal(NotificationTestBed.VersionId, failed.KeyVersion);
        Assert.Equal($"Webhook delivery {hook.Id} of notice Reminder (14 days): failed after 5 attempt(s), status 500", failed.Reason);
        Assert.Equal(2, await db.AuditEvents.CountAsync(e => e.Action == NotificationAuditActions.DeliverySucceeded));
    }

    [Theory]
    [InlineData(404)]
    [InlineData(401)]
    [InlineData(410)]
    public async Task DispatchDueAsync_WebhookRefusesWith4xx_GivesUpAfterTwoAttempts(int status)
    {
        _bed.Webhook.StatusCode = status;
        await _bed.EnqueueAsync();

        await _bed.Dispatcher.DispatchDueAsync(default);
        Assert.Equal(NotificationDeliveryStatus.Pending, (await WebhookDeliveryAsync()).Status);
        _bed.Portal.Time.Advance(TimeSpan.FromMinutes(1));
        await _bed.Dispatcher.DispatchDueAsync(default);

        var hook = await WebhookDeliveryAsync();
        Assert.Equal(NotificationDeliveryStatus.Failed, hook.Status);
        Assert.Equal(2, hook.Attempts);
        Assert.Equal(status, hook.LastStatusCode);
        Assert.StartsWith("The webhook refused the notification with HTTP " + status, hook.LastError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(408)]
    public async Task DispatchDueAsync_WebhookThrottles_KeepsRetrying(int status)
    {
        _bed.Webhook.StatusCode = status;
        await _bed.EnqueueAsync();

        await _bed.Dispatcher.DispatchDueAsync(default);
        _bed.Portal.Time.Advance(TimeSpan.FromMinutes(1));
        await _bed.Dispatcher.DispatchDueAsync(default);
        _bed.Portal.Time.Advance(TimeSpan.FromMinutes(5));
        await _bed.Dispatcher.DispatchDueAsync(default);

        var hook = await WebhookDeliveryAsync();
        Assert.Equal(NotificationDeliveryStatus.Pending, hook.Status);
        Assert.Equal(3, hook.Attempts);
    }

    [Theory]
    [InlineData(429, "600", 10 * 60, "asked to wait 10 minutes")] // longer than the 1-minute back-off: honoured
    [InlineData(503, "7200", 2 * 60 * 60, "asked to wait 2 hours")]
    [InlineData(429, "86400", 6 * 60 * 60, "asked to wait 6 hours")] // a day: capped at 6 hours
    [InlineData(429, "5", 60, "asked to wait 5 seconds")] // shorter than the back-off: the back-off stands
    [InlineData(503, "0", 60, "The webhook answered HTTP 503 Service Unavailable.")] // asks for no wait: the back-off, no claim
    public async Task DispatchDueAsync_WebhookAsksToWait_NextTryHonoursRetryAfter(int status, string retryAfter, int expectedSeconds, string error)
    {
        _bed.Webhook.FailNext(1, status, retryAfter);
        await _bed.EnqueueAsync();
        var sentAt = _bed.Portal.Time.GetUtcNow();

        await _bed.Dispatcher.DispatchDueAsync(default);

        var hook = await WebhookDeliveryAsync();
        Assert.Equal(NotificationDeliveryStatus.Pending, hook.Status);
        Assert.Equal(sentAt + TimeSpan.FromSeconds(expectedSeconds), hook.NextAttemptAt);
        Assert.Contains(error, hook.LastError, StringComparison.Ordinal);
        _bed.Portal.Time.Advance(TimeSpan.FromSeconds(expectedSeconds) - TimeSpan.FromSeconds(1));
        await _bed.Dispatcher.DispatchDueAsync(default);
        Assert.Single(_bed.Webhook.Requests); // not before
        _bed.Portal.Time.Advance(TimeSpan.FromSeconds(1));
        await _bed.Dispatcher.DispatchDueAsync(default);
        Assert.Equal(NotificationDeliveryStatus.Delivered, (await WebhookDeliveryAsync()).Status);
    }

    [Fact]
    public async Task DispatchDueAsync_WebhookRetryAfterAsAnHttpDate_IsReadOnThePortalsClock()
    {
        var sentAt = _bed.Portal.Time.GetUtcNow();
        _bed.Webhook.FailNext(1, 503, (sentAt + TimeSpan.FromMinutes(45)).ToString("r", System.Globalization.CultureInfo.InvariantCulture));
        await _bed.EnqueueAsync();

        await _bed.Dispatcher.DispatchDueAsync(default);

        var hook = await WebhookDeliveryAsync();
        Assert.Equal(new DateTimeOffset(sentAt.Year, sentAt.Month, sentAt.Day, sentAt.Hour, sentAt.Minute, sentAt.Second, TimeSpan.Zero) + TimeSpan.FromMinutes(45),
            hook.NextAttemptAt);
    }

    [Fact]
    public async Task DispatchDueAsync_WebhookRedirects_IsNotFollowedAndGivenUp()
    {
        _bed.Dns.Map("elsewhere.test", "127.0.0.1");
        _bed.Webhook.RedirectTo = $"https://elsewhere.test:{_bed.Webhook.Port}/other";
        await _bed.EnqueueAsync();

        await _bed.Dispatcher.DispatchDueAsync(default);
        _bed.Portal.Time.Advance(TimeSpan.FromMinutes(1));
        await _bed.Dispatcher.DispatchDueAsync(default);

        var hook = await WebhookDeliveryAsync();
        Assert.Equal(NotificationDeliveryStatus.Failed, hook.Status);
        Assert.Contains("redirect to elsewhere.test", hook.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain(_bed.Webhook.Requests, r => r.Path == "/other");
    }

    [Fact]
    public async Task DispatchDueAsync_SigningKeyCopiedFromAnotherTenantsRow_IsNotUsed()
    {
        // Fabrikam's admin makes a signing key; someone who can write the database copies its protected form into contoso's row.
        var fabrikamKey = await _bed.Portal.Get<WebhookSettingsService>().GenerateSigningKeyAsync(TestPersonas.FabrikamAdmin, "fabrikam", default);
        Assert.Equal(WebhookChangeOutcome.Saved, fabrikamKey.Outcome);
        await using (var db = _bed.Portal.CreateDbContext())
        {
            var copied = await db.Tenants.Where(t => t.Id == "fabrikam").Select(t => t.WebhookSigningKeyProtected).SingleAsync();
            await db.Tenants.Where(t => t.Id == "contoso").ExecuteUpdateAsync(u => u.SetProperty(t => t.WebhookSigningKeyProtected, copied));
        }

        await _bed.EnqueueAsync();

        await _bed.Dispatcher.DispatchDueAsync(default);

        var hook = await WebhookDeliveryAsync();
        Assert.Equal(NotificationDeliveryStatus.Failed, hook.Status);
        Assert.Equal(1, hook.Attempts);
        Assert.Equal("The webhook signing key cannot be read (the key ring changed, or the key was not made for this tenant): generate a new one on the API key page.",
            hook.LastError);
        Assert.Empty(_bed.Webhook.Requests);
    }

    [Fact]
    public async Task DispatchDueAsync_WebhookHostNowResolvesToAPrivateAddress_IsRefused()
    {
        await _bed.EnqueueAsync();
        _bed.Dns.Map(NotificationTestBed.WebhookHost, "192.168.0.10");

        await _bed.Dispatcher.DispatchDueAsync(default);

        var hook = await WebhookDeliveryAsync();
        Assert.Equal(NotificationDeliveryStatus.Pending, hook.Status);
        Assert.Equal("hooks.contoso.test resolves to a private network address, which the portal never calls.", hook.LastError);
        Assert.Empty(_bed.Webhook.Requests);
        // The row keeps the problem language-neutral too: worded when someone reads it, in their language.
        Assert.Equal("""["Outbound","AddressRefused","hooks.contoso.test","private network"]""", hook.LastErrorCode);
        using (UiCulture.Use("ja"))
        {
            Assert.Equal("hooks.contoso.test は プライベート ネットワーク のアドレスに解決されるため、ポータルからは呼び出しません。",
                DeliveryProblem.Describe(hook.LastErrorCode, hook.LastError));
        }
    }

    [Fact]
    public async Task DispatchDueAsync_WebhookRefusesAndMailServerRefuses_StoreEnglishAndACode_WordedInEitherLanguage()
    {
        _bed.Smtp.Refuse("tanaka@contoso.test");
        _bed.Webhook.StatusCode = 404;
        await _bed.EnqueueAsync();

        await _bed.Dispatcher.DispatchDueAsync(default);

        var deliveries = await _bed.DeliveriesAsync();
        var hook = deliveries.Single(d => d.Channel == NotificationChannel.Webhook);
        var mail = deliveries.Single(d => d.Target == "tanaka@contoso.test");
        Assert.Equal("The webhook refused the notification with HTTP 404 Not Found.", hook.LastError);
        Assert.Equal("""["WebhookRefused","HTTP 404 Not Found"]""", hook.LastErrorCode);
        Assert.Equal("The mail server refused the recipient (SMTP 550).", mail.LastError);
        Assert.Equal("""["EmailRecipientRefused","550"]""", mail.LastErrorCode);
        using (UiCulture.Use("ja"))
        {
            Assert.Equal("Webhook が HTTP 404 Not Found で通知を拒否しました。", DeliveryProblem.Describe(hook.LastErrorCode, hook.LastError));
            Assert.Equal("メール サーバーが宛先を拒否しました (SMTP 550)。", DeliveryProblem.Describe(mail.LastErrorCode, mail.LastError));
        }

        using (UiCulture.Use("en"))
        {
            Assert.Equal(hook.LastError, DeliveryProblem.Describe(hook.LastErrorCode, hook.LastError));
            Assert.Equal(mail.LastError, DeliveryProblem.Describe(mail.LastErrorCode, mail.LastError));
        }
    }

    [Fact]
    public async Task DispatchDueAsync_MailServerRefusesARecipient_GivesUpOnThatOneAfterTwoAttempts()
    {
        _bed.Smtp.Refuse("tanaka@contoso.test");
        await _bed.EnqueueAsync();

        await _bed.Dispatcher.DispatchDueAsync(default);
        _bed.Portal.Time.Advance(TimeSpan.FromMinutes(1));
        await _bed.Dispatcher.DispatchDueAsync(default);

        var deliveries = await _bed.DeliveriesAsync();
        var refused = deliveries.Single(d => d.Target == "tanaka@contoso.test");
        Assert.Equal(NotificationDeliveryStatus.Failed, refused.Status);
        Assert.Equal(550, refused.LastStatusCode);
        Assert.Equal("The mail server refused the recipient (SMTP 550).", refused.LastError);
        Assert.Equal(NotificationDeliveryStatus.Delivered, deliveries.Single(d => d.Target == "ops@contoso.test").Status);
    }

    [Fact]
    public async Task DispatchDueAsync_TwoInstancesAtOnce_SendEachDeliveryOnce()
    {
        for (var i = 0; i < 4; i++)
        {
            await _bed.EnqueueAsync(RotationNoticeKind.Reminder, leadDays: 30 - i);
        }

        await using var first = _bed.Portal.Get<IServiceScopeFactory>().CreateAsyncScope();
        await using var second = _bed.Portal.Get<IServiceScopeFactory>().CreateAsyncScope();
        var reports = await Task.WhenAll(
            first.ServiceProvider.GetRequiredService<NotificationDispatcher>().DispatchDueAsync(default),
            second.ServiceProvider.GetRequiredService<NotificationDispatcher>().DispatchDueAsync(default));

        Assert.Equal(12, reports.Sum(r => r.Delivered));
        Assert.Equal(4, _bed.Webhook.Requests.Count);
        Assert.Equal(4, _bed.Webhook.Requests.Select(r => r.Header("X-TenantPortal-Delivery")).Distinct().Count());
        Assert.Equal(8, (await _bed.Smtp.WaitForMessagesAsync(8)).Count);
        Assert.All(await _bed.DeliveriesAsync(), d => Assert.Equal(1, d.Attempts));
    }

    [Fact]
    public async Task DispatchDueAsync_ClaimedByAnInstanceThatStopped_IsRetriedAfterTheClaimTimeout()
    {
        await _bed.EnqueueAsync();
        var id = (await WebhookDeliveryAsync()).Id;
        // Another instance claimed the row and died before recording an outcome.
        await using (var db = _bed.Portal.CreateDbContext())
        {
            await db.NotificationDeliveries.Where(d => d.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Attempts, 1)
                .SetProperty(d => d.NextAttemptAt, PortalServices.Start.AddMinutes(5)));
        }

        await _bed.Dispatcher.DispatchDueAsync(default);
        Assert.Empty(_bed.Webhook.Requests);

        _bed.Portal.Time.Advance(TimeSpan.FromMinutes(5));
        await _bed.Dispatcher.DispatchDueAsync(default);
        var hook = await WebhookDeliveryAsync();
        Assert.Equal(NotificationDeliveryStatus.Delivered, hook.Status);
        Assert.Equal(2, hook.Attempts);
    }

    [Fact]
    public async Task DispatchDueAsync_EveryKindAndLanguage_NeverCarriesASecretOrHint()
    {
        await using (var db = _bed.Portal.CreateDbContext())
        {
            db.ApiKeyVersions.Add(new Web.Features.ApiKeys.ApiKeyVersion
            {
                TenantId = "contoso", StoreVersionId = NotificationTestBed.VersionId, Status = Web.Features.ApiKeys.ApiKeyVersionStatus.Current,
                CreatedAt = PortalServices.Start, StatusChangedAt = PortalServices.Start, CreatedByName = "Adele Vance",
                MaskedHint = "••••Zq9X", Fingerprint = "0123456789abcdef",
            });
            await db.SaveChangesAsync();
        }

        foreach (var kind in Enum.GetValues<RotationNoticeKind>())
        {
            await _bed.EnqueueAsync(kind, leadDays: 7);
        }

        var report = await _bed.Dispatcher.DispatchDueAsync(default);

        Assert.Equal(27, report.Delivered);
        var texts = (await _bed.Smtp.WaitForMessagesAsync(18)).Select(m => m.Subject + "\n" + m.TextBody)
            .Concat(_bed.Webhook.Requests.Select(r => r.Body)).ToList();
        Assert.Equal(27, texts.Count);
        Assert.All(texts, t =>
        {
            Assert.DoesNotContain("Zq9X", t, StringComparison.Ordinal);
            Assert.DoesNotContain("0123456789abcdef", t, StringComparison.Ordinal);
            Assert.DoesNotContain(_bed.SigningKey!, t, StringComparison.Ordinal);
            Assert.DoesNotContain(NotificationTestBed.VersionId, t, StringComparison.Ordinal);
        });
        Assert.Equal(9, _bed.Smtp.Messages.Count(m => m.Body!.Headers["Content-Language"] == "ja"));
        Assert.Equal(
            ["key.overdue", "key.previous_disabled", "key.previous_kept_while_used", "key.previous_still_used", "key.rejected", "key.reminder", "key.revoked", "key.rotated", "probe.changed"],
            _bed.Webhook.Requests.Select(r => r.Header("X-TenantPortal-Event")).Order());

        var logs = _bed.Portal.Services.GetFakeLogCollector().GetSnapshot();
        Assert.All(logs, r => Assert.DoesNotContain(_bed.SigningKey!, r.Message + r.Exception, StringComparison.Ordinal));
        await using var check = _bed.Portal.CreateDbContext();
        Assert.All(await check.AuditEvents.ToListAsync(), e => Assert.DoesNotContain("/hooks/rotation", e.Reason ?? "", StringComparison.Ordinal));
    }

    private async Task<NotificationDelivery> WebhookDeliveryAsync() =>
        (await _bed.DeliveriesAsync()).Single(d => d.Channel == NotificationChannel.Webhook);

    /// <summary>The receiver's side of the contract, written independently of the portal's code.</summary>
    private static string ExpectedSignature(string key, string timestamp, string body)
    {
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(key));
        return "sha256=" + Convert.ToHexString(hmac.ComputeHash(Encoding.UTF8.GetBytes(timestamp + "." + body))).ToLowerInvariant();
    }
}
