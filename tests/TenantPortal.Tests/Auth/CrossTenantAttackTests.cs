using System.Diagnostics;
using System.Net;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Audit;
using TenantPortal.Web.Features.Platform;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Auth;

/// <summary>
/// Every operation, aimed at a tenant the caller may not touch, by every kind of caller that may not touch it.
/// Zero successes, and every attempt leaves a denial in the audit trail. Add an operation in one line below.
/// </summary>
public sealed class CrossTenantAttackTests : IAsyncLifetime
{
    private delegate Task<bool> Operation(IServiceProvider services, ClaimsPrincipal user, string tenantId);

    private static readonly Dictionary<string, Operation> Operations = new()
    {
        ["submit"] = async (s, u, t) => (await s.GetRequiredService<ApiKeyService>().SubmitApiKeyAsync(u, t, new SecretValue("sk_live_attacker_000000001"), default)).Succeeded,
        ["view status and versions"] = async (s, u, t) => await s.GetRequiredService<ApiKeyService>().GetOverviewAsync(u, t, default) is not null,
        ["read audit"] = async (s, u, t) => await s.GetRequiredService<AuditService>().GetPageAsync(u, new AuditQuery(0, 10, new AuditFilter(TenantId: t)), default) is not null,
        ["export audit"] = async (s, u, t) => await s.GetRequiredService<AuditService>().ExportAsync(u, new AuditFilter(TenantId: t), "json", default) is not null,
        ["verify audit chain"] = async (s, u, t) => await s.GetRequiredService<AuditService>().VerifyAsync(u, t, default) is not null,
        ["view tenant details"] = async (s, u, t) => await s.GetRequiredService<TenantService>().GetAsync(u, t, default) is not null,
        ["manage contacts"] = async (s, u, t) => (await s.GetRequiredService<TenantService>().UpdateContactsAsync(u, t, [new("attacker@evil.example")], default)).Succeeded,
        ["revoke"] = async (s, u, t) => (await s.GetRequiredService<ApiKeyService>().RevokeAsync(u, t, "attack", confirmed: true, default)).Succeeded,
        ["restore previous"] = async (s, u, t) => (await s.GetRequiredService<ApiKeyService>().RestorePreviousAsync(u, t, default)).Outcome != KeyChangeOutcome.NotFound,
        ["tighten policy"] = async (s, u, t) => (await s.GetRequiredService<TenantService>().UpdatePolicyAsync(u, t, new RotationPolicy(30, [7], 1), default)).Succeeded,
    };

    /// <summary>Operations that change something: staff may read, never these.</summary>
    private static readonly string[] Mutating = ["submit", "revoke", "restore previous", "manage contacts", "tighten policy"];

    /// <summary>Platform administration: only a Platform.Admin of the provider's own Entra tenant.</summary>
    private static readonly Dictionary<string, Operation> PlatformOperations = new()
    {
        ["list tenants"] = async (s, u, _) => await s.GetRequiredService<TenantService>().ListAsync(u, new TenantListQuery(0, 10), default) is not null,
        ["onboard"] = async (s, u, _) => (await s.GetRequiredService<TenantService>().OnboardAsync(u, new TenantInput("evil", "Evil", [Guid.NewGuid().ToString()], [], RotationPolicy.Default), default)).Succeeded,
        ["edit tenant"] = async (s, u, t) => (await s.GetRequiredService<TenantService>().UpdateAsync(u, t, new TenantInput(t, "Contoso Ltd", [DevelopmentPersonas.ContosoEntraTenantId.ToString()], [], RotationPolicy.Default with { IntervalDays = 60 }), default)).Succeeded,
        ["offboard"] = async (s, u, t) => (await s.GetRequiredService<TenantService>().OffboardAsync(u, t, "Contoso Ltd", "attack", default)).Succeeded,
        ["platform settings"] = async (s, u, _) => (await s.GetRequiredService<PlatformSettingsService>().UpdateAsync(u, new PlatformSettingsInput(30, 30, [7], 1, []), default)).Succeeded,
    };

