using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using OpenIddict.Abstractions;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.E2E;

/// <summary>
/// The Production portal over HTTPS with Entra sign-in against the test issuer, on a fake clock: Chromium signs in
/// through the real OpenID Connect handler and keeps a Blazor circuit open while the test moves the clock.
/// </summary>
public sealed class EntraPortalServerFixture : PortalServerFixture
{
    public static readonly Guid HomeTenant = Guid.Parse("9e7b0a4c-0000-4000-8000-00000000e001");
    public static readonly Guid ContosoDirectory = Guid.Parse("c0c0c0c0-0000-4000-8000-00000000e002");

    public TestOidcIssuer Issuer { get; private set; } = null!;

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    protected override bool IgnoreHttpsErrors => true;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Portal.OnboardAsync("contoso", "Contoso Ltd", ContosoDirectory);
    }

    protected override async Task<PortalAppFactory> CreatePortalAsync()
    {
        Issuer = await TestOidcIssuer.StartAsync();
        var portal = new PortalAppFactory
        {
            Environment = "Production",
            ConfigureServices = services =>
            {
                Issuer.TrustFromPortal(services);
                services.AddSingleton<TimeProvider>(Time);
            },
        }
            .WithSetting("Authentication:HomeTenantId", HomeTenant.ToString())
            .WithSetting("Database:MigrateAtStartup", "true");
        foreach (var (key, value) in Issuer.PortalSettings())
        {
            portal.WithSetting(key, value);
        }

        return portal;
    }

    /// <summary>HTTPS, as in Production: the session and correlation cookies are Secure.</summary>
    protected override void UseKestrel(PortalAppFactory portal)
    {
        var certificate = KeyVaultFake.CreateCertificate();
        portal.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Issuer.DisposeAsync();
    }
}

public sealed class EntraSessionJourneyTests(EntraPortalServerFixture server) : IClassFixture<EntraPortalServerFixture>
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);
    private static readonly LocatorAssertionsToHaveTextOptions Patient = new() { Timeout = 15_000 };

    [Fact]
    public async Task TenantAdmin_DisabledInEntra_IsSignedOutOfTheOpenPage_AtTheNextCheck()
    {
        var user = TestUser.In(EntraPortalServerFixture.ContosoDirectory, PortalRoles.TenantAdmin);
        var page = await server.NewPageAsync();

        // Entra sign-in in the browser: challenge, the issuer's authorize endpoint, form_post back to /signin-oidc.
        server.Issuer.SignInNext(user);
        await page.GotoAsync("/tenants/contoso/api-key");
        await page.WaitForURLAsync("**/tenants/contoso/api-key");
        await PortalServerFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=rotation-status]")).ToHaveTextAsync("Not set", Patient);

        // A check while the account is fine: Entra renews the session and the open page stays.
        var refreshes = Refreshes();
        await AdvanceUntilAsync(() => Refreshes() > refreshes);
        await Task.Delay(500);
        Assert.EndsWith("/tenants/contoso/api-key", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("[data-testid=rotation-status]")).ToHaveTextAsync("Not set");

        // An admin disables the account in Entra: the next check ends the circuit's session, the page goes to sign
        // in, and Entra refuses that sign-in too.
        server.Issuer.UpdateDirectory(user.ObjectId, s => s with { Disabled = true });
        server.Issuer.SignInNext(user);
        await AdvanceUntilAsync(() => page.Url.Contains(SignInRefusal.FailedPath, StringComparison.Ordinal));
        await page.WaitForURLAsync($"**{SignInRefusal.FailedPath}", new PageWaitForURLOptions { Timeout = 20_000 });
        await PortalServerFixture.ScreenshotAsync(page, "entra-session-ended");

        await using var db = server.Portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        // The circuit ends the session first; the cookie the browser still holds is refused again on its next request.
        var ended = await db.AuditEvents.Where(e => e.Action == AuditActions.SessionEnded && e.ActorObjectId == user.ObjectId).ToListAsync();
        Assert.NotEmpty(ended);
        Assert.All(ended, e => Assert.Equal("Entra ID refused to renew the session (invalid_grant, AADSTS50057)", e.Reason));
        await page.Context.CloseAsync();
    }

    private int Refreshes() => server.Issuer.TokenRequests.Count(r => r.GrantType == OpenIddictConstants.GrantTypes.RefreshToken);

    /// <summary>
    /// Moves the clock an interval at a time until <paramref name="done"/>. The circuit arms its next check only after
    /// the previous one has finished, so a single move can come too early on a loaded machine; a check that has
    /// nothing to do (the next move) changes nothing.
    /// </summary>
    private async Task AdvanceUntilAsync(Func<bool> done)
    {
        for (var moves = 0; moves < 10; moves++)
        {
            server.Time.Advance(Interval);
            for (var waited = 0; waited < 40; waited++)
            {
                if (done())
                {
                    return;
                }

                await Task.Delay(50);
            }
        }

        Assert.Fail("The circuit did not check its session after ten intervals.");
    }
}
