using System.Security.Claims;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.KeyHealth;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.KeyHealth;

/// <summary>What part 2's key page and support views read: per version usage, and the stale flag on a fake clock.</summary>
public sealed class KeyHealthServiceTests : IAsyncLifetime
{
    private PortalServices _portal = null!;

    public async Task InitializeAsync() => _portal = await PortalServices.StartAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private static ClaimsPrincipal Backend => new(new ClaimsIdentity(
        [
            new Claim(PortalClaimTypes.TenantId, DevelopmentPersonas.HomeTenantId.ToString()), new Claim(PortalClaimTypes.ObjectId, Guid.NewGuid().ToString()),
            new Claim(PortalClaimTypes.AuthorizedParty, Guid.NewGuid().ToString()), new Claim(PortalClaimTypes.Roles, PortalAppRoles.KeyUsageReport),
        ],
        AppTokenAuthentication.AuthenticationType));

    private async Task<string> SubmitAsync(string value)
    {
        var result = await _portal.Get<ApiKeyService>().SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(value), default);
        Assert.True(result.Succeeded, result.Message);
        return result.Version!.Version;
    }

    private async Task ReportAsync(KeyUsageEntry entry)
    {
        await using var scope = await _portal.NewScopeAsync();
        var outcome = await scope.Get<KeyUsageIngestion>().IngestAsync(Backend, new KeyUsageBatchReport(Guid.NewGuid(), 0, [entry]), default);
        Assert.Equal(1, Assert.IsType<KeyUsageIngestOutcome.Applied>(outcome).Response.Accepted);
    }

    private Task<KeyHealthOverview?> HealthAsync(ClaimsPrincipal? user = null) => _portal.Get<KeyHealthService>().GetAsync(user ?? TestPersonas.ContosoAdmin, "contoso", default);

    [Fact]
    public async Task GetAsync_CurrentVersionUnusedForStaleAfter_IsStale_AUseClearsIt_PreviousVersionsNever()
    {
        var start = _portal.Time.GetUtcNow();
        var first = await SubmitAsync("sk_live_health_first_0000000001");
        _portal.Time.Advance(TimeSpan.FromDays(30) - TimeSpan.FromMinutes(1));
        var almost = (await HealthAsync())!.Current!;
        _portal.Time.Advance(TimeSpan.FromMinutes(1));
        var stale = (await HealthAsync())!.Current!;
        var usedAt = _portal.Time.GetUtcNow();
        await ReportAsync(new KeyUsageEntry("contoso", first, 12, usedAt, 0, null, null));
        var used = (await HealthAsync())!.Current!;
        _portal.Time.Advance(TimeSpan.FromDays(30));
        var unusedAgain = (await HealthAsync())!;
        var second = await SubmitAsync("sk_live_health_second_000000002");
        var rotated = (await HealthAsync())!;

        Assert.Equal((first, false, start), (almost.Version, almost.IsStale, almost.CreatedAt));
        Assert.True(stale.IsStale);
        Assert.Equal((false, 12L, usedAt, (DateTimeOffset?)usedAt), (used.IsStale, used.Uses, used.LastUsedAt!.Value, used.LastReportedAt));
        Assert.True(unusedAgain.Current!.IsStale);
        Assert.Equal(TimeSpan.FromDays(30), unusedAgain.StaleAfter);
        Assert.Equal([(second, ApiKeyVersionStatus.Current, false, 0L), (first, ApiKeyVersionStatus.Previous, false, 12L)],
            rotated.Versions.Select(v => (v.Version, v.Status, v.IsStale, v.Uses)));
    }

    [Fact]
    public async Task GetAsync_AuthorizedLikeTheKeysStatus_StaffRead_OtherTenantsAdminGetsNothing()
    {
        var version = await SubmitAsync("sk_live_health_auth_00000000001");
        var at = _portal.Time.GetUtcNow();
        await ReportAsync(new KeyUsageEntry("contoso", version, 0, null, 14, at.AddMinutes(-3), at));

        var admin = await HealthAsync();
        var support = await HealthAsync(TestPersonas.SupportReader);
        var outsider = await HealthAsync(TestPersonas.FabrikamAdmin);
        var anonymous = await HealthAsync(TestPersonas.Anonymous);

        Assert.Equal((14L, at.AddMinutes(-3), at, 0L, (DateTimeOffset?)null),
            (admin!.Current!.Rejections, admin.Current.FirstRejectedAt!.Value, admin.Current.LastRejectedAt!.Value, admin.Current.Uses, admin.Current.LastUsedAt));
        Assert.Equal(admin.Current, support!.Current);
        Assert.Null(outsider);
        Assert.Null(anonymous);
    }
}
