using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Notifications;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Support;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.Support;

public sealed class SupportDashboardTests : IAsyncLifetime
{
    private PortalServices _portal = null!;
    private SupportTestBed _bed = null!;

    private SupportService Service => _portal.Get<SupportService>();

    public async Task InitializeAsync()
    {
        _portal = await PortalServices.StartAsync();
        _bed = new SupportTestBed(_portal);
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task GetDashboardAsync_CountsEveryTenantInExactlyOneStatus_AsTheClockMoves()
    {
        await _bed.SeedOneOfEachAsync();

        var day95 = await Service.GetDashboardAsync(TestPersonas.SupportReader, default);

        Assert.Equal(new Dictionary<TenantKeyStatus, int>
        {
            [TenantKeyStatus.Active] = 1, [TenantKeyStatus.DueSoon] = 1, [TenantKeyStatus.Overdue] = 1,
            [TenantKeyStatus.Revoked] = 1, [TenantKeyStatus.NotSet] = 3, [TenantKeyStatus.Offboarded] = 1,
        }, day95!.Counts);
        Assert.Equal(8, day95.TenantCount);

        // Day 135: duesoon-co passed its due date (day 120), active-co reached its first reminder (day 130).
        _portal.Time.Advance(TimeSpan.FromDays(40));
        var day135 = await Service.GetDashboardAsync(TestPersonas.PlatformAdmin, default);

        Assert.Equal(0, day135!.Counts[TenantKeyStatus.Active]);
        Assert.Equal(1, day135.Counts[TenantKeyStatus.DueSoon]);
        Assert.Equal(2, day135.Counts[TenantKeyStatus.Overdue]);
        Assert.Equal(3, day135.Counts[TenantKeyStatus.NotSet]);
    }

    [Fact]
    public async Task GetDashboardAsync_ChartsKeysComingDuePerWeek_AndVersionsStoredPerWeek()
    {
        await _bed.SeedOneOfEachAsync();
        var now = _portal.Time.GetUtcNow();
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);

        var dashboard = await Service.GetDashboardAsync(TestPersonas.SupportReader, default);

        // duesoon-co is due on day 120 at 09:00 (25⅜ days after today's midnight: week 3), active-co on day 160 (week 9);
        // overdue-co's due date has passed and is on no week.
        Assert.Equal([0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0], dashboard!.ComingDue.Select(w => w.Count));
        Assert.Equal(now, dashboard.ComingDue[0].From);
        Assert.Equal(today.AddDays(7), dashboard.ComingDue[0].Before);
        Assert.Equal(today.AddDays(84), dashboard.ComingDue[^1].Before);
        // The last twelve weeks end with today: duesoon-co's key (day 30) in week 2, active-co's (day 70) in week 8; the
        // three stored on day 0 are older.
        Assert.Equal([0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0], dashboard.VersionsStored.Select(w => w.Count));
        Assert.Equal(today.AddDays(1), dashboard.VersionsStored[^1].Before);
        Assert.Equal(today.AddDays(1 - 84), dashboard.VersionsStored[0].From);
    }

    [Fact]
    public async Task GetDashboardAsync_FailingDeliveries_AreThoseGivenUpLately_AndThoseBeingRetried()
    {
        var now = _portal.Time.GetUtcNow();
        await using (var db = _portal.CreateDbContext())
        {
            var notice = new RotationNotice { TenantId = "contoso", StoreVersionId = "v1", Kind = RotationNoticeKind.Reminder, LeadDays = 7, CreatedAt = now.AddDays(-50) };
            db.RotationNotices.Add(notice);
            await db.SaveChangesAsync();
            NotificationDelivery Delivery(string target, NotificationDeliveryStatus status, DateTimeOffset? lastAttempt, string? error, int attempts) => new()
            {
                NoticeId = notice.Id, TenantId = "contoso", Channel = NotificationChannel.Email, Target = target, Status = status,
                CreatedAt = now.AddDays(-50), LastAttemptAt = lastAttempt, LastError = error, Attempts = attempts,
            };
            db.NotificationDeliveries.AddRange(
                Delivery("gave-up@contoso.example", NotificationDeliveryStatus.Failed, now.AddDays(-3), "550 mailbox unavailable", 5),
                Delivery("long-ago@contoso.example", NotificationDeliveryStatus.Failed, now.AddDays(-40), "550 mailbox unavailable", 5),
                Delivery("retrying@contoso.example", NotificationDeliveryStatus.Pending, now.AddMinutes(-10), "Connection refused", 2),
                Delivery("first-try@contoso.example", NotificationDeliveryStatus.Pending, now, null, 1),
                Delivery("queued@contoso.example", NotificationDeliveryStatus.Pending, null, null, 0),
                Delivery("fine@contoso.example", NotificationDeliveryStatus.Delivered, now.AddDays(-1), null, 1));
            await db.SaveChangesAsync();
        }

        var deliveries = (await Service.GetDashboardAsync(TestPersonas.SupportReader, default))!.Deliveries;

        Assert.Equal(1, deliveries.GivenUp);
        Assert.Equal(1, deliveries.Retrying);
        Assert.Equal(["retrying@contoso.example", "gave-up@contoso.example"], deliveries.Latest.Select(d => d.Target));
        Assert.Equal(["Contoso Ltd", "Contoso Ltd"], deliveries.Latest.Select(d => d.TenantName));
        Assert.Equal("Connection refused", deliveries.Latest[0].LastError);
    }