    private static readonly Dictionary<string, ClaimsPrincipal> PlatformAttackers = new()
    {
        ["the tenant's own admin"] = TestPersonas.ContosoAdmin,
        ["a support reader"] = TestPersonas.SupportReader,
        ["the provider's own automation with Platform.Admin"] = TestPersonas.App(DevelopmentPersonas.HomeTenantId, PortalRoles.PlatformAdmin, PortalAppRoles.ApiKeysRotate),
        ["a customer who gave themselves Platform.Admin"] = TestPersonas.CustomerWithStaffRole(PortalRoles.PlatformAdmin),
        ["anonymous"] = TestPersonas.Anonymous,
    };

    private static readonly Dictionary<string, ClaimsPrincipal> Attackers = new()
    {
        ["another tenant's admin"] = TestPersonas.FabrikamAdmin,
        ["an admin of an unmapped Entra tenant"] = TestPersonas.With(Guid.NewGuid(), PortalRoles.TenantAdmin),
        ["a customer who gave themselves Support.Reader"] = TestPersonas.CustomerWithStaffRole(PortalRoles.SupportReader),
        ["a customer who gave themselves Platform.Admin"] = TestPersonas.CustomerWithStaffRole(PortalRoles.PlatformAdmin),
        ["a signed-in user without a role"] = TestPersonas.With(DevelopmentTenantIds.Fabrikam, "Some.Other.Role"),
        ["anonymous"] = TestPersonas.Anonymous,
        ["another tenant's automation"] = TestPersonas.App(DevelopmentTenantIds.Fabrikam, PortalAppRoles.ApiKeysRotate, PortalAppRoles.ApiKeysRead),
        ["the provider's own automation, with every role"] = TestPersonas.App(DevelopmentPersonas.HomeTenantId, [.. PortalAppRoles.All,
            PortalRoles.TenantAdmin, PortalRoles.SupportReader, PortalRoles.PlatformAdmin]),
    };

    /// <summary>What a tenant's own automation may not do even to its own tenant: only the key operations have an application role.</summary>
    private static readonly string[] NotForAutomation = ["read audit", "export audit", "verify audit chain", "view tenant details", "manage contacts", "tighten policy"];

    private PortalServices _portal = null!;

    public static TheoryData<string, string> Attacks()
    {
        var data = new TheoryData<string, string>();
        foreach (var attacker in Attackers.Keys)
        {
            foreach (var operation in Operations.Keys)
            {
                data.Add(attacker, operation);
            }
        }

        return data;
    }

    public static TheoryData<string, string> PlatformAttacks()
    {
        var data = new TheoryData<string, string>();
        foreach (var attacker in PlatformAttackers.Keys)
        {
            foreach (var operation in PlatformOperations.Keys)
            {
                data.Add(attacker, operation);
            }
        }

        return data;
    }

    public static TheoryData<string, string> StaffMutations()
    {
        var data = new TheoryData<string, string>();
        foreach (var operation in Mutating)
        {
            data.Add(PortalRoles.SupportReader, operation);
            data.Add(PortalRoles.PlatformAdmin, operation);
        }

        return data;
    }

    public async Task InitializeAsync()
    {
        _portal = await PortalServices.StartAsync();
        await _portal.Get<ApiKeyService>().SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue("sk_live_victim_key_0000001"), default);
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task Operation_OnAnotherTenant_FailsAndIsAuditedAsDenied(string attacker, string operation)
    {
        var deniedBefore = await DeniedCountAsync();

        var succeeded = await Operations[operation](_portal.Services, Attackers[attacker], "contoso");

        Assert.False(succeeded, $"{attacker} managed to {operation} on contoso");
        Assert.True(await DeniedCountAsync() > deniedBefore, $"{attacker} trying to {operation} left no denial in the audit trail");
        await AssertVictimUntouchedAsync();
    }

    public static TheoryData<string> OwnAutomationOperations() => new(NotForAutomation);

