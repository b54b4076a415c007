using Microsoft.EntityFrameworkCore;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Notifications;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Support;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Tests.Features.Support;

public sealed class TenantTimelineTests : IAsyncLifetime
{
    private PortalServices _portal = null!;
    private SupportTestBed _bed = null!;

    private SupportService Service => _portal.Get<SupportService>();

    public async Task InitializeAsync()
    {
        _portal = await PortalServices.StartAsync();
        _bed = new SupportTestBed(_portal);
        await _bed.OnboardAsync("timeline-co", "Timeline Co", "security@timeline.example");
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task GetTimelineAsync_ShowsVersionsNoticesDeliveriesRevocationsSignInsAndDenials_NewestFirst()
    {
        var audit = _portal.Get<AuditTrail>();
        var admin = _bed.AdminOf("timeline-co");
        _portal.Time.Advance(TimeSpan.FromHours(1));
        await audit.AppendAsync(audit.Create(PortalActor.From(admin), AuditActions.SignIn, AuditOutcome.Succeeded, tenantId: null, reason: "Entra ID"), default);
        _portal.Time.Advance(TimeSpan.FromMinutes(1));
        var first = await _bed.SubmitAsync("timeline-co", "sk_live_timeline_first_00001");
        _portal.Time.Advance(TimeSpan.FromDays(61));
        await _portal.Get<RotationMonitor>().SweepAsync(default);
        await _portal.Get<NotificationDispatcher>().DispatchDueAsync(default);
        _portal.Time.Advance(TimeSpan.FromDays(1));
        var second = await _bed.SubmitAsync("timeline-co", "sk_live_timeline_second_0002");
        _portal.Time.Advance(TimeSpan.FromDays(1));
        // Fabrikam's admin tries to read this tenant's key.
        Assert.Null(await _portal.Get<ApiKeyService>().GetOverviewAsync(TestPersonas.FabrikamAdmin, "timeline-co", default));
        _portal.Time.Advance(TimeSpan.FromDays(1));
        await _bed.RevokeAsync("timeline-co", "Pasted into a public issue");

        var result = await Service.GetTimelineAsync(TestPersonas.SupportReader, "timeline-co", null, default);

        var timeline = result!.Timeline!;
        Assert.Equal(("timeline-co", "Timeline Co", TenantKeyStatus.Revoked), (timeline.Tenant.TenantId, timeline.Tenant.TenantName, timeline.Tenant.Status));
        Assert.Null(timeline.Older);
        var entries = timeline.Entries;
        Assert.Equal(entries.OrderByDescending(e => e.At), entries);
        var kinds = entries.Select(e => e.Kind).ToList();
        Assert.Equal(TimelineEntryKind.TenantOnboarded, kinds[^1]);
        Assert.Equal(TimelineEntryKind.SignIn, kinds[^2]);
        Assert.Equal(TimelineEntryKind.KeyStored, kinds[^3]);
        var short1 = first[..8];
        var short2 = second[..8];
        Assert.Equal($"Key stored: version {short1}", entries.Single(e => e.Kind == TimelineEntryKind.KeyStored && e.Title.Contains(short1, StringComparison.Ordinal)).Title);
        Assert.Equal($"Key rotated: version {short2}", entries.Single(e => e.Kind == TimelineEntryKind.KeyStored && e.Title.Contains(short2, StringComparison.Ordinal)).Title);
        Assert.Contains("fingerprint h1:", entries.First(e => e.Kind == TimelineEntryKind.KeyStored).Detail, StringComparison.Ordinal);
        var revoked = entries.Single(e => e.Kind == TimelineEntryKind.KeyRevoked);
        Assert.Equal(($"Key revoked: version {short2}", "Pasted into a public issue", true), (revoked.Title, revoked.Detail, revoked.IsProblem));
        Assert.Contains(entries, e => e.Kind == TimelineEntryKind.Notice && e.Title == "Reminder: rotation due in 30 days");
        Assert.Contains(entries, e => e.Kind == TimelineEntryKind.Notice && e.Title == "Notice: key revoked");
        Assert.Contains(entries, e => e.Kind == TimelineEntryKind.Delivery && e.Title.StartsWith("E-mail to security@timeline.example: delivered", StringComparison.Ordinal));
        var signIn = entries.Single(e => e.Kind == TimelineEntryKind.SignIn);
        Assert.Equal(("Signed in: Custom User", "Tenant.Admin; Entra ID"), (signIn.Title, signIn.Detail));
        var denied = entries.Single(e => e.Kind == TimelineEntryKind.Denied);
        Assert.Equal($"Denied: {AuditActions.ApiKeyView} by Bruno Fabre", denied.Title);
        Assert.Equal("Tenant.Admin; Not permitted: ViewStatus", denied.Detail);
        // The version's own disabling by the revoke is one entry (revoked), not two.
        Assert.DoesNotContain(entries, e => e.Kind == TimelineEntryKind.KeyDisabled && e.Title.Contains(short2, StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Kind == TimelineEntryKind.KeyDisabled && e.Title == $"Version {short1} disabled in the store");
    }

    [Fact]
    public async Task GetTimelineAsync_PagesOlderEntries_WithoutLosingOrRepeatingAny()
    {
        var audit = _portal.Get<AuditTrail>();
        for (var i = 0; i < 70; i++)
        {
            _portal.Time.Advance(TimeSpan.FromSeconds(1));
            // A different outsider each time (each has its own denial budget), all refused.
            var outsider = TestPersonas.With(Guid.NewGuid(), PortalRoles.TenantAdmin);
            Assert.Null(await _portal.Get<ApiKeyService>().GetOverviewAsync(outsider, "timeline-co", default));
        }

        var first = (await Service.GetTimelineAsync(TestPersonas.SupportReader, "timeline-co", null, default))!.Timeline!;
        var second = (await Service.GetTimelineAsync(TestPersonas.SupportReader, "timeline-co", first.Older, default))!.Timeline!;

        Assert.Equal(SupportService.TimelinePageSize, first.Entries.Count);
        Assert.Equal(71 - SupportService.TimelinePageSize, second.Entries.Count);
        Assert.Null(second.Older);
        var all = first.Entries.Concat(second.Entries).ToList();
        Assert.Equal(all.OrderByDescending(e => e.At), all);
        Assert.Equal(70, all.Count(e => e.Kind == TimelineEntryKind.Denied));
        Assert.Equal(70, all.Where(e => e.Kind == TimelineEntryKind.Denied).Select(e => e.At).Distinct().Count());
        Assert.Equal(TimelineEntryKind.TenantOnboarded, all[^1].Kind);
    }

    [Fact]
    public async Task GetTimelineAsync_FirstPage_IsAuditedOnTheTenantsChain_LaterPagesAreNot()
    {
        var first = (await Service.GetTimelineAsync(TestPersonas.SupportReader, "timeline-co", null, default))!;
        await Service.GetTimelineAsync(TestPersonas.SupportReader, "timeline-co", new TimelineCursor(_portal.Time.GetUtcNow(), 0, 0), default);

        Assert.NotNull(first.Timeline);
        await using var db = _portal.CreateDbContext();
        var viewed = await db.AuditEvents.SingleAsync(e => e.Action == SupportAuditActions.TimelineViewed);
        Assert.Equal(("timeline-co", "timeline-co", AuditOutcome.Succeeded, "Sam Support"), (viewed.TenantId, viewed.ChainId, viewed.Outcome, viewed.ActorName));
    }

    [Theory]
    [InlineData("nobody-here", "No tenant has the id \"nobody-here\".")]
    [InlineData("Not A Slug", "No tenant has this id.")]
    public async Task GetTimelineAsync_UnknownTenant_SaysSo(string tenantId, string problem)
    {
        var result = await Service.GetTimelineAsync(TestPersonas.SupportReader, tenantId, null, default);

        Assert.Null(result!.Timeline);
        Assert.Equal(problem, result.Problem);
    }
}
