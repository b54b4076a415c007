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

    public async Task InitializeAsync() => _portal = await PortalServices.StartAsync();

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
}