    [Fact]
    public async Task GetDashboardAsync_ReconciliationDrift_CountsVersionsMissingFromTheStoreAndEnabledInItThoughRevoked()
    {
        await _bed.OnboardAsync("drift-co", "Drift Co");
        var revoked = await _bed.SubmitAsync("drift-co", "sk_live_drift_revoked_000001");
        await _bed.RevokeAsync("drift-co", "Leaked");
        // Someone with vault access turns the revoked version back on; another tenant's metadata names a version the store never had.
        await _portal.Get<ISecretStore>().UpdateVersionAsync(SecretName.ForTenant("drift-co"), revoked, new SecretVersionUpdate(Enabled: true), default);
        await using (var db = _portal.CreateDbContext())
        {
            db.ApiKeyVersions.Add(new ApiKeyVersion
            {
                TenantId = "fabrikam", StoreVersionId = "0123456789abcdef0123456789abcdef", Status = ApiKeyVersionStatus.Current,
                CreatedAt = PortalServices.Start, CreatedByName = "Bruno Fabre", MaskedHint = "••••", Fingerprint = "",
            });
            await db.SaveChangesAsync();
        }

        _portal.Time.Advance(TimeSpan.FromMinutes(5));
        await _portal.Get<ApiKeyReconciler>().ReconcileTenantAsync("drift-co", default);
        await _portal.Get<ApiKeyReconciler>().ReconcileTenantAsync("fabrikam", default);

        var drift = (await Service.GetDashboardAsync(TestPersonas.SupportReader, default))!.Drift;

        Assert.Equal((1, 1, 1, 1), (drift.MissingVersions, drift.MissingTenants, drift.EnabledVersions, drift.EnabledTenants));
        Assert.Equal(2, drift.Latest.Count);
        var enabled = Assert.Single(drift.Latest, v => !v.MissingFromStore);
        Assert.Equal(("drift-co", "Drift Co", revoked, ApiKeyVersionStatus.Revoked), (enabled.TenantId, enabled.TenantName, enabled.Version, enabled.Status));
        var missing = Assert.Single(drift.Latest, v => v.MissingFromStore);
        Assert.Equal(("fabrikam", "0123456789abcdef0123456789abcdef"), (missing.TenantId, missing.Version));
    }

    [Fact]
    public async Task GetDashboardAsync_OnAnEmptyFleet_CountsTheSeededTenantsAsNotSet()
    {
        var dashboard = await Service.GetDashboardAsync(TestPersonas.SupportReader, default);

        Assert.Equal(3, dashboard!.Counts[TenantKeyStatus.NotSet]);
        Assert.Equal(3, dashboard.TenantCount);
        Assert.All(dashboard.ComingDue.Concat(dashboard.VersionsStored), w => Assert.Equal(0, w.Count));
        Assert.Equal(SupportService.ChartWeeks, dashboard.ComingDue.Count);
        Assert.Equal((0, 0, 0), (dashboard.Deliveries.GivenUp, dashboard.Deliveries.Retrying, dashboard.Drift.MissingVersions));
    }

    [Fact]
    public async Task GetDashboardAsync_CountsAgreeWithTheFilteredLists()
    {
        await _bed.SeedOneOfEachAsync();

        var dashboard = await Service.GetDashboardAsync(TestPersonas.SupportReader, default);

        foreach (var status in Enum.GetValues<TenantKeyStatus>())
        {
            var page = await Service.GetRotationStatusPageAsync(TestPersonas.SupportReader,
                new RotationStatusQuery(new RotationStatusFilter(Status: status), 100), default);
            Assert.Equal(dashboard!.Counts[status], page!.Items.Count);
            var count = await Service.CountRotationStatusAsync(TestPersonas.SupportReader, new RotationStatusFilter(Status: status), default);
            Assert.Equal((dashboard.Counts[status], false), (count!.Total, count.HasMore));
            Assert.All(page.Items, r => Assert.Equal(status, r.Status));
        }
    }
}
