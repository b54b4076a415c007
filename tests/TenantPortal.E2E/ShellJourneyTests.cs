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
        // On a wide screen the drawer sits beside the page: nothing dims it.
        await Assertions.Expect(page.Locator("[data-testid=drawer-overlay]")).ToBeHiddenAsync();

        await menu.ClickAsync();
        await Assertions.Expect(menu).ToHaveAttributeAsync("aria-expanded", "false");
        await Assertions.Expect(drawer).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bmud-drawer--closed\b"));

        // Another page by enhanced navigation (the server's markup has the drawer open): the browser closes it again.
        await page.Locator("[data-testid=policy-link]").ClickAsync();
        await page.WaitForURLAsync("**/tenants/contoso");
        await PortalServerFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(menu).ToHaveAttributeAsync("aria-expanded", "false");
        await Assertions.Expect(drawer).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bmud-drawer--closed\b"));
        // The new page's heading has focus, so a keyboard or screen-reader user starts there (FocusOnNavigate).
        await Assertions.Expect(page.Locator("main h1")).ToBeFocusedAsync();

        // The key page's circuit had no popover provider; this page's select opens its list all the same.
        await page.Locator("[data-testid=probe-method]").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "HEAD" })).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);

        await menu.ClickAsync();
        await Assertions.Expect(menu).ToHaveAttributeAsync("aria-expanded", "true");
        await Assertions.Expect(drawer).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bmud-drawer--open\b"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Drawer_OnANarrowScreen_StartsClosed_OpensOnRequest_AndClosesOnAClickBesideIt_OrWhenOneOfItsLinksIsFollowed()
    {
        var page = await SignedInPageAsync("/tenants/contoso/api-key");
        await page.SetViewportSizeAsync(600, 800);
        await page.ReloadAsync();
        await PortalServerFixture.WaitForCircuitAsync(page);
        var menu = page.Locator("header [data-drawer-toggle]");
        var drawer = page.Locator("#portal-drawer");
        await Assertions.Expect(menu).ToHaveAttributeAsync("aria-expanded", "false");
        await Assertions.Expect(drawer).Not.ToBeInViewportAsync();

        // Open, it dims the page beside it; a click there closes it.
        var overlay = page.Locator("[data-testid=drawer-overlay]");
        await Assertions.Expect(overlay).ToBeHiddenAsync();
        await menu.ClickAsync();
        await Assertions.Expect(menu).ToHaveAttributeAsync("aria-expanded", "true");
        await Assertions.Expect(drawer).ToBeInViewportAsync();
        await Assertions.Expect(overlay).ToBeVisibleAsync();
        await page.Mouse.ClickAsync(500, 400);
        await Assertions.Expect(menu).ToHaveAttributeAsync("aria-expanded", "false");
        await Assertions.Expect(drawer).Not.ToBeInViewportAsync();
        await Assertions.Expect(overlay).ToBeHiddenAsync();

        await menu.ClickAsync();
        await Assertions.Expect(drawer).ToBeInViewportAsync();
        await page.Locator("nav a[href='/tenants/contoso']").ClickAsync();
        await page.WaitForURLAsync("**/tenants/contoso");
        await PortalServerFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(menu).ToHaveAttributeAsync("aria-expanded", "false");
        await Assertions.Expect(drawer).Not.ToBeInViewportAsync();
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

        // The next page (enhanced navigation) and a fresh load are dark from the cookie, though the system prefers light.
        await page.Locator("nav a[href='/tenants/contoso']").ClickAsync();
        await page.WaitForURLAsync("**/tenants/contoso");
        await PortalServerFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.Equal(dark, await BackgroundAsync(page));
        await page.ReloadAsync();
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
        // Fabrikam's admin asks for Contoso's tenant page (an interactive page): refused (audited) once when the page is
        // prerendered, once in the circuit.
        var page = await SignedInPageAsync("/tenants/contoso", "persona-fabrikam-admin");
        await Assertions.Expect(page.Locator("[data-testid=tenant-not-found]")).ToBeVisibleAsync();
        var userAgent = await page.EvaluateAsync<string>("() => navigator.userAgent");

        // The circuit's first render shows the page loading (the marker above is the circuit's, so the prerendered
        // refusal is gone by then): the refusal is on the page again only once the circuit's read, and the denial row it
        // waits for, is done.
        var refusals = await RefusalsAsync(startedAt);

        Assert.Equal(2, refusals.Count);
        Assert.All(refusals, e =>
        {
            Assert.Equal(AuditOutcome.Denied, e.Outcome);
            Assert.Equal("127.0.0.1", e.ClientIp);
            Assert.Equal(userAgent, e.UserAgent);
        });
        await page.Context.CloseAsync();
    }

    private async Task<List<AuditEvent>> RefusalsAsync(DateTimeOffset since)
    {
        await using var db = server.Portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        return (await db.AuditEvents
                .Where(e => e.Action == AuditActions.TenantView && e.TenantId == "contoso" && e.ActorObjectId == DevelopmentPersonas.FabrikamAdmin.ObjectId)
                .ToListAsync())
            .Where(e => e.OccurredAt >= since)
            .ToList();
    }

    private async Task<IPage> SignedInPageAsync(string path, string persona = "persona-contoso-admin")
    {
        var page = await server.NewPageAsync();
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Light });
        await page.GotoAsync("/dev/sign-in?returnUrl=" + Uri.EscapeDataString(path));
        await page.Locator($"[data-testid={persona}]").ClickAsync();
        await page.WaitForURLAsync("**" + path);
        await PortalServerFixture.WaitForCircuitAsync(page);
        return page;
    }

    private static Task<string> BackgroundAsync(IPage page) =>
        page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('.mud-main-content') ?? document.body).getPropertyValue('--mud-palette-background').trim()");
}
