using Microsoft.EntityFrameworkCore;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.KeyHealth;
using TenantPortal.Web.Infrastructure.Audit;
using static TenantPortal.Tests.Features.KeyHealth.KeyHealthTestData;

namespace TenantPortal.Tests.Features.KeyHealth;

/// <summary>Support's key health lists: staff read them across tenants, keyset paged; a tenant admin gets nothing of any tenant.</summary>
public sealed class KeyHealthSupportServiceTests : IAsyncLifetime
{
    private PortalServices _portal = null!;

    public async Task InitializeAsync() => _portal = await PortalServices.StartAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private KeyHealthSupportService Service => _portal.Get<KeyHealthSupportService>();

    /// <summary>contoso: rejected (and unused since set, so stale too); fabrikam: stale; both set 31 days ago.</summary>
    private async Task<(string Contoso, string Fabrikam)> ArrangeAsync()
    {
        var contoso = await SubmitAsync(_portal, "sk_live_support_health_contoso1");
        var fabrikam = await SubmitAsync(_portal, "sk_live_support_health_fabrikam", "fabrikam");
        _portal.Time.Advance(TimeSpan.FromDays(31));
        var at = _portal.Time.GetUtcNow();
        await ReportAsync(_portal, new KeyUsageEntry("contoso", contoso, 0, null, 14, at.AddMinutes(-20), at));
        return (contoso, fabrikam);
    }

    [Fact]
    public async Task Lists_ForSupportAndPlatformAdmins_CountsAndKeysetPages()
    {
        var (contoso, fabrikam) = await ArrangeAsync();
        var at = _portal.Time.GetUtcNow();

        var counts = await Service.GetCountsAsync(TestPersonas.SupportReader, default);
        var platformCounts = await Service.GetCountsAsync(TestPersonas.PlatformAdmin, default);
        var rejected = await Service.GetPageAsync(TestPersonas.SupportReader, KeyHealthProblem.Rejected, null, 50, default);
        var stale1 = await Service.GetPageAsync(TestPersonas.SupportReader, KeyHealthProblem.Stale, null, 1, default);
        var stale2 = await Service.GetPageAsync(TestPersonas.PlatformAdmin, KeyHealthProblem.Stale, stale1!.NextAfter, 1, default);

        Assert.Equal(new KeyHealthCounts(1, 2, 0), counts);
        Assert.Equal(counts, platformCounts);
        var row = Assert.Single(rejected!.Rows);
        Assert.Equal(("contoso", "Contoso Ltd", contoso, 14L, at.AddMinutes(-20)), (row.TenantId, row.TenantName, row.Version, row.IncidentRejections, row.IncidentStartedAt!.Value));
        Assert.Null(rejected.NextAfter);
        Assert.Equal([("contoso", contoso)], stale1.Rows.Select(r => (r.TenantId, r.Version)));
        Assert.Equal(new KeyHealthCursor("contoso", contoso), stale1.NextAfter);
        Assert.Equal([("fabrikam", fabrikam)], stale2!.Rows.Select(r => (r.TenantId, r.Version)));
        Assert.Null(stale2.NextAfter);
    }

    [Fact]
    public async Task Lists_ASuccessClearsRejected_AUseClearsStale()
    {
        var (contoso, _) = await ArrangeAsync();

        await ReportAsync(_portal, Used(contoso, 3, _portal.Time.GetUtcNow()));

        Assert.Equal(new KeyHealthCounts(0, 1, 0), await Service.GetCountsAsync(TestPersonas.SupportReader, default));
    }

    [Fact]
    public async Task Lists_TenantAdminOrAnonymous_GetNothing_AndTheDenialIsAudited()
    {
        await ArrangeAsync();

        var ownCounts = await Service.GetCountsAsync(TestPersonas.ContosoAdmin, default);
        var ownList = await Service.GetPageAsync(TestPersonas.ContosoAdmin, KeyHealthProblem.Rejected, null, 50, default);
        var otherList = await Service.GetPageAsync(TestPersonas.FabrikamAdmin, KeyHealthProblem.Rejected, null, 50, default);
        var anonymous = await Service.GetPageAsync(TestPersonas.Anonymous, KeyHealthProblem.Stale, null, 50, default);

        Assert.Null(ownCounts);
        Assert.Null(ownList);
        Assert.Null(otherList);
        Assert.Null(anonymous);
        await using var db = _portal.CreateDbContext();
        var denials = await db.AuditEvents.AsNoTracking()
            .Where(e => e.Action == KeyHealthAuditActions.SupportViewed && e.Outcome == AuditOutcome.Denied && e.ChainId == AuditChains.Platform)
            .Select(e => e.Reason).ToListAsync();
        Assert.Contains("Not permitted: key health counts", denials);
        Assert.Contains("Not permitted: key health list", denials);
        Assert.True(denials.Count >= 3, string.Join(", ", denials));
    }
}
