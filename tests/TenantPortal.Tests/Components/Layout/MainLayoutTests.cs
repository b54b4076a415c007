using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Components.Layout;

namespace TenantPortal.Tests.Components.Layout;

/// <summary>
/// The shell (app bar, navigation, language switch) rendered in Japanese, as a Japanese request renders it (static HTML),
/// for a persona signed in with the portal's own authorization policies deciding which links it sees.
/// </summary>
public sealed class MainLayoutTests : PortalComponentTestBase
{
    [Fact]
    public void Render_InJapaneseForAPlatformAdmin_ShowsTheShellInJapanese_AndOffersEnglish()
    {
        SignInWithPortalPolicies(DevelopmentPersonas.PlatformAdmin);
        using var japanese = UiCulture.Use("ja-JP");

        var layout = RenderLayout();

        layout.WaitForAssertion(() => Assert.Equal(
            ["ホーム", "ローテーション状況", "このキーは誰のもの？", "テナント一覧", "プラットフォーム設定", "監査ログ"],
            layout.Find("nav").QuerySelectorAll("a").Select(a => a.TextContent.Trim())));
        Assert.Equal("メイン ナビゲーション", layout.Find("nav").GetAttribute("aria-label"));
        Assert.Equal("ナビゲーション メニュー", layout.Find("header button[aria-expanded]").GetAttribute("aria-label"));
        Assert.Equal("ダーク テーマ", layout.Find("[data-testid=theme-toggle]").GetAttribute("aria-label"));
        Assert.Contains("サインアウト", layout.Find("form[action='/authentication/sign-out'] button").TextContent, StringComparison.Ordinal);
        var english = layout.Find("[data-testid=language-en]");
        Assert.Equal("en", english.GetAttribute("lang"));
        Assert.Equal("English", english.TextContent.Trim());
        Assert.Empty(layout.FindAll("[data-testid=language-ja]"));
    }

    [Fact]
    public void Render_InJapaneseForATenantAdmin_NamesTheTenantInTheLinks()
    {
        SignInWithPortalPolicies(DevelopmentPersonas.ContosoAdmin);
        using var japanese = UiCulture.Use("ja");

        var layout = RenderLayout();

        layout.WaitForAssertion(() => Assert.Equal(
            ["ホーム", "APIキー · Contoso Ltd", "テナント · Contoso Ltd", "監査ログ"],
            layout.Find("nav").QuerySelectorAll("a").Select(a => a.TextContent.Trim())));
    }

    [Fact]
    public void Render_InEnglish_ShowsTheEnglishShell_AndOffersJapanese()
    {
        SignInWithPortalPolicies(DevelopmentPersonas.PlatformAdmin);
        using var english = UiCulture.Use("en-US");

        var layout = RenderLayout();

        layout.WaitForAssertion(() => Assert.Equal(
            ["Home", "Rotation status", "Whose key is this?", "Tenants", "Platform settings", "Audit trail"],
            layout.Find("nav").QuerySelectorAll("a").Select(a => a.TextContent.Trim())));
        var japanese = layout.Find("[data-testid=language-ja]");
        Assert.Equal("ja", japanese.GetAttribute("lang"));
        Assert.Equal("日本語", japanese.TextContent.Trim());
    }

    private void SignInWithPortalPolicies(DevelopmentPersona persona)
    {
        Services.AddSingleton<AuthenticationStateProvider>(new SignedIn(DevelopmentSignIn.CreatePrincipal(persona)));
        Services.AddCascadingAuthenticationState();
        Services.AddSingleton(Portal.Get<IAuthorizationService>());
        Services.AddSingleton(Portal.Get<IAuthorizationPolicyProvider>());
    }

    private IRenderedComponent<MainLayout> RenderLayout()
    {
        SetRendererInfo(new RendererInfo("Static", isInteractive: false));
        return Render<MainLayout>(p => p.Add(l => l.Body, (RenderFragment)(b => b.AddContent(0, "page"))));
    }

    private sealed class SignedIn(ClaimsPrincipal user) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(user));
    }
}
