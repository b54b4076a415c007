using Microsoft.Playwright;

namespace TenantPortal.E2E;

[Collection(PortalServerGroup.Name)]
public sealed class PlatformAdminJourneyTests(PortalServerFixture server)
{
    [Fact]
    public async Task PlatformAdmin_OnboardsATenantThroughTheBrowser_AndFindsItInTheList()
    {
        var page = await server.NewPageAsync();
        await page.GotoAsync("/dev/sign-in?returnUrl=/platform/tenants");
        await page.Locator("[data-testid=persona-platform-admin]").ClickAsync();
        await page.WaitForURLAsync("**/platform/tenants");
        await PortalServerFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=tenants-grid]")).ToContainTextAsync("Contoso Ltd", new() { Timeout = 15_000 });
        await Accessibility.AssertAccessibleAsync(page, "the tenants page");

        await page.Locator("[data-testid=open-onboard]").ClickAsync();
        await page.Locator("[data-testid=tenant-id]").FillAsync("Globex");
        await page.Locator("[data-testid=tenant-name]").FillAsync("Globex Corporation");
        await page.Locator("[data-testid=tenant-directories]").FillAsync("6a0b0000-0000-4000-8000-0000000e2e01");
        await page.Locator("[data-testid=contact-add]").ClickAsync();
        await page.Locator("[data-testid=contact-email-0]").FillAsync("security@globex.example");
        await page.Locator("[data-testid=tenant-save]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=tenant-error]")).ToContainTextAsync("must be lower case", new() { Timeout = 15_000 });

        await page.Locator("[data-testid=tenant-id]").FillAsync("globex");
        await page.Locator("[data-testid=tenant-id]").PressAsync("Tab");
        await Assertions.Expect(page.GetByText("tenant-globex-api-key")).ToBeVisibleAsync();
        await Accessibility.AssertAccessibleAsync(page, "the onboarding dialog");
        await PortalServerFixture.ScreenshotAsync(page, "onboard-dialog");
        await page.Locator("[data-testid=tenant-save]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=tenant-save]")).ToHaveCountAsync(0, new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("[data-testid=tenants-grid]")).ToContainTextAsync("Globex Corporation", new() { Timeout = 15_000 });
        await PortalServerFixture.ScreenshotAsync(page, "tenants-page");

        await page.GotoAsync("/tenants/globex");
        await PortalServerFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=contacts]")).ToContainTextAsync("security@globex.example", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("[data-testid=open-offboard]")).ToBeVisibleAsync();
        await Accessibility.AssertAccessibleAsync(page, "a tenant's page");

        await page.GetByRole(AriaRole.Link, new() { Name = "Platform settings" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=settings-save]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Accessibility.AssertAccessibleAsync(page, "the platform settings page");

        await page.GetByRole(AriaRole.Link, new() { Name = "Audit trail" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=audit-grid]")).ToContainTextAsync("Tenant.Onboard", new() { Timeout = 15_000 });
        await Accessibility.AssertAccessibleAsync(page, "the audit trail page");
        await page.Context.CloseAsync();
    }
}
