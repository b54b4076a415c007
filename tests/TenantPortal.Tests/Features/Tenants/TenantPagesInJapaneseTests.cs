using Bunit;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Features.Tenants;

namespace TenantPortal.Tests.Features.Tenants;

/// <summary>
/// The platform admin's tenant pages and the onboarding dialog rendered in Japanese, as a Japanese request's circuit
/// renders them: the page's own texts, the service's refusal and confirmation in the same language.
/// </summary>
public sealed class TenantPagesInJapaneseTests : PortalComponentTestBase
{
    [Fact]
    public void TenantsPage_InJapanese_ShowsHeadingColumnsAndRowsInJapanese()
    {
        SignInAs(DevelopmentPersonas.PlatformAdmin);
        using var japanese = UiCulture.Use("ja-JP");
        RenderProviders();

        var page = Render<TenantsPage>();

        page.WaitForAssertion(() => Assert.Contains("Contoso Ltd", page.Find("[data-testid=tenants-grid]").TextContent, StringComparison.Ordinal));
        Assert.Equal("テナント", page.Find("h1").TextContent.Trim());
        Assert.Equal("顧客のオンボード、Entra テナントの割り当て、オフボードを行います。", page.Find("h1 + p").TextContent.Trim());
        Assert.Equal("テナントをオンボード", page.Find("[data-testid=open-onboard]").TextContent.Trim());
        Assert.Equal("名前、ID、Entra テナント ID で検索", page.Find("input[data-testid=tenants-search]").GetAttribute("placeholder"));
        Assert.Equal(["テナント", "ID", "Entra テナント", "連絡先", "ローテーション", "キー", "状態"],
            page.FindAll("[data-testid=tenants-grid] th").Select(th => th.TextContent.Trim()));
        var contoso = page.FindAll("[data-testid=tenants-grid] tbody tr").Single(r => r.TextContent.Contains("Contoso Ltd", StringComparison.Ordinal));
        var cells = contoso.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToList();
        Assert.Equal("90 日ごと", cells[4]);
        Assert.Equal("有効", cells[6]);
        Assert.Contains("オフボード済みを表示", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnboardDialog_InJapanese_ShowsItsTextsAndTheRuleInJapanese_ThenConfirmsInJapanese()
    {
        SignInAs(DevelopmentPersonas.PlatformAdmin);
        using var japanese = UiCulture.Use("ja-JP");
        var dialogs = RenderProviders();
        var page = Render<TenantsPage>();
        var opened = page.WaitForElement("[data-testid=open-onboard]").ClickAsync(new());

        dialogs.WaitForElement("[data-testid=tenant-id]");
        Assert.Equal("テナントのオンボード", dialogs.Find(".mud-dialog-title h2").TextContent.Trim());
        var labels = dialogs.FindAll(".mud-dialog label").Select(l => l.TextContent.Trim()).ToList();
        Assert.Contains("テナント ID", labels);
        Assert.Contains("表示名", labels);
        Assert.Contains("Entra テナント ID", labels);
        Assert.Contains("1 行に 1 つのディレクトリ (テナント) ID を入力します。これらの Entra テナントからサインインしたユーザーが、このテナントとして操作します。",
            dialogs.Markup, StringComparison.Ordinal);
        Assert.Equal(["キャンセル", "オンボード"], dialogs.FindAll(".mud-dialog-actions button").Select(b => b.TextContent.Trim()));

        dialogs.Find("[data-testid=tenant-id]").Input("Acme");
        dialogs.Find("[data-testid=tenant-name]").Input("Acme Corp");
        dialogs.Find("[data-testid=tenant-directories]").Change("3f1c0000-0000-4000-8000-0000000000aa");
        await CompletionOf(dialogs.Find("[data-testid=tenant-save]").ClickAsync(new()));

        dialogs.WaitForAssertion(() => Assert.Equal(
            "テナント ID は小文字 (a-z、0-9、ハイフン) で、先頭と末尾は英字か数字にする必要があります (例: contoso-eu)。",
            dialogs.Find("[data-testid=tenant-error]").TextContent.Trim()));

        dialogs.Find("[data-testid=tenant-id]").Input("acme");
        dialogs.WaitForAssertion(() => Assert.Contains(
            "英小文字、数字、ハイフンが使えます。キーは tenant-acme-api-key として保存されます。キーの登録後は ID を変更できません。",
            dialogs.Markup, StringComparison.Ordinal));
        await CompletionOf(dialogs.Find("[data-testid=tenant-save]").ClickAsync(new()));
        await CompletionOf(opened);

        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-testid=tenant-save]")));
        Assert.Contains(Services.GetRequiredService<MudBlazor.ISnackbar>().ShownSnackbars,
            b => b.Message == "テナント acme をオンボードしました。キーはシークレット tenant-acme-api-key として保存されます。");
    }

    [Fact]
    public void TenantPage_InJapanese_ShowsSectionsPolicyAndDatesInJapanese()
    {
        SignInAs(DevelopmentPersonas.PlatformAdmin);
        using var japanese = UiCulture.Use("ja-JP");
        RenderProviders();

        var page = Render<TenantPage>(p => p.Add(x => x.TenantId, "contoso"));

        page.WaitForAssertion(() => Assert.Equal("Contoso Ltd", page.Find("h1").TextContent.Trim()));
        Assert.Equal(["Entra テナント", "連絡先", "ローテーション ポリシー"], page.FindAll("h2").Select(h => h.TextContent.Trim()));
        Assert.Equal(["APIキー", "編集", "オフボード"], page.FindAll("a.mud-button-root, button.mud-button-root")
            .Select(b => b.TextContent.Trim()).Where(t => t is "APIキー" or "編集" or "オフボード"));
        Assert.Equal("90 日ごと、リマインダーは期限の 30, 14, 7, 1 日前、猶予期間 7 日", page.Find("[data-testid=policy-text]").TextContent.Trim());
        Assert.Matches(@"^ID contoso · シークレット tenant-contoso-api-key\s+· \d{4}年\d{1,2}月\d{1,2}日 にオンボード$",
            page.Find("h1 + p").TextContent.Trim());
    }
}
