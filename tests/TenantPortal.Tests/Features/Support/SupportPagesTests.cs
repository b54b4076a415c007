using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Components.Pages;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Support;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.Support;

public sealed class SupportPagesTests : PortalComponentTestBase
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        // The pages read the portal's clock (MudBlazor's registrations would otherwise give them the system's).
        Services.AddSingleton<TimeProvider>(Portal.Time);
    }

    private static string Normalized(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();

    [Fact]
    public async Task Dashboard_ShowsEachStatusAsALinkToItsList_TheChartsAndWhereKeyHealthWillBe()
    {
        await new SupportTestBed(Portal).SeedOneOfEachAsync();
        SignInAs(DevelopmentPersonas.SupportReader);
        RenderProviders();

        var dashboard = Render<StaffDashboard>();

        dashboard.WaitForElement("[data-testid=status-cards]");
        foreach (var (status, count) in new[] { ("Active", "1"), ("DueSoon", "1"), ("Overdue", "1"), ("Revoked", "1"), ("NotSet", "3"), ("Offboarded", "1") })
        {
            var card = dashboard.Find($"[data-testid=status-card-{status}]");
            Assert.Equal($"/support/rotation-status?status={status}", card.GetAttribute("href"));
            Assert.Equal(count, card.QuerySelector("[data-testid=status-count]")!.TextContent.Trim());
        }

        Assert.Equal("Overdue", dashboard.Find("[data-testid=status-card-Overdue]").TextContent.Replace("1", "", StringComparison.Ordinal).Trim());
        Assert.EndsWith(": 1", dashboard.Find("[data-testid=due-week-3]").TextContent.Trim(), StringComparison.Ordinal);
        Assert.StartsWith("/support/rotation-status?dueFrom=", dashboard.Find("[data-testid=due-week-3]").GetAttribute("href"), StringComparison.Ordinal);
        Assert.EndsWith(": 1", dashboard.Find("[data-testid=stored-week-8]").TextContent.Trim(), StringComparison.Ordinal);
        Assert.NotEmpty(dashboard.FindAll("[data-testid=chart-coming-due] svg"));
        dashboard.WaitForAssertion(() => Assert.Equal("Being rejected: 0", dashboard.Find("[data-testid=key-health-count-rejected]").TextContent.Trim()));
        Assert.Equal("/support/key-health?problem=stale", dashboard.Find("[data-testid=key-health-count-stale]").GetAttribute("href"));
        Assert.DoesNotContain("/api-key", dashboard.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Dashboard_ForATenantAdmin_ShowsNothingButTheRefusal()
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);

        var dashboard = Render<StaffDashboard>();

        dashboard.WaitForAssertion(() => Assert.Equal("You may not see the support dashboard.", dashboard.Find(".mud-alert").TextContent.Trim()));
        Assert.Empty(dashboard.FindAll("[data-testid=status-cards]"));
    }

    [Fact]
    public async Task RotationStatusPage_TakesItsFilterFromTheAddress_AndPagesOn()
    {
        await using (var db = Portal.CreateDbContext())
        {
            for (var i = 0; i < 30; i++)
            {
                db.Tenants.Add(new Tenant { Id = $"bulk-{i:00}", DisplayName = $"Bulk Tenant {i:00}", CreatedAt = PortalServices.Start });
            }

            await db.SaveChangesAsync();
        }

        SignInAs(DevelopmentPersonas.SupportReader);
        RenderProviders();
        Services.GetRequiredService<NavigationManager>().NavigateTo("/support/rotation-status?status=NotSet&sort=Name");

        var page = Render<RotationStatusPage>();

        page.WaitForAssertion(() => Assert.Equal("33 tenants match.", page.Find("[data-testid=match-count]").TextContent.Trim()));
        var rows = page.FindAll("[data-testid=rotation-grid] tbody tr");
        Assert.Equal(25, rows.Count);
        Assert.Contains("Bulk Tenant 00", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Equal("/support/tenants/bulk-00/timeline", rows[0].QuerySelector("[data-testid=timeline-link]")!.GetAttribute("href"));
        Assert.Equal("/support/rotation-status/export.csv?status=NotSet&sort=Name", page.Find("[data-testid=export-csv]").GetAttribute("href"));

        await CompletionOf(page.Find("[data-testid=page-next]").ClickAsync(new()));

        page.WaitForAssertion(() => Assert.Equal("Page 2", page.Find("[data-testid=page-number]").TextContent.Trim()));
        var second = page.FindAll("[data-testid=rotation-grid] tbody tr").Select(r => r.TextContent).ToList();
        Assert.Equal(8, second.Count);
        Assert.Contains("Bulk Tenant 25", second[0], StringComparison.Ordinal);
        Assert.Contains(second, r => r.Contains("Northwind Traders", StringComparison.Ordinal));
        Assert.True(page.Find("[data-testid=page-next]").HasAttribute("disabled"));

        await CompletionOf(page.Find("[data-testid=page-previous]").ClickAsync(new()));
        page.WaitForAssertion(() => Assert.Contains("Bulk Tenant 00", page.FindAll("[data-testid=rotation-grid] tbody tr")[0].TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void RotationStatusPage_UnknownStatusInTheAddress_SaysWhichOnesExist()
    {
        SignInAs(DevelopmentPersonas.SupportReader);
        RenderProviders();
        Services.GetRequiredService<NavigationManager>().NavigateTo("/support/rotation-status?status=Late");

        var page = Render<RotationStatusPage>();

        page.WaitForAssertion(() => Assert.Equal("There is no status \"Late\": use one of Active, DueSoon, Overdue, Revoked, NotSet, Offboarded.",
            page.Find("[data-testid=search-problem]").TextContent.Trim()));
        Assert.Empty(page.FindAll("[data-testid=rotation-grid] tbody tr[data-testid]"));
    }

    [Fact]
    public async Task KeyLookupPage_ShowsWhoseKeyItIs_AndNeverTheKey()
    {
        const string key = "sk_live_page_lookup_canary_0001";
        var version = (await Portal.Get<ApiKeyService>().SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(key), default)).Version!;
        SignInAs(DevelopmentPersonas.SupportReader);
        RenderProviders();
        var page = Render<KeyLookupPage>();

        page.Find("[data-testid=secret-input]").Change(key);
        await CompletionOf(page.Find("[data-testid=look-up]").ClickAsync(new()));

        page.WaitForAssertion(() => Assert.Contains("Contoso Ltd (contoso)", page.Find("[data-testid=lookup-match]").TextContent, StringComparison.Ordinal));
        var match = page.Find("[data-testid=lookup-match]").TextContent;
        Assert.Contains(version.ShortVersion, match, StringComparison.Ordinal);
        Assert.Contains("Active", match, StringComparison.Ordinal);
        Assert.Equal("/support/tenants/contoso/timeline", page.Find("[data-testid=lookup-timeline]").GetAttribute("href"));
        Assert.Equal($"Fingerprint {version.Fingerprint}", page.Find("[data-testid=lookup-fingerprint]").TextContent.Trim());
        Assert.DoesNotContain(key, page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain(key[^8..], page.Markup, StringComparison.Ordinal);
        Assert.Null(page.Find("[data-testid=secret-input]").GetAttribute("value"));
    }

    [Fact]
    public async Task KeyLookupPage_UnknownKey_SaysNobodyHasIt()
    {
        SignInAs(DevelopmentPersonas.PlatformAdmin);
        RenderProviders();
        var page = Render<KeyLookupPage>();

        page.Find("[data-testid=secret-input]").Change("sk_live_nobody_has_this_0000001");
        await CompletionOf(page.Find("[data-testid=look-up]").ClickAsync(new()));

        page.WaitForAssertion(() => Assert.Equal("No version of any tenant's key has this fingerprint.", page.Find("[data-testid=lookup-no-match]").TextContent.Trim()));
    }

    [Fact]
    public async Task KeyLookupPage_ForATenantAdmin_IsRefused()
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        RenderProviders();
        var page = Render<KeyLookupPage>();

        page.Find("[data-testid=secret-input]").Change("sk_live_tenant_admin_tries_001");
        await CompletionOf(page.Find("[data-testid=look-up]").ClickAsync(new()));

        page.WaitForAssertion(() => Assert.Equal("You may not look keys up.", page.Find("[data-testid=secret-input-help]").TextContent.Trim()));
        Assert.Empty(page.FindAll("[data-testid=lookup-fingerprint]"));
    }

    [Fact]
    public async Task TimelinePage_ShowsTheTenantAndItsHistory_AndAnUnknownTenantSaysSo()
    {
        await Portal.Get<ApiKeyService>().SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue("sk_live_timeline_page_00001"), default);
        SignInAs(DevelopmentPersonas.SupportReader);
        RenderProviders();

        var page = Render<TenantTimelinePage>(p => p.Add(x => x.TenantId, "contoso"));
        var missing = Render<TenantTimelinePage>(p => p.Add(x => x.TenantId, "nobody"));

        page.WaitForAssertion(() => Assert.Equal("Contoso Ltd", page.Find("[data-testid=timeline-tenant]").TextContent.Trim()));
        Assert.Equal("Active", page.Find("[data-testid=key-status]").TextContent.Trim());
        Assert.Equal(["KeyStored", "TenantOnboarded"], page.FindAll("[data-testid=timeline-entry]").Select(e => e.GetAttribute("data-kind")));
        Assert.Empty(page.FindAll("[data-testid=timeline-older]"));
        missing.WaitForAssertion(() => Assert.Equal("No tenant has the id \"nobody\".", missing.Find("[data-testid=timeline-problem]").TextContent.Trim()));
    }

    [Fact]
    public async Task Home_ForATenantAdmin_SaysWhereTheirKeyStandsAndWhatToDoNext()
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        var empty = Render<Home>();
        empty.WaitForAssertion(() => Assert.Equal("No key stored yet: submit your provider's API key so that the service can act for you.",
            empty.Find("[data-testid=key-card-contoso] [data-testid=next-step]").TextContent.Trim()));
        Assert.Equal("Submit a key", empty.Find("[data-testid=key-card-action]").TextContent.Trim());
        Assert.Equal("/tenants/contoso/api-key", empty.Find("[data-testid=key-card-action]").GetAttribute("href"));

        await Portal.Get<ApiKeyService>().SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue("sk_live_home_next_step_0001"), default);
        var active = Render<Home>();
        active.WaitForAssertion(() => Assert.Equal("Nothing to do now. The next rotation is due on 2027-02-23, in 90 days; you will be reminded beforehand.",
            active.Find("[data-testid=next-step]").TextContent.Trim()));

        Portal.Time.Advance(TimeSpan.FromDays(75));
        var dueSoon = Render<Home>();
        dueSoon.WaitForAssertion(() => Assert.Equal("Rotation is due on 2027-02-23, in 15 days: issue a new key at your provider and rotate it here.",
            dueSoon.Find("[data-testid=next-step]").TextContent.Trim()));
        Assert.Equal("Rotate the key", dueSoon.Find("[data-testid=key-card-action]").TextContent.Trim());

        Portal.Time.Advance(TimeSpan.FromDays(20));
        var overdue = Render<Home>();
        overdue.WaitForAssertion(() => Assert.Equal("Rotation was due on 2027-02-23: issue a new key at your provider and rotate it here now.",
            overdue.Find("[data-testid=next-step]").TextContent.Trim()));
    }
}
