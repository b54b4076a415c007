using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Features.Support;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.Support;

/// <summary>
/// Every support console method checks the caller itself: a tenant admin, a customer who gave themselves a staff role
/// in their own directory, and an anonymous caller all get nothing, and each refusal is audited on the platform chain.
/// </summary>
public sealed class SupportAuthorizationTests : IAsyncLifetime
{
    private const string Key = "sk_live_refused_lookup_0000001";
    private PortalServices _portal = null!;

    public async Task InitializeAsync() => _portal = await PortalServices.StartAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    public static TheoryData<string> Callers() => ["tenant-admin", "customer-with-staff-role", "anonymous"];

    private static ClaimsPrincipal Caller(string name) => name switch
    {
        "tenant-admin" => TestPersonas.ContosoAdmin,
        "customer-with-staff-role" => TestPersonas.CustomerWithStaffRole(PortalRoles.SupportReader),
        _ => TestPersonas.Anonymous,
    };

    [Theory]
    [MemberData(nameof(Callers))]
    public async Task EveryMethod_ForAnyoneButStaff_ReturnsNothing_AndAuditsTheExactRefusal(string caller)
    {
        var user = Caller(caller);
        var service = _portal.Get<SupportService>();

        Assert.Null(await service.GetDashboardAsync(user, default));
        Assert.Null(await service.GetRotationStatusPageAsync(user, new RotationStatusQuery(new RotationStatusFilter()), default));
        Assert.Null(await service.CountRotationStatusAsync(user, new RotationStatusFilter(), default));
        Assert.Null(await service.ExportRotationStatusAsync(user, new RotationStatusFilter(), default));
        Assert.Null(await service.GetTimelineAsync(user, "contoso", null, default));
        Assert.Null(await service.LookUpKeyAsync(user, new SecretValue(Key), default));

        await using var db = _portal.CreateDbContext();
        var denials = await db.AuditEvents.AsNoTracking().OrderBy(e => e.Id).ToListAsync();
        Assert.Equal(
        [
            (SupportAuditActions.Overview, "Not permitted: support dashboard", (string?)null),
            (SupportAuditActions.Overview, "Not permitted: rotation status overview", null),
            (SupportAuditActions.Overview, "Not permitted: rotation status overview", null),
            (SupportAuditActions.Exported, "Not permitted: rotation status export", null),
            (SupportAuditActions.TimelineViewed, "Not permitted: tenant timeline", "contoso"),
            (SupportAuditActions.KeyLookup, "Not permitted: key lookup", null),
        ], denials.Select(e => (e.Action, e.Reason!, e.TenantId)));
        Assert.All(denials, e => Assert.Equal((AuditOutcome.Denied, AuditChains.Platform), (e.Outcome, e.ChainId)));
        // Refused before the key was looked at: nothing about it anywhere, not even its fingerprint.
        Assert.DoesNotContain(denials, e => System.Text.Json.JsonSerializer.Serialize(e).Contains(Key, StringComparison.Ordinal));
        Assert.DoesNotContain(denials, e => e.Reason!.Contains("h1:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EveryMethod_ForSupportReadersAndPlatformAdmins_Answers()
    {
        var service = _portal.Get<SupportService>();
        foreach (var user in new[] { TestPersonas.SupportReader, TestPersonas.PlatformAdmin })
        {
            Assert.NotNull(await service.GetDashboardAsync(user, default));
            Assert.NotNull(await service.GetRotationStatusPageAsync(user, new RotationStatusQuery(new RotationStatusFilter()), default));
            Assert.NotNull(await service.CountRotationStatusAsync(user, new RotationStatusFilter(), default));
            Assert.NotNull(await service.ExportRotationStatusAsync(user, new RotationStatusFilter(), default));
            Assert.NotNull((await service.GetTimelineAsync(user, "contoso", null, default))!.Timeline);
            Assert.Empty((await service.LookUpKeyAsync(user, new SecretValue(Key), default))!.Matches);
        }

        await using var db = _portal.CreateDbContext();
        Assert.False(await db.AuditEvents.AnyAsync(e => e.Outcome == AuditOutcome.Denied));
    }
}
