using Microsoft.EntityFrameworkCore;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Auth;

public sealed class TenantAuthorizationTests : IAsyncLifetime
{
    private PortalServices _portal = null!;

    public async Task InitializeAsync() => _portal = await PortalServices.StartAsync(
        settings: new Dictionary<string, string?> { ["Audit:DeniedPerActorPerMinute"] = "3" });

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task AuthorizeTenantAsync_AnotherTenantsAdmin_IsDeniedOnThePlatformChainWithTheTargetTenant()
    {
        await _portal.Get<ApiKeyService>().SubmitApiKeyAsync(TestPersonas.FabrikamAdmin, "contoso", new SecretValue("sk_live_attack_platform_01"), default);

        await using var db = _portal.CreateDbContext();
        var denial = Assert.Single(await db.AuditEvents.Where(e => e.Outcome == AuditOutcome.Denied).ToListAsync());
        Assert.Equal(AuditChains.Platform, denial.ChainId);
        Assert.Equal("contoso", denial.TenantId);
        Assert.Equal(AuditActions.ApiKeySubmit, denial.Action);
        Assert.Equal("Not permitted: Submit", denial.Reason);
        Assert.Equal(DevelopmentPersonas.FabrikamAdmin.ObjectId, denial.ActorObjectId);
        Assert.False(await db.AuditEvents.AnyAsync(e => e.ChainId == "contoso"));
    }

    [Fact]
    public async Task AuthorizeTenantAsync_TheTenantsOwnUserWithoutTheRole_IsDeniedOnTheTenantsChain()
    {
        var ownUser = TestPersonas.With(DevelopmentPersonas.ContosoEntraTenantId, "Some.Other.Role");

        await _portal.Get<ApiKeyService>().SubmitApiKeyAsync(ownUser, "contoso", new SecretValue("sk_live_own_user_denied_01"), default);

        await using var db = _portal.CreateDbContext();
        var denial = Assert.Single(await db.AuditEvents.Where(e => e.Outcome == AuditOutcome.Denied).ToListAsync());
        Assert.Equal("contoso", denial.ChainId);
        Assert.Equal("contoso", denial.TenantId);
        Assert.Equal("Not permitted: Submit", denial.Reason);
    }

    [Fact]
    public async Task AuthorizeTenantAsync_DenialsBeyondTheActorsBudget_AreSummarizedAtTheNextWindow()
    {
        var keys = _portal.Get<ApiKeyService>();
        for (var i = 0; i < 10; i++)
        {
            var result = await keys.GetOverviewAsync(TestPersonas.FabrikamAdmin, "contoso", default);
            Assert.Null(result);
        }

        await using (var db = _portal.CreateDbContext())
        {
            Assert.Equal(3, await db.AuditEvents.CountAsync(e => e.Outcome == AuditOutcome.Denied));
        }

        _portal.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await keys.GetOverviewAsync(TestPersonas.FabrikamAdmin, "contoso", default));

        await using (var db = _portal.CreateDbContext())
        {
            var rows = await db.AuditEvents.Where(e => e.Outcome == AuditOutcome.Denied).OrderBy(e => e.Id).ToListAsync();
            Assert.Equal(5, rows.Count);
            var summary = rows[3];
            Assert.Equal($"7 further denied attempts suppressed (from {PortalServices.Start:O})", summary.Reason);
            Assert.Equal(AuditChains.Platform, summary.ChainId);
            Assert.Null(summary.TenantId);
            Assert.Equal(AuditActions.ApiKeyView, summary.Action);
            Assert.Equal(DevelopmentPersonas.FabrikamAdmin.ObjectId, summary.ActorObjectId);
            Assert.Equal("Not permitted: ViewStatus", rows[4].Reason);
            Assert.Equal("contoso", rows[4].TenantId);
        }

        // Another actor has a budget of their own.
        Assert.Null(await keys.GetOverviewAsync(TestPersonas.With(Guid.NewGuid(), "Tenant.Admin"), "contoso", default));
        await using var after = _portal.CreateDbContext();
        Assert.Equal(6, await after.AuditEvents.CountAsync(e => e.Outcome == AuditOutcome.Denied));
    }
}
