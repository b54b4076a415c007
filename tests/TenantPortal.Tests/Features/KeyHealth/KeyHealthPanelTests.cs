using Bunit;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.KeyHealth;
using static TenantPortal.Tests.Features.KeyHealth.KeyHealthTestData;

namespace TenantPortal.Tests.Features.KeyHealth;

/// <summary>The key page's health panel on a fake clock (the portal's start: 25 Nov 2026 09:00 UTC), in English and Japanese.</summary>
public sealed class KeyHealthPanelTests : PortalComponentTestBase
{
    private static string Text(IRenderedComponent<KeyHealthPanel> panel, string testId) =>
        System.Text.RegularExpressions.Regex.Replace(panel.Find($"[data-testid={testId}]").TextContent, @"\s+", " ").Trim();

    private IRenderedComponent<KeyHealthPanel> RenderPanel() => Render<KeyHealthPanel>(p => p.Add(x => x.TenantId, "contoso"));

    [Fact]
    public async Task Panel_LastUseAndThePreviousVersionsLastUse_AsRelativeTimes()
    {
        var previous = await SubmitAsync(Portal, "sk_live_panel_previous_000001");
        Portal.Time.Advance(TimeSpan.FromMinutes(5));
        var current = await SubmitAsync(Portal, "sk_live_panel_current_0000001");
        Portal.Time.Advance(TimeSpan.FromMinutes(20));
        var now = Portal.Time.GetUtcNow();
        await ReportAsync(Portal, Used(previous, 3, now.AddMinutes(-12)));
        await ReportAsync(Portal, Used(current, 90, now.AddMinutes(-3)));
        SignInAs(DevelopmentPersonas.ContosoAdmin);

        var panel = RenderPanel();

        panel.WaitForAssertion(() => Assert.Equal("Last used by the backend 3 minutes ago.", Text(panel, "last-used")));
        Assert.Equal($"The previous version {previous[..8]} was still used 12 minutes ago: wait before revoking the old key at the provider.",
            Text(panel, "previous-last-used"));
        Assert.Empty(panel.FindAll("[data-testid=key-rejected]"));
        Assert.Empty(panel.FindAll("[data-testid=key-stale]"));
    }

    [Fact]
    public async Task Panel_RelativeTimes_InJapanese_AreWordedTheJapaneseWay()
    {
        var previous = await SubmitAsync(Portal, "sk_live_panel_previous_ja_001");
        Portal.Time.Advance(TimeSpan.FromMinutes(5));
        var current = await SubmitAsync(Portal, "sk_live_panel_current_ja_0001");
        Portal.Time.Advance(TimeSpan.FromHours(4));
        var now = Portal.Time.GetUtcNow();
        await ReportAsync(Portal, Used(previous, 3, now.AddHours(-2)));
        await ReportAsync(Portal, Used(current, 90, now.AddMinutes(-3)));
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        using var japanese = UiCulture.Use("ja");

        var panel = RenderPanel();

        panel.WaitForAssertion(() => Assert.Equal("バックエンドが最後に使用したのは 3分前 です。", Text(panel, "last-used")));
        Assert.Equal($"以前のバージョン {previous[..8]} は 2時間前 にもまだ使用されていました。プロバイダーで古いキーを失効させるのは待ってください。",
            Text(panel, "previous-last-used"));
    }

    [Fact]
    public async Task Panel_PreviousNotUsedSinceTheRotation_SaysItIsSafeToRevokeAtTheProvider()
    {
        var previous = await SubmitAsync(Portal, "sk_live_panel_safe_prev_00001");
        await ReportAsync(Portal, Used(previous, 3, Portal.Time.GetUtcNow()));
        Portal.Time.Advance(TimeSpan.FromMinutes(1));
        var current = await SubmitAsync(Portal, "sk_live_panel_safe_curr_00001");
        Portal.Time.Advance(TimeSpan.FromHours(3));
        await ReportAsync(Portal, Used(current, 3, Portal.Time.GetUtcNow().AddHours(-2)));
        SignInAs(DevelopmentPersonas.ContosoAdmin);

        var panel = RenderPanel();

        panel.WaitForAssertion(() => Assert.Equal("Last used by the backend 2 hours ago.", Text(panel, "last-used")));
        Assert.Equal($"The backend has not used the previous version {previous[..8]} since this key was set: it is safe to revoke the old key at the provider.",
            Text(panel, "previous-last-used"));
    }

