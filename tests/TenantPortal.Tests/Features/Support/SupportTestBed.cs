using System.Security.Claims;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.Support;

/// <summary>
/// Tenants brought into a known state through the portal's own services on the fake clock: onboarded by the platform
/// admin, keys submitted by each tenant's own admin, revoked and offboarded as a user would.
/// </summary>
internal sealed class SupportTestBed(PortalServices portal)
{
    private readonly Dictionary<string, Guid> _directories = [];

    public PortalServices Portal => portal;

    public async Task OnboardAsync(string id, string name, params string[] contacts)
    {
        var directory = Guid.NewGuid();
        var result = await portal.Get<TenantService>().OnboardAsync(TestPersonas.PlatformAdmin,
            new TenantInput(id, name, [directory.ToString()], contacts.Select(c => new ContactInput(c)).ToList(), RotationPolicy.Default), default);
        Assert.True(result.Succeeded, result.Message);
        _directories[id] = directory;
    }

    public ClaimsPrincipal AdminOf(string id) => TestPersonas.With(_directories[id], PortalRoles.TenantAdmin);

    public Guid DirectoryOf(string id) => _directories[id];

    public async Task<string> SubmitAsync(string id, string key)
    {
        var result = await portal.Get<ApiKeyService>().SubmitApiKeyAsync(AdminOf(id), id, new SecretValue(key), default);
        Assert.True(result.Succeeded, result.Message);
        return result.Version!.Version;
    }

    public async Task RevokeAsync(string id, string reason)
    {
        var result = await portal.Get<ApiKeyService>().RevokeAsync(AdminOf(id), id, reason, confirmed: true, default);
        Assert.True(result.Succeeded, result.Message);
    }

    public async Task OffboardAsync(string id, string name)
    {
        var result = await portal.Get<TenantService>().OffboardAsync(TestPersonas.PlatformAdmin, id, name, "Contract ended", default);
        Assert.True(result.Succeeded, result.Message);
    }

    /// <summary>
    /// At day 95 after <see cref="PortalServices.Start"/>: one tenant in each status, besides the three seeded
    /// development tenants, which never submitted a key (Not set).
    /// Day 0: overdue-co (due day 90), revoked-co (revoked on day 1), offboarded-co (offboarded on day 1);
    /// day 30: duesoon-co (due day 120, reminded from day 90); day 70: active-co (due day 160).
    /// </summary>
    public async Task SeedOneOfEachAsync()
    {
        await OnboardAsync("overdue-co", "Overdue Co");
        await OnboardAsync("duesoon-co", "Duesoon Co");
        await OnboardAsync("active-co", "Active Co");
        await OnboardAsync("revoked-co", "Revoked Co");
        await OnboardAsync("offboarded-co", "Offboarded Co");
        await SubmitAsync("overdue-co", "sk_live_seed_overdue_00000001");
        await SubmitAsync("revoked-co", "sk_live_seed_revoked_00000001");
        await SubmitAsync("offboarded-co", "sk_live_seed_offboard_0000001");
        portal.Time.Advance(TimeSpan.FromDays(1));
        await RevokeAsync("revoked-co", "Leaked in a ticket");
        await OffboardAsync("offboarded-co", "Offboarded Co");
        portal.Time.Advance(TimeSpan.FromDays(29));
        await SubmitAsync("duesoon-co", "sk_live_seed_duesoon_00000001");
        portal.Time.Advance(TimeSpan.FromDays(40));
        await SubmitAsync("active-co", "sk_live_seed_active_000000001");
        portal.Time.Advance(TimeSpan.FromDays(25));
    }
}
