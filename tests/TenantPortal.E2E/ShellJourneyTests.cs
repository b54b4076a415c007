using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Data;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.E2E;

/// <summary>
/// The static shell (docs/architecture.md#shell): the layout is server-rendered HTML, its drawer and theme switch work
/// in the browser (js/shell.js), and only the page and the circuit's own root (CircuitServices) are interactive.
/// </summary>
[Collection(PortalServerGroup.Name)]
public sealed class ShellJourneyTests(PortalServerFixture server)
{
    [Fact]
    public async Task Drawer_ClosesAndOpens_AndStaysAsLeftAcrossPages()
    {
        var page = await SignedInPageAsync("/tenants/contoso/api-key");
        var menu = page.Locator("header [data-drawer-toggle]");
        var drawer = page.Locator("#portal-drawer");
        await Assertions.Expect(menu).ToHaveAttributeAsync("aria-expanded", "true");
        await Assertions.Expect(drawer).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bmud-drawer--open\b"));

        await menu.ClickAsync();
        await Assertions.Expect(menu).ToHaveAttributeAsync("aria-expanded", "false");
        await Assertions.Expect(drawer).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bmud-drawer--closed\b"));

        // Another page, rendered afresh by the server with the drawer open: the browser closes it again.
        await page.GotoAsync("/tenants/contoso");
        await PortalServerFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(menu).ToHaveAttributeAsync("aria-expanded", "false");
        await Assertions.Expect(drawer).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bmud-drawer--closed\b"));

        await menu.ClickAsync();
        await Assertions.Expect(menu).ToHaveAttributeAsync("aria-expanded", "true");
        await Assertions.Expect(drawer).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bmud-drawer--open\b"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ThemeSwitch_ChoosesDark_RemembersItOnTheNextPage_AndBackToTheSystemsLight()
    {
        var page = await SignedInPageAsync("/tenants/contoso/api-key");
        var toggle = page.Locator("[data-testid=theme-toggle]");
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", "false");
        var light = await BackgroundAsync(page);

        await toggle.ClickAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");
        var dark = await BackgroundAsync(page);
        Assert.NotEqual(light, dark);
        Assert.Contains(await page.Context.CookiesAsync(), c => c.Name == "portal-theme" && c.Value == "dark");

        // The server renders the next page dark from the cookie, although the system still prefers light.
        await page.GotoAsync("/tenants/contoso");
        await PortalServerFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.Equal(dark, await BackgroundAsync(page));
        Assert.Equal("all", await page.Locator("style[data-theme-style=dark]").GetAttributeAsync("media"));

        // Switching back to what the system prefers is no choice: the cookie goes and the theme follows the system.
        await toggle.ClickAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", "false");
        Assert.Equal(light, await BackgroundAsync(page));
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "portal-theme");
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Dark });
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.Equal(dark, await BackgroundAsync(page));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task CircuitAuditRows_NameTheBrowsersConnection_AsThePrerenderedRequestDoes()
    {
        var startedAt = DateTimeOffset.UtcNow.AddSeconds(-1);
        // Contoso's admin asks for Fabrikam's key: refused (audited) once when the page is prerendered, once in the circuit.
        var page = await SignedInPageAsync("/tenants/fabrikam/api-key");
        await Assertions.Expect(page.Locator("[data-testid=tenant-not-found]")).ToBeVisibleAsync();
        var userAgent = await page.EvaluateAsync<string>("() => navigator.userAgent");

        await using var db = server.Portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        var refusals = (await db.AuditEvents
                .Where(e => e.Action == AuditActions.ApiKeyView && e.TenantId == "fabrikam" && e.ActorObjectId == DevelopmentPersonas.ContosoAdmin.ObjectId)
                .ToListAsync())
            .Where(e => e.OccurredAt >= startedAt)
            .ToList();
        Assert.True(refusals.Count >= 2, $"expected the prerender's and the circuit's refusal, found {refusals.Count}");
        Assert.All(refusals, e =>
        {
            Assert.Equal(AuditOutcome.Denied, e.Outcome);
            Assert.Equal("127.0.0.1", e.ClientIp);
            Assert.Equal(userAgent, e.UserAgent);
        });
        await page.Context.CloseAsync();
    }

    private async Task<IPage> SignedInPageAsync(string path)
    {
        var page = await server.NewPageAsync();
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Light });
        await page.GotoAsync("/dev/sign-in?returnUrl=" + Uri.EscapeDataString(path));
        await page.Locator("[data-testid=persona-contoso-admin]").ClickAsync();
        await page.WaitForURLAsync("**" + path);
        await PortalServerFixture.WaitForCircuitAsync(page);
        return page;
    }

    private static Task<string> BackgroundAsync(IPage page) =>
        page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('.mud-main-content') ?? document.body).getPropertyValue('--mud-palette-background').trim()");
}
