using Microsoft.Playwright;

namespace TenantPortal.E2E;

[Collection(PortalServerGroup.Name)]
public sealed class TenantAdminJourneyTests(PortalServerFixture server)
{
    private static readonly LocatorAssertionsToHaveTextOptions Patient = new() { Timeout = 15_000 };

    [Fact]
    public async Task TenantAdmin_SignsInSubmitsAndRotates_AndSeesOnlyMetadata()
    {
        var first = $"sk_live_E2E_first_{Guid.NewGuid():N}";
        var second = $"sk_live_E2E_second_{Guid.NewGuid():N}";
        var page = await server.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add(message.Text);
            }
        };

        // Signing in: the protected page sends us to the persona picker and back.
        await page.GotoAsync("/tenants/contoso/api-key");
        await Accessibility.AssertAccessibleAsync(page, "the development sign-in page");
        await page.Locator("[data-testid=persona-contoso-admin]").ClickAsync();
        await page.WaitForURLAsync("**/tenants/contoso/api-key");
        await PortalServerFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=rotation-status]")).ToHaveTextAsync("Not set", Patient);
        await Accessibility.AssertAccessibleAsync(page, "the API key page without a key");

        // Submitting the first key.
        await SubmitAsync(page, first);
        await Assertions.Expect(page.Locator("[data-testid=masked-hint]")).ToHaveTextAsync("••••" + first[^4..], Patient);
        await Assertions.Expect(page.Locator("[data-testid=rotation-status]")).ToHaveTextAsync("Active");
        await Accessibility.AssertAccessibleAsync(page, "the API key page with a key");
        await PortalServerFixture.ScreenshotAsync(page, "api-key-page");
        await Accessibility.UseThemeAsync(page, ColorScheme.Dark);
        await PortalServerFixture.ScreenshotAsync(page, "api-key-page-dark");
        await Accessibility.UseThemeAsync(page, ColorScheme.Light);

        // Rotating: a second version becomes current, the first becomes previous.
        await SubmitAsync(page, second);
        await Assertions.Expect(page.Locator("[data-testid=masked-hint]")).ToHaveTextAsync("••••" + second[^4..], Patient);
        var rows = page.Locator("[data-testid=version-history] tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.Nth(0)).ToContainTextAsync("Current");
        await Assertions.Expect(rows.Nth(1)).ToContainTextAsync("Previous");

        // Neither value is anywhere in the page, the field, or the server's logs.
        var html = await page.ContentAsync();
        Assert.DoesNotContain(first, html, StringComparison.Ordinal);
        Assert.DoesNotContain(second, html, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Portal.AllLogText(), l => l.Contains(first, StringComparison.Ordinal) || l.Contains(second, StringComparison.Ordinal));
        // The strict Content-Security-Policy did not block anything the portal needs.
        Assert.Empty(violations);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task TenantAdmin_SubmitsAPastedKeyWithATrailingNewline_IsToldWhyAndNothingIsStored()
    {
        var page = await server.NewPageAsync();
        await page.GotoAsync("/dev/sign-in?returnUrl=/tenants/fabrikam/api-key");
        await page.Locator("[data-testid=persona-fabrikam-admin]").ClickAsync();
        await page.WaitForURLAsync("**/tenants/fabrikam/api-key");
        await PortalServerFixture.WaitForCircuitAsync(page);

        await page.Locator("[data-testid=open-submit-dialog]").ClickAsync();
        var input = page.Locator("[data-testid=secret-input]");
        await input.FillAsync("sk_live_with_trailing_space_0001 ");
        await input.PressAsync("Tab");
        await page.Locator("[data-testid=submit-api-key]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=secret-input-help]")).ToContainTextAsync("copy-and-paste", new() { Timeout = 15_000 });
        await Assertions.Expect(input).ToHaveValueAsync("");
        await Accessibility.AssertAccessibleAsync(page, "the submit dialog showing an error");
        await PortalServerFixture.ScreenshotAsync(page, "submit-dialog-error");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.Locator("[data-testid=rotation-status]")).ToHaveTextAsync("Not set");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task SupportReader_SeesEveryTenantsStatus_AndNoKeyActions()
    {
        var page = await server.NewPageAsync();
        await page.GotoAsync("/dev/sign-in");
        await page.Locator("[data-testid=persona-support]").ClickAsync();
        await PortalServerFixture.WaitForCircuitAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Rotation status" }).First.ClickAsync();

        var grid = page.Locator("[data-testid=rotation-grid]");
        await Assertions.Expect(grid).ToContainTextAsync("Contoso Ltd", new() { Timeout = 15_000 });
        await Assertions.Expect(grid).ToContainTextAsync("Fabrikam Inc");
        await Assertions.Expect(grid).ToContainTextAsync("Northwind Traders");
        await Accessibility.AssertAccessibleAsync(page, "the rotation status page");
        await Assertions.Expect(page.Locator("[data-testid=open-submit-dialog]")).ToHaveCountAsync(0);
        await PortalServerFixture.ScreenshotAsync(page, "rotation-status");
        await page.Context.CloseAsync();
    }

    internal static async Task SubmitAsync(IPage page, string value)
    {
        await page.Locator("[data-testid=open-submit-dialog]").ClickAsync();
        var input = page.Locator("[data-testid=secret-input]");
        await input.FillAsync(value);
        await input.PressAsync("Tab");
        await page.Locator("[data-testid=submit-api-key]").ClickAsync();
        await Assertions.Expect(input).ToHaveCountAsync(0, new() { Timeout = 15_000 });
    }
}
