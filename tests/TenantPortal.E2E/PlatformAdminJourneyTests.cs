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

    [Fact]
    public async Task PlatformAdmin_InJapanese_OnboardsATenantAndSetsThePlatformPolicy_EveryPageInJapanese()
    {
        var context = await server.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = server.BaseUrl, Locale = "ja-JP", ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/dev/sign-in?returnUrl=/platform/tenants");
        await page.Locator("[data-testid=persona-platform-admin]").ClickAsync();
        await page.WaitForURLAsync("**/platform/tenants");
        await PortalServerFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=tenants-grid]")).ToContainTextAsync("Contoso Ltd", new() { Timeout = 15_000 });
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("テナント");
        await Assertions.Expect(page.Locator("[data-testid=tenants-grid] thead")).ToContainTextAsync("ローテーション");

        await page.Locator("[data-testid=open-onboard]").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "テナントのオンボード" })).ToBeVisibleAsync();
        await page.Locator("[data-testid=tenant-id]").FillAsync("Umbrella");
        await page.Locator("[data-testid=tenant-name]").FillAsync("Umbrella Corporation");
        await page.Locator("[data-testid=tenant-directories]").FillAsync("6a0b0000-0000-4000-8000-0000000e2e02");
        await page.Locator("[data-testid=tenant-save]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=tenant-error]")).ToHaveTextAsync(
            "テナント ID は小文字 (a-z、0-9、ハイフン) で、先頭と末尾は英字か数字にする必要があります (例: contoso-eu)。", new() { Timeout = 15_000 });

        await page.Locator("[data-testid=tenant-id]").FillAsync("umbrella");
        await page.Locator("[data-testid=tenant-id]").PressAsync("Tab");
        await Assertions.Expect(page.GetByText("キーは tenant-umbrella-api-key として保存されます。", new() { Exact = false })).ToBeVisibleAsync();
        await Accessibility.AssertAccessibleAsync(page, "the onboarding dialog in Japanese");
        await PortalServerFixture.ScreenshotAsync(page, "onboard-dialog-ja");
        await page.Locator("[data-testid=tenant-save]").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync(
            "テナント umbrella をオンボードしました。キーはシークレット tenant-umbrella-api-key として保存されます。", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("[data-testid=tenants-grid]")).ToContainTextAsync("Umbrella Corporation", new() { Timeout = 15_000 });

        await page.GotoAsync("/tenants/umbrella");
        await PortalServerFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=policy-text]")).ToHaveTextAsync("90 日ごと、リマインダーは期限の 30, 14, 7, 1 日前、猶予期間 7 日",
            new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("[data-testid=contacts]")).ToContainTextAsync("連絡先はありません。");
        await Accessibility.AssertAccessibleAsync(page, "a tenant's page in Japanese");
        await PortalServerFixture.ScreenshotAsync(page, "tenant-page-ja");

        await page.GetByRole(AriaRole.Link, new() { Name = "プラットフォーム設定" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=settings-save]")).ToHaveTextAsync("設定を保存", new() { Timeout = 15_000 });
        // The page is prerendered first: its form takes input only once its circuit is up.
        await PortalServerFixture.WaitForCircuitAsync(page);
        await page.Locator("input[data-testid=settings-max]").FillAsync("30");
        await page.Locator("input[data-testid=settings-max]").PressAsync("Tab");
        await page.Locator("[data-testid=settings-save]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=settings-error]")).ToHaveTextAsync("既定のローテーション間隔 (90 日) は最長 (30 日) を超えられません。",
            new() { Timeout = 15_000 });
        await page.Locator("input[data-testid=settings-max]").FillAsync("365");
        await page.Locator("input[data-testid=settings-max]").PressAsync("Tab");
        await page.Locator("[data-testid=settings-save]").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("プラットフォーム設定を保存しました。", new() { Timeout = 15_000 });
        await Accessibility.AssertAccessibleAsync(page, "the platform settings page in Japanese");
        await PortalServerFixture.ScreenshotAsync(page, "platform-settings-ja");

        await page.GetByRole(AriaRole.Link, new() { Name = "監査ログ" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=audit-grid]")).ToContainTextAsync("Tenant.Onboard", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("[data-testid=audit-grid] thead")).ToContainTextAsync("実行者");
        await Accessibility.AssertAccessibleAsync(page, "the audit trail page in Japanese");
        await context.CloseAsync();
    }
}
