using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Features.KeyHealth;
using static TenantPortal.Tests.Features.KeyHealth.KeyHealthTestData;

namespace TenantPortal.Tests.Features.KeyHealth;

public sealed class KeyHealthSupportPageTests : PortalComponentTestBase
{
    [Fact]
    public async Task Page_ForSupport_ListsTheRejectedKeyWithItsCount_StaleListIsEmpty_UnknownListSaysSo()
    {
        var version = await SubmitAsync(Portal, "sk_live_support_page_000000001");
        var at = Portal.Time.GetUtcNow();
        await ReportAsync(Portal, Rejected(version, 14, at, at.AddSeconds(30)));
        SignInAs(DevelopmentPersonas.SupportReader);
        RenderProviders();
        using var english = UiCulture.Use("en");

        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo("/support/key-health?problem=rejected");
        var rejected = Render<KeyHealthSupportPage>();

        rejected.WaitForAssertion(() => Assert.Single(rejected.FindAll("[data-testid=key-health-row]")));
        var row = rejected.Find("[data-testid=key-health-row]");
        Assert.Contains("Contoso Ltd", row.TextContent, StringComparison.Ordinal);
        Assert.Contains(version[..8], row.TextContent, StringComparison.Ordinal);
        // Dates as the other pages write them, through the page's resources: "25 Nov 2026 09:00 UTC".
        Assert.Equal(["25 Nov 2026 09:00 UTC", "14 times since 25 Nov 2026 09:00 UTC"],
            row.QuerySelectorAll("td").Skip(2).Select(td => System.Text.RegularExpressions.Regex.Replace(td.TextContent, @"\s+", " ").Trim()));
        Assert.Equal("/tenants/contoso/api-key", row.QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal(["Tenant", "Version", "Last used", "Rejected"], rejected.FindAll("[data-testid=key-health-list] thead th").Select(th => th.TextContent.Trim()));

        navigation.NavigateTo("/support/key-health?problem=stale");
        rejected.WaitForAssertion(() => Assert.Equal("No tenant is on this list.", rejected.Find("[data-testid=key-health-empty]").TextContent.Trim()));
        // A stale key has no fourth column (no "grace ended" it has nothing for).
        Assert.Equal(["Tenant", "Version", "Last used"], rejected.FindAll("[data-testid=key-health-list] thead th").Select(th => th.TextContent.Trim()));
        Assert.Equal("3", rejected.Find("[data-testid=key-health-empty]").GetAttribute("colspan"));

        navigation.NavigateTo("/support/key-health?problem=sk_live_nonsense");
        rejected.WaitForAssertion(() => Assert.Equal("There is no such key health list: choose one of the lists above.",
            rejected.Find("[data-testid=key-health-unknown]").TextContent.Trim()));
        Assert.DoesNotContain("sk_live_nonsense", rejected.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_InJapanese_WritesDatesAndCountsTheJapaneseWay()
    {
        var version = await SubmitAsync(Portal, "sk_live_support_page_ja_000001");
        var at = Portal.Time.GetUtcNow();
        await ReportAsync(Portal, Rejected(version, 1234, at, at.AddMinutes(5)));
        SignInAs(DevelopmentPersonas.SupportReader);
        RenderProviders();
        using var japanese = UiCulture.Use("ja");

        Services.GetRequiredService<NavigationManager>().NavigateTo("/support/key-health?problem=rejected");
        var page = Render<KeyHealthSupportPage>();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=key-health-row]")));
        Assert.Equal(["テナント", "バージョン", "最終使用", "拒否"], page.FindAll("[data-testid=key-health-list] thead th").Select(th => th.TextContent.Trim()));
        Assert.Equal(["2026年11月25日 09:05 (UTC)", "2026年11月25日 09:00 (UTC) 以降 1,234 回"],
            page.Find("[data-testid=key-health-row]").QuerySelectorAll("td").Skip(2).Select(td => td.TextContent.Trim()));
        Assert.DoesNotContain(" UTC", page.Find("[data-testid=key-health-list]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_ForATenantAdmin_ShowsNoRow()
    {
        var version = await SubmitAsync(Portal, "sk_live_support_page_admin_001");
        await ReportAsync(Portal, Rejected(version, 2, Portal.Time.GetUtcNow(), Portal.Time.GetUtcNow()));
        SignInAs(DevelopmentPersonas.ContosoAdmin);

        Services.GetRequiredService<NavigationManager>().NavigateTo("/support/key-health?problem=rejected");
        var page = Render<KeyHealthSupportPage>();

        page.WaitForAssertion(() => Assert.Equal("You may not see key health across tenants.", page.Find(".mud-alert").TextContent.Trim()));
        Assert.Empty(page.FindAll("[data-testid=key-health-row]"));
    }
}
