using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Data;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Tests.Auth;

/// <summary>An open Blazor circuit's session, checked again on a fake clock.</summary>
public sealed class SessionRevalidationTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);
    private PortalServices _portal = null!;

    public async Task InitializeAsync() => _portal = await PortalServices.StartAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public void Circuits_GetTheRevalidatingProvider_WithAFiveMinuteInterval()
    {
        Assert.IsType<RevalidatingPortalAuthenticationStateProvider>(_portal.Get<AuthenticationStateProvider>());
        Assert.Equal(Interval, _portal.Get<Microsoft.Extensions.Options.IOptions<PortalAuthOptions>>().Value.RevalidationInterval);
    }

    [Fact]
    public async Task OrganisationTakenOffTheAllowList_EndsTheSessionAtTheNextCheck()
    {
        var provider = SignedInCircuit(TestPersonas.ContosoAdmin);

        Assert.True(await CheckAfterAsync(provider, Interval));
        Assert.True(await IsAuthenticatedAsync(provider));

        await RemoveDirectoryAsync(DevelopmentPersonas.ContosoEntraTenantId);
        Assert.False(await CheckAfterAsync(provider, Interval));

        Assert.False(await IsAuthenticatedAsync(provider));
        var ended = await SessionEndedAuditAsync();
        Assert.Equal(SessionValidator.NotOnboarded, ended.Reason);
        Assert.Equal(AuditOutcome.Denied, ended.Outcome);
        Assert.Equal(DevelopmentPersonas.ContosoAdmin.ObjectId, ended.ActorObjectId);
        Assert.Equal(PortalServices.Start + Interval + Interval, ended.OccurredAt);
    }

    [Fact]
    public async Task Session_PastItsAbsoluteLifetime_Ends()
    {
        var provider = SignedInCircuit(TestPersonas.SupportReader);

        Assert.False(await CheckAfterAsync(provider, TimeSpan.FromHours(12)));

        Assert.False(await IsAuthenticatedAsync(provider));
        Assert.Equal(SessionValidator.LifetimeExceeded, (await SessionEndedAuditAsync()).Reason);
    }

    [Fact]
    public async Task Session_WithinItsLifetimeAndAllowed_GoesOnCheckAfterCheck()
    {
        var provider = SignedInCircuit(TestPersonas.FabrikamAdmin);

        for (var i = 0; i < 3; i++)
        {
            Assert.True(await CheckAfterAsync(provider, Interval));
        }

        Assert.True(await IsAuthenticatedAsync(provider));
        await using var db = _portal.CreateDbContext();
        Assert.False(await db.AuditEvents.AnyAsync(e => e.Action == AuditActions.SessionEnded));
    }

    [Fact]
    public async Task CookieSession_OfAnOffboardedOrganisation_EndsOnTheFirstRequestAfterTheInterval()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var factory = new PortalAppFactory { ConfigureServices = s => s.AddSingleton<TimeProvider>(time) };
        using var browser = factory.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(browser, "contoso-admin");
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/tenants/contoso/api-key")).StatusCode);
        await using (var db = factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext())
        {
            await db.TenantDirectories.Where(d => d.EntraTenantId == DevelopmentPersonas.ContosoEntraTenantId).ExecuteDeleteAsync();
        }

        var withinInterval = await browser.GetAsync("/tenants/contoso/api-key");
        time.Advance(Interval);
        var afterInterval = await browser.GetAsync("/tenants/contoso/api-key");

        Assert.Equal(HttpStatusCode.OK, withinInterval.StatusCode); // checked every interval, not on every request
        Assert.Equal(HttpStatusCode.Redirect, afterInterval.StatusCode);
        await using var check = factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        var ended = await check.AuditEvents.SingleAsync(e => e.Action == AuditActions.SessionEnded);
        Assert.Equal(SessionValidator.NotOnboarded, ended.Reason);
    }

    private RevalidatingPortalAuthenticationStateProvider SignedInCircuit(ClaimsPrincipal user)
    {
        SessionValidator.StampSignIn(user, _portal.Time.GetUtcNow());
        var provider = (RevalidatingPortalAuthenticationStateProvider)_portal.Get<AuthenticationStateProvider>();
        provider.SetAuthenticationState(Task.FromResult(new AuthenticationState(user)));
        return provider;
    }

    private Task<bool> CheckAfterAsync(RevalidatingPortalAuthenticationStateProvider provider, TimeSpan advance) =>
        provider.CheckAfterAsync(_portal.Time, advance);

    private static async Task<bool> IsAuthenticatedAsync(AuthenticationStateProvider provider) =>
        (await provider.GetAuthenticationStateAsync()).User.Identity?.IsAuthenticated == true;

    private async Task RemoveDirectoryAsync(Guid entraTenantId)
    {
        await using var db = _portal.CreateDbContext();
        await db.TenantDirectories.Where(d => d.EntraTenantId == entraTenantId).ExecuteDeleteAsync();
    }

    private async Task<AuditEvent> SessionEndedAuditAsync()
    {
        await using var db = _portal.CreateDbContext();
        return await db.AuditEvents.SingleAsync(e => e.Action == AuditActions.SessionEnded);
    }
}
