using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Support;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.Support;

public sealed class SupportServiceTests : IAsyncLifetime
{
    private PortalServices _portal = null!;

    private SupportService Service => _portal.Get<SupportService>();

    public async Task InitializeAsync()
    {
        _portal = await PortalServices.StartAsync();
        await using var db = _portal.CreateDbContext();
        for (var i = 0; i < 30; i++)
        {
            db.Tenants.Add(new Tenant { Id = $"bulk-{i:00}", DisplayName = $"Bulk Tenant {i:00}", CreatedAt = PortalServices.Start });
        }

        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task GetRotationStatusPageAsync_PagesInTheDatabase()
    {
        var first = await Service.GetRotationStatusPageAsync(TestPersonas.SupportReader, new RotationStatusQuery(0, 10), default);
        var last = await Service.GetRotationStatusPageAsync(TestPersonas.SupportReader, new RotationStatusQuery(3, 10), default);

        Assert.Equal(33, first!.TotalCount);
        Assert.Equal(10, first.Items.Count);
        Assert.Equal("Bulk Tenant 00", first.Items[0].TenantName);
        Assert.Equal(3, last!.Items.Count);
    }

    [Fact]
    public async Task GetRotationStatusPageAsync_ShowsStatusAgeAndLastRotationWithoutValues()
    {
        await _portal.Get<ApiKeyService>().SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue("sk_live_support_view_0001"), default);
        _portal.Time.Advance(TimeSpan.FromDays(80));

        var page = await Service.GetRotationStatusPageAsync(TestPersonas.SupportReader, new RotationStatusQuery(0, 10, Search: "contoso"), default);

        var row = Assert.Single(page!.Items);
        Assert.Equal(RotationStatus.DueSoon, row.Status);
        Assert.Equal(PortalServices.Start, row.LastRotatedAt);
        Assert.Equal(80, row.KeyAgeDays(_portal.Time.GetUtcNow()));
        Assert.Equal(1, row.VersionCount);
    }

    [Fact]
    public async Task GetRotationStatusPageAsync_SortsByDueDate()
    {
        var keys = _portal.Get<ApiKeyService>();
        await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue("sk_live_support_sort_0001"), default);
        _portal.Time.Advance(TimeSpan.FromDays(5));
        await keys.SubmitApiKeyAsync(TestPersonas.FabrikamAdmin, "fabrikam", new SecretValue("sk_live_support_sort_0002"), default);

        var page = await Service.GetRotationStatusPageAsync(TestPersonas.PlatformAdmin,
            new RotationStatusQuery(0, 2, Sort: RotationStatusSort.DueAt, Descending: true), default);

        Assert.Equal(["fabrikam", "contoso"], page!.Items.Select(r => r.TenantId));
    }

    [Fact]
    public async Task GetRotationStatusPageAsync_TenantAdmin_IsRefusedAndAudited()
    {
        Assert.Null(await Service.GetRotationStatusPageAsync(TestPersonas.ContosoAdmin, new RotationStatusQuery(0, 10), default));
        Assert.Null(await Service.GetRotationStatusPageAsync(TestPersonas.CustomerWithStaffRole(PortalRoles.SupportReader), new RotationStatusQuery(0, 10), default));

        await using var db = _portal.CreateDbContext();
        Assert.Equal(2, db.AuditEvents.Count(e => e.Action == AuditActions.SupportOverview && e.Outcome == AuditOutcome.Denied));
    }

    [Fact]
    public async Task GetRotationStatusPageAsync_SearchLongerThanItsLimitOrWithAControlCharacter_IsRefusedWithTheReason()
    {
        var tooLong = await Service.GetRotationStatusPageAsync(TestPersonas.SupportReader, new RotationStatusQuery(0, 10, Search: new string('b', 101)), default);
        var control = await Service.GetRotationStatusPageAsync(TestPersonas.SupportReader, new RotationStatusQuery(0, 10, Search: "bulk\u0000"), default);
        var atLimit = await Service.GetRotationStatusPageAsync(TestPersonas.SupportReader, new RotationStatusQuery(0, 10, Search: new string('b', 100)), default);

        Assert.Equal("The search can have at most 100 characters (101 given).", tooLong!.Problem);
        Assert.Empty(tooLong.Items);
        Assert.Equal(0, tooLong.TotalCount);
        Assert.Equal("The search contains a control character (U+0000): remove it.", control!.Problem);
        Assert.Null(atLimit!.Problem);
    }
}
