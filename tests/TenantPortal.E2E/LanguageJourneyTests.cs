using Microsoft.Playwright;

namespace TenantPortal.E2E;

/// <summary>The language switch in the app bar, the cookie that remembers it, and the browser's language without a choice.</summary>
[Collection(PortalServerGroup.Name)]
public sealed class LanguageJourneyTests(PortalServerFixture server)
{
    private static readonly LocatorAssertionsToContainTextOptions Patient = new() { Timeout = 15_000 };

    [Fact]
    public async Task PlatformAdmin_SwitchesToJapanese_AndThePortalStaysJapaneseUntilSwitchedBack()
    {
        var page = await server.NewPageAsync();
        await page.GotoAsync("/dev/sign-in?returnUrl=/platform/tenants");
        await page.Locator("[data-testid=persona-platform-admin]").ClickAsync();
        await page.WaitForURLAsync("**/platform/tenants");
        await PortalServerFixture.WaitForCircuitAsync(page);
        var pager = page.Locator("[data-testid=tenants-grid] .mud-table-pagination");
        await Assertions.Expect(pager).ToContainTextAsync("Rows per page:", Patient);

        // The switch posts the choice and comes back to the same page, now in Japanese: the shell's own texts and
        // MudBlazor's (the grid's pager), and the document's language for screen readers.
        await page.Locator("[data-testid=language-ja]").ClickAsync();
        await page.WaitForURLAsync("**/platform/tenants");
        await PortalServerFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "ja");
        await Assertions.Expect(pager).ToContainTextAsync("1 ページの行数:", Patient);
        var nav = page.GetByRole(AriaRole.Navigation, new() { Name = "メイン ナビゲーション" });
        await Assertions.Expect(nav).ToContainTextAsync("プラットフォーム設定");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "サインアウト" })).ToBeVisibleAsync();
        await Accessibility.AssertAccessibleAsync(page, "the tenants page in Japanese");
        await PortalServerFixture.ScreenshotAsync(page, "tenants-page-ja");

        // Navigating inside the circuit and loading a page afresh both keep the choice (the culture cookie).
        await nav.GetByRole(AriaRole.Link, new() { Name = "監査ログ" }).ClickAsync();
        await page.WaitForURLAsync("**/audit");
        await Assertions.Expect(page.Locator("[data-testid=audit-grid] .mud-table-pagination")).ToContainTextAsync("1 ページの行数:", Patient);
        await page.ReloadAsync();
        await PortalServerFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(nav).ToContainTextAsync("監査ログ");

        // And back to English.
        await page.Locator("[data-testid=language-en]").ClickAsync();
        await page.WaitForURLAsync("**/audit");
        await PortalServerFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Main navigation" })).ToContainTextAsync("Audit trail");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Visitor_WhoseBrowserPrefersJapanese_GetsTheSignInPageInJapanese()
    {
        var context = await server.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl, Locale = "ja-JP" });
        var page = await context.NewPageAsync();

        await page.GotoAsync("/dev/sign-in");

        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "ja");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("サインイン");
        await Assertions.Expect(page.Locator("[data-testid=persona-contoso-admin]")).ToHaveTextAsync("Adele Vance としてサインイン");
        await Accessibility.AssertAccessibleAsync(page, "the sign-in page in Japanese");
        await PortalServerFixture.ScreenshotAsync(page, "sign-in-ja");
        await context.CloseAsync();
    }
}