    [Fact]
    public async Task Panel_ProviderKeepsRejecting_WarnsWithCountAndStart_InEnglishAndJapanese_ASuccessClearsIt()
    {
        var version = await SubmitAsync(Portal, "sk_live_panel_rejected_000001");
        Portal.Time.Advance(TimeSpan.FromMinutes(12)); // 09:12
        var since = Portal.Time.GetUtcNow();
        await ReportAsync(Portal, Rejected(version, 9, since, since.AddSeconds(50)));
        Portal.Time.Advance(TimeSpan.FromMinutes(1));
        await ReportAsync(Portal, Rejected(version, 5, since.AddMinutes(1), since.AddMinutes(1).AddSeconds(40)));
        SignInAs(DevelopmentPersonas.ContosoAdmin);

        var english = RenderPanel();
        english.WaitForAssertion(() => Assert.Equal("The provider rejected this key 14 times since 09:12 UTC, with no success since — rotate it.", Text(english, "key-rejected")));
        using (UiCulture.Use("ja"))
        {
            var japanese = RenderPanel();
            japanese.WaitForAssertion(() => Assert.Equal("プロバイダーは 09:12 (UTC) 以降このキーを 14 回拒否し、それ以降成功していません。キーをローテーションしてください。",
                Text(japanese, "key-rejected")));
        }

        Portal.Time.Advance(TimeSpan.FromDays(1));
        var nextDay = RenderPanel();
        nextDay.WaitForAssertion(() => Assert.Equal("The provider rejected this key 14 times since 25 Nov 2026 09:12 UTC, with no success since — rotate it.",
            Text(nextDay, "key-rejected")));

        await ReportAsync(Portal, Used(version, 20, Portal.Time.GetUtcNow()));
        var recovered = RenderPanel();
        recovered.WaitForAssertion(() => Assert.Equal("Last used by the backend just now.", Text(recovered, "last-used")));
        Assert.Empty(recovered.FindAll("[data-testid=key-rejected]"));
    }

    [Fact]
    public async Task Panel_UnusedForStaleAfter_ShowsStale_ToSupportToo()
    {
        await SubmitAsync(Portal, "sk_live_panel_stale_000000001");
        Portal.Time.Advance(TimeSpan.FromDays(30));

        SignInAs(DevelopmentPersonas.SupportReader);
        var support = RenderPanel();
        support.WaitForAssertion(() => Assert.Equal(
            "Stale: the backend has not used this key for 30 days or more. If the service no longer needs it, consider revoking it.", Text(support, "key-stale")));
        Assert.Equal("The backend has not reported using this key yet.", Text(support, "last-used"));

    }

    [Fact]
    public async Task Panel_ForAnotherTenantsAdmin_RendersNothing()
    {
        var version = await SubmitAsync(Portal, "sk_live_panel_outsider_000001");
        await ReportAsync(Portal, Rejected(version, 3, Portal.Time.GetUtcNow(), Portal.Time.GetUtcNow()));
        SignInAs(DevelopmentPersonas.FabrikamAdmin);

        var outsider = RenderPanel();

        // Once the service has refused (its denial is audited), the panel still shows nothing.
        outsider.WaitForAssertion(() =>
        {
            using var db = Portal.CreateDbContext();
            Assert.True(db.AuditEvents.Any(e => e.Action == Web.Infrastructure.Audit.AuditActions.ApiKeyView && e.Outcome == Web.Infrastructure.Audit.AuditOutcome.Denied
                && e.ActorTenantId == DevelopmentPersonas.FabrikamAdmin.EntraTenantId));
        });
        Assert.Equal("", outsider.Markup.Trim());
    }

    [Fact]
    public async Task KeyPage_IncludesThePanel()
    {
        var version = await SubmitAsync(Portal, "sk_live_panel_on_page_0000001");
        await ReportAsync(Portal, Used(version, 1, Portal.Time.GetUtcNow()));
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        RenderProviders();

        var page = Render<ApiKeyPage>(p => p.Add(x => x.TenantId, "contoso"));

        page.WaitForAssertion(() => Assert.Contains("Last used by the backend just now.", page.Find("[data-testid=key-health]").TextContent, StringComparison.Ordinal));
    }
}