    [Theory]
    [MemberData(nameof(OwnAutomationOperations))]
    public async Task Operation_WithoutAnApplicationRole_ByTheTenantsOwnAutomation_FailsEvenWithAPersonsRoleOnItsToken(string operation)
    {
        var automation = TestPersonas.App(DevelopmentPersonas.ContosoEntraTenantId, [.. PortalAppRoles.All, PortalRoles.TenantAdmin]);
        var deniedBefore = await DeniedCountAsync();

        Assert.False(await Operations[operation](_portal.Services, automation, "contoso"), $"contoso's automation managed to {operation}");
        Assert.True(await DeniedCountAsync() > deniedBefore);
        await AssertVictimUntouchedAsync();
    }

    [Fact]
    public async Task KeyOperations_ByTheTenantsOwnAutomation_SucceedWithTheirRoles()
    {
        var automation = TestPersonas.App(DevelopmentPersonas.ContosoEntraTenantId, [.. PortalAppRoles.All]);
        foreach (var name in Operations.Keys.Except(NotForAutomation))
        {
            Assert.True(await Operations[name](_portal.Services, automation, "contoso"), $"contoso's automation could not {name}");
        }
    }

    [Theory]
    [MemberData(nameof(StaffMutations))]
    public async Task MutatingOperation_ByStaff_FailsAndIsAuditedAsDenied(string role, string operation)
    {
        var staff = role == PortalRoles.SupportReader ? TestPersonas.SupportReader : TestPersonas.PlatformAdmin;
        var deniedBefore = await DeniedCountAsync();

        Assert.False(await Operations[operation](_portal.Services, staff, "contoso"));
        Assert.True(await DeniedCountAsync() > deniedBefore);
        await AssertVictimUntouchedAsync();
    }

    [Theory]
    [MemberData(nameof(PlatformAttacks))]
    public async Task PlatformOperation_ByAnyoneButAPlatformAdmin_FailsAndIsAuditedAsDenied(string attacker, string operation)
    {
        var deniedBefore = await DeniedCountAsync();

        Assert.False(await PlatformOperations[operation](_portal.Services, PlatformAttackers[attacker], "contoso"), $"{attacker} managed to {operation}");
        Assert.True(await DeniedCountAsync() > deniedBefore, $"{attacker} trying to {operation} left no denial in the audit trail");
        await AssertVictimUntouchedAsync();
        await using var db = _portal.CreateDbContext();
        Assert.False(await db.Tenants.AnyAsync(t => t.Id == "evil"));
        Assert.False(await db.PlatformSettings.AnyAsync());
    }

    [Fact]
    public async Task PlatformOperation_ByAPlatformAdmin_Succeeds()
    {
        foreach (var (name, operation) in PlatformOperations)
        {
            Assert.True(await operation(_portal.Services, TestPersonas.PlatformAdmin, "contoso"), $"the platform admin could not {name}");
        }
    }

    [Fact]
    public async Task Operation_ByTheTenantsOwnAdmin_Succeeds()
    {
        // The table is only meaningful if the same operations work for the rightful caller.
        foreach (var (name, operation) in Operations)
        {
            Assert.True(await operation(_portal.Services, TestPersonas.ContosoAdmin, "contoso"), $"contoso's admin could not {name}");
        }
    }

    private async Task<int> DeniedCountAsync()
    {
        await using var db = _portal.CreateDbContext();
        return await db.AuditEvents.CountAsync(e => e.Outcome == AuditOutcome.Denied);
    }

    private async Task AssertVictimUntouchedAsync()
    {
        Assert.True(Assert.Single(await _portal.StoredVersionsAsync("contoso")).Enabled);
        await using var db = _portal.CreateDbContext();
        Assert.Equal(1, await db.ApiKeyVersions.CountAsync(v => v.TenantId == "contoso"));
        var tenant = await db.Tenants.Include(t => t.Contacts).SingleAsync(t => t.Id == "contoso");
        Assert.Empty(tenant.Contacts);
        Assert.Equal(90, tenant.RotationIntervalDays);
        Assert.Equal("Contoso Ltd", tenant.DisplayName);
        Assert.Null(tenant.OffboardedAt);
    }

