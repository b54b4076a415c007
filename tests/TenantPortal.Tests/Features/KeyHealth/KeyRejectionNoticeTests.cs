using Microsoft.EntityFrameworkCore;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.KeyHealth;
using TenantPortal.Tests.Features.Notifications;
using TenantPortal.Web.Features.Rotation;
using static TenantPortal.Tests.Features.KeyHealth.KeyHealthTestData;

namespace TenantPortal.Tests.Features.KeyHealth;

/// <summary>
/// Rejection incidents and their notices, on both ingestion paths (SQLite's one statement, and the tracked rows SQL
/// Server uses): one notice per version and incident; a report of uses without a rejection ends an incident, and so
/// does a quiet hour (KeyHealth:IncidentQuietPeriod) between two rejections.
/// </summary>
public sealed class KeyRejectionNoticeTests : IAsyncLifetime
{
    private PortalServices _portal = null!;

    public async Task InitializeAsync() => _portal = await PortalServices.StartAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private async Task<List<RotationNotice>> RejectedNoticesAsync()
    {
        await using var db = _portal.CreateDbContext();
        return await db.RotationNotices.AsNoTracking().Where(n => n.Kind == RotationNoticeKind.KeyRejected).OrderBy(n => n.Id).ToListAsync();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Ingest_RejectionsOfTheCurrentKey_OneNoticePerIncident_ASuccessOrAQuietHourStartsTheNext(bool inSql)
    {
        await AddContactsAsync(_portal);
        var version = await SubmitAsync(_portal, "sk_live_incident_0000000000001");
        var t0 = _portal.Time.GetUtcNow();

        await ReportAsync(_portal, Rejected(version, 3, t0.AddMinutes(-2), t0.AddMinutes(-1)), inSql);
        var first = await RejectedNoticesAsync();
        _portal.Time.Advance(TimeSpan.FromMinutes(1));
        await ReportAsync(_portal, Rejected(version, 5, t0.AddSeconds(10), t0.AddSeconds(50)), inSql);
        var sameIncident = await RejectedNoticesAsync();
        var during = (await _portal.Get<KeyHealthService>().GetAsync(TestPersonas.ContosoAdmin, "contoso", default))!.Current!;

        _portal.Time.Advance(TimeSpan.FromMinutes(1));
        await ReportAsync(_portal, Used(version, 4, _portal.Time.GetUtcNow()), inSql);
        var recovered = (await _portal.Get<KeyHealthService>().GetAsync(TestPersonas.ContosoAdmin, "contoso", default))!.Current!;
        _portal.Time.Advance(TimeSpan.FromMinutes(1));
        var t1 = _portal.Time.GetUtcNow();
        await ReportAsync(_portal, Rejected(version, 1, t1, t1), inSql);
        _portal.Time.Advance(TimeSpan.FromMinutes(61));
        var t2 = _portal.Time.GetUtcNow();
        await ReportAsync(_portal, Rejected(version, 2, t2, t2), inSql);

        Assert.Single(first);
        Assert.Single(sameIncident);
        Assert.Equal((true, 8L, t0.AddMinutes(-2)), (during.IsBeingRejected, during.IncidentRejections, during.IncidentStartedAt!.Value));
        Assert.False(recovered.IsBeingRejected);
        var notices = await RejectedNoticesAsync();
        Assert.Equal([(version, 1, t0.AddMinutes(-2)), (version, 2, t1), (version, 3, t2)], notices.Select(n => (n.StoreVersionId, n.LeadDays, n.DueAt!.Value)));

        await using var db = _portal.CreateDbContext();
        var deliveries = await db.NotificationDeliveries.AsNoTracking().Where(d => d.NoticeId == notices[0].Id).ToListAsync();
        Assert.Equal(["email:en:ops@contoso.test", "email:ja:tanaka@contoso.test"],
            deliveries.Select(d => $"{d.Channel.ToString().ToLowerInvariant()}:{d.Language}:{d.Target}").Order());
        var audit = await db.AuditEvents.AsNoTracking().Where(e => e.Action == KeyHealthAuditActions.KeyRejected).OrderBy(e => e.Sequence).ToListAsync();
        Assert.Equal(3, audit.Count);
        Assert.All(audit, e => Assert.Equal(("contoso", "contoso", version), (e.ChainId, e.TenantId, e.KeyVersion)));
        Assert.StartsWith("The backend reported the provider rejecting the current version (incident 1, first rejection ", audit[0].Reason, StringComparison.Ordinal);
        var usage = await db.KeyUsages.AsNoTracking().SingleAsync();
        Assert.Equal((3, 3, 2L, t2), (usage.Incidents, usage.NotifiedIncidents, usage.IncidentRejections, usage.IncidentStartedAt!.Value));
    }

    [Fact]
    public async Task Ingest_RejectionsOfAPreviousVersion_TellNobody_ButTheCurrentOnesDo()
    {
        await AddContactsAsync(_portal);
        var previous = await SubmitAsync(_portal, "sk_live_incident_previous_00001");
        var current = await SubmitAsync(_portal, "sk_live_incident_current_000001");
        var at = _portal.Time.GetUtcNow();

        // A backend's cached copy of the old key, refused after the tenant revoked it at the provider: expected during a rotation.
        await ReportAsync(_portal, Rejected(previous, 4, at.AddMinutes(-1), at));
        var afterPrevious = await RejectedNoticesAsync();
        await ReportAsync(_portal, Rejected(current, 1, at, at));

        Assert.Empty(afterPrevious);
        Assert.Equal([current], (await RejectedNoticesAsync()).Select(n => n.StoreVersionId));
    }

    [Fact]
    public async Task Dispatch_KeyRejected_EmailInTheContactsLanguage_AndASignedWebhookEvent()
    {
        await using var bed = await NotificationTestBed.StartAsync();
        await bed.EnqueueAsync(RotationNoticeKind.KeyRejected);

        var report = await bed.Dispatcher.DispatchDueAsync(default);

        Assert.Equal(3, report.Delivered);
        var mails = await bed.Smtp.WaitForMessagesAsync(2);
        Assert.Equal(
            ["[TenantPortal] Contoso Ltd: the provider is rejecting your API key", "[TenantPortal] Contoso Ltd: プロバイダーがAPIキーを拒否しています"],
            mails.Select(m => m.Subject).Order(StringComparer.Ordinal));
        var hook = Assert.Single(bed.Webhook.Requests);
        Assert.Equal("key.rejected", hook.Header("X-TenantPortal-Event"));
        Assert.StartsWith("sha256=", hook.Header("X-TenantPortal-Signature"), StringComparison.Ordinal);
        using var body = System.Text.Json.JsonDocument.Parse(hook.Body);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, body.RootElement.GetProperty("dueAt").ValueKind);
        Assert.Equal(PortalServices.Start.AddDays(14), body.RootElement.GetProperty("since").GetDateTimeOffset());
    }
}
