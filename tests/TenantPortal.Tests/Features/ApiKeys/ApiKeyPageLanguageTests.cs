using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.ApiKeys;

/// <summary>The key page and its dialogs in Japanese, word for word, and the same page in English as it always read.</summary>
public sealed class ApiKeyPageLanguageTests : PortalComponentTestBase
{
    private const string First = "sk_live_language_first_0001";
    private const string Second = "sk_live_language_second_a9F2";

    [Fact]
    public async Task Render_InJapanese_WithAVersionInGrace_ShowsEveryTextInJapanese_AndDatesTheJapaneseWay()
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        var keys = Portal.Get<ApiKeyService>();
        var first = await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(First), default);
        var second = await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Second), default);
        using var japanese = UiCulture.Use("ja");

        var page = Render<ApiKeyPage>(p => p.Add(x => x.TenantId, "contoso"));

        page.WaitForAssertion(() => Assert.Equal("••••a9F2", page.Find("[data-testid=masked-hint]").TextContent));
        Assert.Equal("APIキー · Contoso Ltd", page.Find("h1").TextContent.Trim());
        Assert.Equal("有効", page.Find("[data-testid=rotation-status]").TextContent.Trim());
        Assert.Contains("2026年11月25日 09:00 (UTC) から有効", page.Find("[data-testid=key-status]").TextContent, StringComparison.Ordinal);
        Assert.Equal(
            $"キー ••••a9F2 · バージョン {second.Version!.ShortVersion} · 登録者: Adele Vance · ローテーション期限 2027年2月23日 (90日ごとにローテーション、期限の 30, 14, 7, 1 日前に通知)",
            Squeeze(page.Find("[data-testid=key-status] .mud-typography-body2").TextContent));
        Assert.Equal($"以前のバージョン {first.Version!.ShortVersion} (••••0001) は 2026年12月2日 09:00 (UTC) まで有効で、その後無効になります。",
            Squeeze(page.Find("[data-testid=grace-info]").TextContent));
        Assert.Equal("APIキーをローテーション", page.Find("[data-testid=open-submit-dialog]").TextContent.Trim());
        Assert.Equal("以前のバージョンに戻す", page.Find("[data-testid=restore-previous]").TextContent.Trim());
        Assert.Equal("失効させる", page.Find("[data-testid=open-revoke]").TextContent.Trim());
        Assert.Equal("ローテーション ポリシー", page.Find("[data-testid=policy-link]").TextContent.Trim());
        Assert.Contains("バージョン履歴", page.FindAll("h2").Select(h => h.TextContent.Trim()));
        Assert.Equal(["バージョン", "状態", "キー", "フィンガープリント", "登録者", "登録日時", "ローテーション期限"],
            page.FindAll("[data-testid=version-history] thead th").Select(th => th.TextContent.Trim()));
        var rows = page.FindAll("[data-testid=version-history] tbody tr");
        Assert.Equal("現行", rows[0].Children[1].TextContent.Trim());
        Assert.Equal("以前 · 2026/12/02 まで有効", Squeeze(rows[1].Children[1].TextContent));
        Assert.Equal("2026/11/25 09:00 (UTC)", rows[0].Children[5].TextContent.Trim());
        Assert.Equal("2027/02/23", rows[0].Children[6].TextContent.Trim());
    }

    [Fact]
    public async Task SubmitDialog_InJapanese_ShowsJapaneseTexts_RefusesInJapanese_AndConfirmsInJapanese()
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        using var japanese = UiCulture.Use("ja");
        var dialogs = RenderProviders();
        var page = Render<ApiKeyPage>(p => p.Add(x => x.TenantId, "contoso"));
        page.WaitForAssertion(() => Assert.Equal("このテナントのAPIキーはまだ登録されていません。", page.Find("[data-testid=key-status] .mud-typography-body1").TextContent.Trim()));
        Assert.Equal("未登録", page.Find("[data-testid=rotation-status]").TextContent.Trim());
        Assert.Equal("バージョンはまだありません。", page.Find("[data-testid=version-history] tbody").TextContent.Trim());
        var opened = page.Find("[data-testid=open-submit-dialog]").ClickAsync(new());

        var input = dialogs.WaitForElement("[data-testid=secret-input]");
        Assert.Equal("APIキーを登録", dialogs.Find(".mud-dialog-title h2").TextContent.Trim());
        Assert.Equal("キーはシークレット ストアに書き込まれ、二度と表示できません（登録したご本人にも表示されません）。",
            dialogs.Find(".mud-dialog-content .mud-typography-body2").TextContent.Trim());
        Assert.Equal("APIキー", dialogs.Find("label[for=api-key-value]").TextContent.Trim());
        Assert.Equal("プロバイダーが発行したキーをそのまま貼り付けてください（最大 8 KB）。", dialogs.Find("[data-testid=secret-input-help]").TextContent.Trim());
        Assert.Equal(["キャンセル", "キーを登録"], dialogs.FindAll(".mud-dialog-actions button").Select(b => b.TextContent.Trim()));

        input.Change(First + "\n");
        await CompletionOf(dialogs.Find("[data-testid=submit-api-key]").ClickAsync(new()));
        dialogs.WaitForAssertion(() => Assert.Equal(
            "APIキーの先頭または末尾にスペースか改行があります。多くの場合、コピー＆ペースト時の誤りです。取り除いてからもう一度登録してください。",
            dialogs.Find("[data-testid=secret-input-help]").TextContent.Trim()));
        Assert.Empty(await Portal.StoredVersionsAsync("contoso"));

        dialogs.Find("[data-testid=secret-input]").Change(First);
        await CompletionOf(dialogs.Find("[data-testid=submit-api-key]").ClickAsync(new()));
        await CompletionOf(opened);

        var stored = Assert.Single(await Portal.StoredVersionsAsync("contoso"));
        var snackbar = Assert.Single(Services.GetRequiredService<ISnackbar>().ShownSnackbars);
        Assert.Equal($"APIキーをバージョン {stored.Version[..8]} として登録しました。それまでの現行バージョンがある場合は、以前のバージョンになりました。", snackbar.Message);
    }

    [Fact]
    public async Task RevokeDialog_InJapanese_ExplainsAndAsksInJapanese()
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        await Portal.Get<ApiKeyService>().SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Second), default);
        using var japanese = UiCulture.Use("ja");
        var dialogs = RenderProviders();
        var page = Render<ApiKeyPage>(p => p.Add(x => x.TenantId, "contoso"));

        page.WaitForElement("[data-testid=open-revoke]").Click();

        dialogs.WaitForAssertion(() => Assert.Equal("APIキーを失効させる", dialogs.Find(".mud-dialog-title h2").TextContent.Trim()));
        Assert.StartsWith("猶予期間中のものも含め、有効なすべてのバージョンが保管庫ですぐに無効になります。", dialogs.Find("[data-testid=revoke-warning]").TextContent.Trim(), StringComparison.Ordinal);
        Assert.Equal("CacheTtl", dialogs.Find("[data-testid=revoke-warning] code").TextContent);
        Assert.Equal("ITenantApiKeyProvider.Invalidate(\"contoso\")", dialogs.Find("[data-testid=revoke-invalidate] code").TextContent);
        Assert.Contains("SaaS がこのキーの使用を停止するのはすぐではなく、キャッシュされたコピーの有効期限が切れた時点であることを理解しました", dialogs.Markup, StringComparison.Ordinal);
        Assert.Contains("監査ログに記録されます（例:「サポート チケットにキーが記載された」）。", dialogs.Markup, StringComparison.Ordinal);
        Assert.Equal("今すぐ失効させる", dialogs.Find("[data-testid=revoke-submit]").TextContent.Trim());
    }

    [Fact]
    public async Task Render_InEnglish_ReadsAsItAlwaysDid()
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        var keys = Portal.Get<ApiKeyService>();
        var first = await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(First), default);
        var second = await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Second), default);
        using var english = UiCulture.Use("en");

        var page = Render<ApiKeyPage>(p => p.Add(x => x.TenantId, "contoso"));

        page.WaitForAssertion(() => Assert.Equal("••••a9F2", page.Find("[data-testid=masked-hint]").TextContent));
        Assert.Equal("API key · Contoso Ltd", page.Find("h1").TextContent.Trim());
        Assert.Equal("Active since 25 Nov 2026 09:00 UTC", page.Find("[data-testid=key-status] .mud-typography-body1").TextContent.Trim());
        Assert.Equal(
            $"Key ••••a9F2 · version {second.Version!.ShortVersion} · set by Adele Vance · rotate by 23 Feb 2027 (every 90 days; reminders 30, 14, 7, 1 days before)",
            Squeeze(page.Find("[data-testid=key-status] .mud-typography-body2").TextContent));
        Assert.Equal($"The previous version {first.Version!.ShortVersion} (••••0001) stays enabled until 2 Dec 2026 09:00 UTC, then it is disabled.",
            Squeeze(page.Find("[data-testid=grace-info]").TextContent));
        Assert.Equal(["Version", "Status", "Key", "Fingerprint", "Set by", "Set at", "Rotate by"],
            page.FindAll("[data-testid=version-history] thead th").Select(th => th.TextContent.Trim()));
        var rows = page.FindAll("[data-testid=version-history] tbody tr");
        Assert.Equal("Previous · enabled until 2026-12-02", Squeeze(rows[1].Children[1].TextContent));
        Assert.Equal("2026-11-25 09:00 UTC", rows[0].Children[5].TextContent.Trim());
    }

    private static string Squeeze(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
