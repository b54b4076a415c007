using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.Notifications;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;

namespace TenantPortal.Tests.Features.Notifications;

/// <summary>
/// The portal's real composition with an SMTP sink, a webhook receiver reachable through the outbound test seam,
/// and contoso set up with two contacts (English and Japanese), a webhook and a signing key.
/// </summary>
public sealed class NotificationTestBed : IAsyncDisposable
{
    public const string WebhookHost = "hooks.contoso.test";
    public const string VersionId = "3f2a9c71d0e84b6f9a1c2d3e4f5a6b7c";

    private NotificationTestBed(PortalServices portal, SmtpSink smtp, HttpsReceiver webhook, StaticDnsResolver dns)
    {
        Portal = portal;
        Smtp = smtp;
        Webhook = webhook;
        Dns = dns;
    }

    public PortalServices Portal { get; }

    public SmtpSink Smtp { get; }

    public HttpsReceiver Webhook { get; }

    public StaticDnsResolver Dns { get; }

    public string? SigningKey { get; private set; }

    public NotificationDispatcher Dispatcher => Portal.Get<NotificationDispatcher>();

    public static async Task<NotificationTestBed> StartAsync(bool withWebhook = true, bool withContacts = true, IDictionary<string, string?>? settings = null)
    {
        var smtp = await SmtpSink.StartAsync();
        var webhook = await HttpsReceiver.StartAsync(WebhookHost);
        var dns = new StaticDnsResolver().Map(WebhookHost, "127.0.0.1");
        var all = new Dictionary<string, string?>
        {
            ["Notifications:Smtp:Host"] = "127.0.0.1",
            ["Notifications:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Notifications:Smtp:UseStartTls"] = "false",
            ["Notifications:Smtp:From"] = "TenantPortal <no-reply@portal.test>",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var portal = await PortalServices.StartAsync(s =>
        {
            OutboundTestSeam.Use(s, dns, webhook);
            s.AddLogging(l => l.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        }, all);
        var bed = new NotificationTestBed(portal, smtp, webhook, dns);
        if (withContacts)
        {
            await using var db = portal.CreateDbContext();
            db.TenantContacts.AddRange(
                new TenantContact { TenantId = "contoso", Email = "ops@contoso.test", Language = ContactLanguages.English },
                new TenantContact { TenantId = "contoso", Email = "tanaka@contoso.test", Language = ContactLanguages.Japanese });
            await db.SaveChangesAsync();
        }

        if (withWebhook)
        {
            var service = portal.Get<WebhookSettingsService>();
            var set = await service.SetUrlAsync(TestPersonas.ContosoAdmin, "contoso", webhook.Url(WebhookHost, "/hooks/rotation?token=abc").ToString(), default);
            Assert.Equal(WebhookChangeOutcome.Saved, set.Outcome);
            var key = await service.GenerateSigningKeyAsync(TestPersonas.ContosoAdmin, "contoso", default);
            bed.SigningKey = key.SigningKey;
        }

        return bed;
    }

    /// <summary>Decides a notice for contoso and queues its deliveries in one save, as the rotation monitor does.</summary>
    public async Task<(RotationNotice Notice, IReadOnlyList<NotificationDelivery> Deliveries)> EnqueueAsync(
        RotationNoticeKind kind = RotationNoticeKind.Reminder, int leadDays = 14)
    {
        var now = Portal.Time.GetUtcNow();
        await using var db = Portal.CreateDbContext();
        var tenant = await db.Tenants.Include(t => t.Contacts).SingleAsync(t => t.Id == "contoso");
        var notice = new RotationNotice
        {
            TenantId = "contoso",
            StoreVersionId = VersionId,
            Kind = kind,
            LeadDays = kind == RotationNoticeKind.Reminder ? leadDays : 0,
            DueAt = now.AddDays(leadDays),
            CreatedAt = now,
        };
        db.RotationNotices.Add(notice);
        var deliveries = NotificationOutbox.Enqueue(db, tenant, notice, now);
        await db.SaveChangesAsync();
        return (notice, deliveries);
    }

    public async Task<List<NotificationDelivery>> DeliveriesAsync()
    {
        await using var db = Portal.CreateDbContext();
        return await db.NotificationDeliveries.AsNoTracking().OrderBy(d => d.Id).ToListAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Portal.DisposeAsync();
        await Webhook.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}
