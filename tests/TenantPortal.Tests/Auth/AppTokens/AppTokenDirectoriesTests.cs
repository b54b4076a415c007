using Microsoft.EntityFrameworkCore;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth.AppTokens;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;

namespace TenantPortal.Tests.Auth.AppTokens;

/// <summary>
/// The app tokens' allow-list answers are remembered for a few seconds, and forgotten at once when this instance
/// offboards a tenant or removes a directory; a change this instance did not see (another instance's) lapses with the
/// remembered answer.
/// </summary>
public sealed class AppTokenDirectoriesTests : IAsyncLifetime
{
    private static readonly Guid Contoso = DevelopmentPersonas.ContosoEntraTenantId;
    private PortalServices _portal = null!;

    private AppTokenDirectories Directories => _portal.Get<AppTokenDirectories>();

    public async Task InitializeAsync() => _portal = await PortalServices.StartAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task IsAllowedAsync_AnOnboardedDirectory_IsRememberedForItsDurationThenAskedAgain()
    {
        Assert.True(await Directories.IsAllowedAsync(Contoso, default));
        await OffboardBehindThisInstancesBackAsync("contoso");

        _portal.Time.Advance(AppTokenDirectories.Duration - TimeSpan.FromMilliseconds(1));
        Assert.True(await Directories.IsAllowedAsync(Contoso, default));
        _portal.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(await Directories.IsAllowedAsync(Contoso, default));
    }

    [Fact]
    public async Task IsAllowedAsync_RightAfterThisInstanceOffboardsTheTenant_RefusesItsDirectory()
    {
        Assert.True(await Directories.IsAllowedAsync(Contoso, default));

        var offboarded = await _portal.Get<TenantService>().OffboardAsync(TestPersonas.PlatformAdmin, "contoso", "Contoso Ltd", "contract ended", default);

        Assert.True(offboarded.Succeeded, offboarded.Message);
        Assert.False(await Directories.IsAllowedAsync(Contoso, default));
        Assert.True(await Directories.IsAllowedAsync(DevelopmentPersonas.FabrikamEntraTenantId, default));
    }

    [Fact]
    public async Task IsAllowedAsync_RightAfterThisInstanceRemovesADirectory_RefusesIt_AndAllowsTheNewOne()
    {
        var replacement = Guid.Parse("c0c0c0c0-0000-4000-8000-0000000000aa");
        Assert.True(await Directories.IsAllowedAsync(Contoso, default));
        Assert.False(await Directories.IsAllowedAsync(replacement, default));

        var updated = await _portal.Get<TenantService>().UpdateAsync(TestPersonas.PlatformAdmin, "contoso",
            new TenantInput("contoso", "Contoso Ltd", [replacement.ToString()], [], RotationPolicy.Default), default);

        Assert.True(updated.Succeeded, updated.Message);
        Assert.False(await Directories.IsAllowedAsync(Contoso, default));
        Assert.True(await Directories.IsAllowedAsync(replacement, default));
    }

    [Fact]
    public async Task IsAllowedAsync_ADirectoryNotOnboarded_IsNotRemembered_SoItsOnboardingCountsAtOnce()
    {
        var newcomer = Guid.Parse("ac3e0000-0000-4000-8000-0000000000bb");
        Assert.False(await Directories.IsAllowedAsync(newcomer, default));

        var onboarded = await _portal.Get<TenantService>().OnboardAsync(TestPersonas.PlatformAdmin,
            new TenantInput("acme", "Acme Corp", [newcomer.ToString()], [], RotationPolicy.Default), default);

        Assert.True(onboarded.Succeeded, onboarded.Message);
        Assert.True(await Directories.IsAllowedAsync(newcomer, default));
    }

    /// <summary>As another instance would: a change this instance's interceptors never see.</summary>
    private async Task OffboardBehindThisInstancesBackAsync(string tenantId)
    {
        await using var db = _portal.CreateDbContext();
        var changed = await db.Tenants.Where(t => t.Id == tenantId)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.OffboardedAt, _portal.Time.GetUtcNow()));
        Assert.Equal(1, changed);
    }
}
