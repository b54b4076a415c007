using Microsoft.Playwright;

namespace TenantPortal.E2E;

/// <summary>
/// The tenant admin's main journey once in Japanese — sign in, submit, rotate, revoke — in a browser that prefers
/// Japanese, with axe on every page and dialog on the way, and screenshots. Its own portal: it revokes a key the other
/// journeys expect to find unset.
/// </summary>
public sealed class TenantAdminJapaneseJourneyTests(PortalServerFixture server) : IClassFixture<PortalServerFixture>
{
    private static readonly LocatorAssertionsToHaveTextOptions Patient = new() { Timeout = 15_000 };
    private static readonly LocatorAssertionsToContainTextOptions PatientContains = new() { Timeout = 15_000 };

    [Fact]
    public async Task TenantAdmin_InJapanese_SignsInSubmitsRotatesAndRevokes_ReadingJapaneseThroughout()
    {
        var first = $"sk_live_E2E_ja_first_{Guid.NewGuid():N}";
        var second = $"sk_live_E2E_ja_second_{Guid.NewGuid():N}";
        var context = await server.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = server.BaseUrl, Locale = "ja-JP", ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });
        var page = await context.NewPageAsync();

        // Signing in, and the key page without a key.
        await page.GotoAsync("/tenants/contoso/api-key");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "ja");
        await page.Locator("[data-testid=persona-contoso-admin]").ClickAsync();
        await page.WaitForURLAsync("**/tenants/contoso/api-key");
        await PortalServerFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=rotation-status]")).ToHaveTextAsync("未登録", Patient);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("APIキー · Contoso Ltd");
        await Assertions.Expect(page.Locator("[data-testid=key-status]")).ToContainTextAsync("このテナントのAPIキーはまだ登録されていません。");
        await Accessibility.AssertAccessibleAsync(page, "the API key page without a key, in Japanese");

        // Submitting: the dialog in Japanese, a paste slip refused in Japanese, then the key stored.
        var opener = page.Locator("[data-testid=open-submit-dialog]");
        await Assertions.Expect(opener).ToHaveTextAsync("APIキーを登録");
        await opener.ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog.GetByRole(AriaRole.Heading, new() { Level = 2 })).ToHaveTextAsync("APIキーを登録");
        var input = page.Locator("[data-testid=secret-input]");
        await input.FillAsync(first + " ");
        await input.PressAsync("Tab");
        await page.Locator("[data-testid=submit-api-key]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=secret-input-help]")).ToHaveTextAsync(
            "APIキーの先頭または末尾にスペースか改行があります。多くの場合、コピー＆ペースト時の誤りです。取り除いてからもう一度登録してください。", Patient);
        await Accessibility.AssertAccessibleAsync(page, "the submit dialog showing an error, in Japanese");
        await PortalServerFixture.ScreenshotAsync(page, "submit-dialog-error-ja");
        await input.FillAsync(first);
        await input.PressAsync("Tab");
        await page.Locator("[data-testid=submit-api-key]").ClickAsync();
        await Assertions.Expect(input).ToHaveCountAsync(0, new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("APIキーをバージョン ", PatientContains);
        await Assertions.Expect(page.Locator("[data-testid=masked-hint]")).ToHaveTextAsync("••••" + first[^4..], Patient);
        await Assertions.Expect(page.Locator("[data-testid=rotation-status]")).ToHaveTextAsync("有効");
        await Accessibility.AssertAccessibleAsync(page, "the API key page with a key, in Japanese");
        await PortalServerFixture.ScreenshotAsync(page, "api-key-page-ja");

        // Rotating: a second version becomes current, the first one previous, in its grace period.
        await Assertions.Expect(opener).ToHaveTextAsync("APIキーをローテーション");
        await opener.ClickAsync();
        await Assertions.Expect(dialog.GetByRole(AriaRole.Heading, new() { Level = 2 })).ToHaveTextAsync("APIキーをローテーション");
        await input.FillAsync(second);
        await input.PressAsync("Tab");
        await page.Locator("[data-testid=submit-api-key]").ClickAsync();
        await Assertions.Expect(input).ToHaveCountAsync(0, new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("[data-testid=masked-hint]")).ToHaveTextAsync("••••" + second[^4..], Patient);
        var rows = page.Locator("[data-testid=version-history] tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.Nth(0)).ToContainTextAsync("現行");
        await Assertions.Expect(rows.Nth(1)).ToContainTextAsync("以前");
        await Assertions.Expect(page.Locator("[data-testid=grace-info]")).ToContainTextAsync("まで有効で、その後無効になります。");

        // Revoking: the warning, the reason and the confirmation in Japanese; the result in Japanese.
        await page.Locator("[data-testid=open-revoke]").ClickAsync();
        await Assertions.Expect(dialog.GetByRole(AriaRole.Heading, new() { Level = 2 })).ToHaveTextAsync("APIキーを失効させる");
        await Assertions.Expect(page.Locator("[data-testid=revoke-warning]")).ToContainTextAsync("有効なすべてのバージョンが保管庫ですぐに無効になります。");
        await Accessibility.AssertAccessibleAsync(page, "the revoke dialog, in Japanese");
        await PortalServerFixture.ScreenshotAsync(page, "revoke-dialog-ja");
        await page.Locator("[data-testid=revoke-reason]").FillAsync("日本語のジャーニーで失効");
        await page.Locator("[data-testid=revoke-confirm]").CheckAsync();
        var revokeNow = page.Locator("[data-testid=revoke-submit]");
        await Assertions.Expect(revokeNow).ToHaveTextAsync("今すぐ失効させる");
        await revokeNow.ClickAsync();
        await Assertions.Expect(dialog).ToHaveCountAsync(0, new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator(".mud-snackbar").Last).ToContainTextAsync("キーを失効させました。保管庫で 2 個のバージョンを無効にしました。", PatientContains);
        await Assertions.Expect(page.Locator("[data-testid=rotation-status]")).ToHaveTextAsync("失効", Patient);
        await Assertions.Expect(rows.Nth(0)).ToContainTextAsync("失効");
        await Accessibility.AssertAccessibleAsync(page, "the API key page after a revoke, in Japanese");

        // Home says what to do next, in Japanese.
        await page.GotoAsync("/");
        await PortalServerFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("APIキー", Patient);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 2 })).ToHaveTextAsync("Contoso Ltd");
        await Assertions.Expect(page.Locator("[data-testid=next-step]")).ToHaveTextAsync(
            "キーは失効しました。新しいキーを登録するまで、サービスはお客様に代わってプロバイダーを呼び出せません。");
        await Assertions.Expect(page.Locator("[data-testid=key-card-action]")).ToHaveTextAsync("キーを登録");
        await Accessibility.AssertAccessibleAsync(page, "the home page, in Japanese");
        await PortalServerFixture.ScreenshotAsync(page, "home-ja");

        // Neither value is anywhere in the page or the server's logs.
        var html = await page.ContentAsync();
        Assert.DoesNotContain(first, html, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Portal.AllLogText(), l => l.Contains(first, StringComparison.Ordinal) || l.Contains(second, StringComparison.Ordinal));
        await context.CloseAsync();
    }
}