    private static class DevelopmentTenantIds
    {
        public static readonly Guid Fabrikam = DevelopmentPersonas.FabrikamEntraTenantId;
    }
}

/// <summary>The same attacks over HTTP: forged ids in routes and query strings, and anonymous requests to every route.</summary>
public sealed class CrossTenantHttpAttackTests : IDisposable
{
    private readonly PortalAppFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    /// <summary>
    /// Pages and the audit endpoints alike: the cookie's challenge, to the development sign-in with the way back.
    /// The endpoints are links the audit page offers for download, so a browser is sent to sign in as for a page.
    /// </summary>
    [Theory]
    [InlineData("/tenants/contoso/api-key")]
    [InlineData("/tenants/contoso")]
    [InlineData("/platform/tenants")]
    [InlineData("/platform/settings")]
    [InlineData("/support/rotation-status")]
    [InlineData("/audit")]
    [InlineData("/audit?tenant=contoso")]
    [InlineData("/audit/export.csv")]
    [InlineData("/audit/export.json?tenant=contoso")]
    [InlineData("/audit/export.json?outcome=NotAnOutcome")]
    [InlineData("/audit/verify?chain=contoso")]
    [InlineData("/audit/verify")]
    public async Task Anonymous_EveryProtectedRoute_IsRedirectedToSignIn(string path)
    {
        using var client = _factory.CreateBrowserLikeClient();

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"{DevelopmentSignIn.SignInPath}?ReturnUrl={Uri.EscapeDataString(path)}", response.Headers.Location!.PathAndQuery);
    }

    /// <summary>
    /// Pages answer as for a tenant that does not exist; endpoints answer 404. Either way the attempt leaves its own
    /// denial, found by the correlation id of this request (the trace id it arrives with).
    /// </summary>
    [Theory]
    [InlineData("/tenants/contoso/api-key", HttpStatusCode.OK, AuditActions.ApiKeyView, "contoso", AuditChains.Platform)]
    [InlineData("/tenants/contoso", HttpStatusCode.OK, AuditActions.TenantView, "contoso", AuditChains.Platform)]
    [InlineData("/tenants/contoso%2F..%2Ffabrikam/api-key", HttpStatusCode.OK, AuditActions.ApiKeyView, "contoso/../fabrikam", AuditChains.Platform)]
    [InlineData("/audit/export.json?tenant=contoso", HttpStatusCode.NotFound, AuditActions.AuditViewed, "contoso", AuditChains.Platform)]
    [InlineData("/audit/export.csv?tenant=contoso", HttpStatusCode.NotFound, AuditActions.AuditViewed, "contoso", AuditChains.Platform)]
    [InlineData("/audit/verify?chain=contoso", HttpStatusCode.NotFound, AuditActions.AuditViewed, "contoso", AuditChains.Platform)]
    [InlineData("/audit/verify?chain=%23platform", HttpStatusCode.NotFound, AuditActions.AuditVerified, null, AuditChains.Platform)]
    public async Task AnotherTenantsAdmin_ForgedIdsInRoutesAndQueries_GetNothingAndLeaveTheirOwnDenial(
        string path, HttpStatusCode status, string deniedAction, string? deniedTenant, string chain)
    {
        using var client = _factory.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, "fabrikam-admin");
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(status, response.StatusCode);
        if (status == HttpStatusCode.OK)
        {
            Assert.Contains("tenant-not-found", body, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("Contoso Ltd", body, StringComparison.Ordinal);
        await using var db = _factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        var denial = Assert.Single(await db.AuditEvents.Where(e => e.CorrelationId == traceId).ToListAsync());
        Assert.Equal(AuditOutcome.Denied, denial.Outcome);
        Assert.Equal(deniedAction, denial.Action);
        Assert.Equal(deniedTenant, denial.TenantId);
        Assert.Equal(chain, denial.ChainId);
        Assert.Equal(DevelopmentPersonas.FabrikamAdmin.ObjectId, denial.ActorObjectId);
    }
}
