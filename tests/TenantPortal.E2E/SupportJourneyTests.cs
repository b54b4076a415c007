using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.E2E;

/// <summary>
/// The Development portal on a fake clock: Contoso's admin stores a key, the clock moves past its due date, and support
/// finds it from the dashboard.
/// </summary>
public sealed class SupportPortalServerFixture : PortalServerFixture
{
    public const string ContosoKey = "sk_live_E2E_support_journey_00000001";

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    private static readonly string[] Others =
        ["Globex", "Initech", "Umbrella", "Hooli", "Stark Industries", "Wayne Enterprises", "Acme Corp", "Soylent", "Tyrell"];

    /// <summary>
    /// Day 0: Contoso stores its key (overdue by day 100); day 5 Fabrikam stores one and revokes it on day 6; from day 15
    /// every nine days another tenant onboards and stores its first key (all due after day 100, the first three soon).
    /// Northwind never does. The browser signs in afterwards, on day 100.
    /// </summary>
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        using var scope = Portal.Services.CreateScope();
        var keys = scope.ServiceProvider.GetRequiredService<ApiKeyService>();
        var tenants = scope.ServiceProvider.GetRequiredService<TenantService>();
        var platformAdmin = DevelopmentSignIn.CreatePrincipal(DevelopmentPersonas.PlatformAdmin);
        async Task SubmitAsync(ClaimsPrincipal admin, string tenant, string key)
        {
            var stored = await keys.SubmitApiKeyAsync(admin, tenant, new SecretValue(key), default);
            Assert.True(stored.Succeeded, stored.Message);
        }

        await SubmitAsync(DevelopmentSignIn.CreatePrincipal(DevelopmentPersonas.ContosoAdmin), "contoso", ContosoKey);
        Time.Advance(TimeSpan.FromDays(5));
        var fabrikam = DevelopmentSignIn.CreatePrincipal(DevelopmentPersonas.FabrikamAdmin);
        await SubmitAsync(fabrikam, "fabrikam", "sk_live_E2E_support_fabrikam_000001");
        Time.Advance(TimeSpan.FromDays(1));
        Assert.True((await keys.RevokeAsync(fabrikam, "fabrikam", "Posted in a public repository", confirmed: true, default)).Succeeded);
        Time.Advance(TimeSpan.FromDays(9));
        foreach (var name in Others)
        {
            var id = name.ToLowerInvariant().Replace(' ', '-');
            var directory = Guid.NewGuid();
            var onboarded = await tenants.OnboardAsync(platformAdmin,
                new TenantInput(id, name, [directory.ToString()], [], RotationPolicy.Default), default);
            Assert.True(onboarded.Succeeded, onboarded.Message);
            var admin = DevelopmentSignIn.CreatePrincipal(new DevelopmentPersona(id, $"{name} admin", "", directory, Guid.NewGuid(), PortalRoles.TenantAdmin));
            await SubmitAsync(admin, id, $"sk_live_E2E_support_{id}_00000001");
            Time.Advance(TimeSpan.FromDays(9));
        }

        Time.Advance(TimeSpan.FromDays(100 - 15 - (9 * Others.Length)));
    }

    protected override Task<PortalAppFactory> CreatePortalAsync() =>
        Task.FromResult(new PortalAppFactory { ConfigureServices = services => services.AddSingleton<TimeProvider>(Time) });
}

[CollectionDefinition(Name)]
public sealed class SupportPortalServerGroup : ICollectionFixture<SupportPortalServerFixture>
{
    public const string Name = "Support portal server";
}

[Collection(SupportPortalServerGroup.Name)]
public sealed class SupportJourneyTests(SupportPortalServerFixture server)
{
    private static readonly LocatorAssertionsToHaveTextOptions Patient = new() { Timeout = 15_000 };

    [Fact]
    public async Task Support_OpensTheDashboard_ClicksOverdue_LandsOnTheFilteredList_AndOpensTheTenantsTimeline()
    {
        var page = await server.NewPageAsync();
        await page.GotoAsync("/dev/sign-in");
        await page.Locator("[data-testid=persona-support]").ClickAsync();
        await page.WaitForURLAsync(server.BaseUrl + "/");
        await PortalServerFixture.WaitForCircuitAsync(page);

        var overdue = page.Locator("[data-testid=status-card-Overdue]");
        await Assertions.Expect(overdue.Locator("[data-testid=status-count]")).ToHaveTextAsync("1", Patient);
        await Assertions.Expect(page.Locator("[data-testid=status-card-NotSet] [data-testid=status-count]")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("[data-testid=status-card-Revoked] [data-testid=status-count]")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("[data-testid=key-health-summary]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=chart-coming-due] svg").First).ToBeVisibleAsync();
        await PortalServerFixture.ScreenshotAsync(page, "support-dashboard");
        await Accessibility.AssertAccessibleAsync(page, "the support dashboard");

        await overdue.ClickAsync();
        await page.WaitForURLAsync("**/support/rotation-status?status=Overdue");
        var grid = page.Locator("[data-testid=rotation-grid]");
        await Assertions.Expect(grid.Locator("tbody tr")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        await Assertions.Expect(grid).ToContainTextAsync("Contoso Ltd");
        await Assertions.Expect(grid.Locator("[data-testid=key-status]")).ToHaveTextAsync("Overdue");
        await Assertions.Expect(page.Locator("[data-testid=match-count]")).ToHaveTextAsync("1 tenant matches.", Patient);
        await Accessibility.AssertAccessibleAsync(page, "the rotation status list filtered from the dashboard");
        await PortalServerFixture.ScreenshotAsync(page, "rotation-status-overdue");

        await grid.Locator("[data-testid=timeline-link]").ClickAsync();
        await page.WaitForURLAsync("**/support/tenants/contoso/timeline");
        await Assertions.Expect(page.Locator("[data-testid=timeline-tenant]")).ToHaveTextAsync("Contoso Ltd", Patient);
        await Assertions.Expect(page.Locator("[data-testid=timeline-entry][data-kind=KeyStored]")).ToContainTextAsync("Key stored: version");
        await Assertions.Expect(page.Locator("[data-testid=timeline-entry][data-kind=TenantOnboarded]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-testid=open-submit-dialog]")).ToHaveCountAsync(0);
        await Accessibility.AssertAccessibleAsync(page, "a tenant's timeline");
        await PortalServerFixture.ScreenshotAsync(page, "tenant-timeline");

        await page.GotoAsync("/support/key-health?problem=rejected");
        await PortalServerFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Key health", Patient);
        await Assertions.Expect(page.Locator("[data-testid=key-health-list]")).ToBeVisibleAsync();
        await Accessibility.AssertAccessibleAsync(page, "the key health list");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Support_PastesALeakedKey_SeesWhoseItIs_AndTheKeyIsNowhereInThePageOrTheLogs()
    {
        var page = await server.NewPageAsync();
        await page.GotoAsync("/dev/sign-in?returnUrl=/support/key-lookup");
        await page.Locator("[data-testid=persona-support]").ClickAsync();
        await page.WaitForURLAsync("**/support/key-lookup");
        await PortalServerFixture.WaitForCircuitAsync(page);

        var input = page.Locator("[data-testid=secret-input]");
        await input.FillAsync(SupportPortalServerFixture.ContosoKey);
        await input.PressAsync("Tab");
        await page.Locator("[data-testid=look-up]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=lookup-match]")).ToContainTextAsync("Contoso Ltd (contoso)", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("[data-testid=lookup-match] [data-testid=key-status]")).ToHaveTextAsync("Overdue");
        await Assertions.Expect(input).ToHaveValueAsync("");
        await Accessibility.AssertAccessibleAsync(page, "the key lookup page with a match");
        await PortalServerFixture.ScreenshotAsync(page, "key-lookup");
        Assert.DoesNotContain(SupportPortalServerFixture.ContosoKey, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(server.Portal.AllLogText(), l => l.Contains(SupportPortalServerFixture.ContosoKey, StringComparison.Ordinal));

        await page.Locator("[data-testid=lookup-timeline]").ClickAsync();
        await page.WaitForURLAsync("**/support/tenants/contoso/timeline");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Support_InJapanese_FollowsOverdueToTheTimeline_AndLooksUpAKey_EveryPageInJapanese()
    {
        var context = await server.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = server.BaseUrl, Locale = "ja-JP", ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/dev/sign-in");
        await page.Locator("[data-testid=persona-support]").ClickAsync();
        await page.WaitForURLAsync(server.BaseUrl + "/");
        await PortalServerFixture.WaitForCircuitAsync(page);

        var overdue = page.Locator("[data-testid=status-card-Overdue]");
        await Assertions.Expect(overdue.Locator("[data-testid=status-count]")).ToHaveTextAsync("1", Patient);
        await Assertions.Expect(overdue.Locator("p").Last).ToHaveTextAsync("期限切れ");
        await Assertions.Expect(page.Locator("[data-testid=delivery-summary]")).ToContainTextAsync("過去 30 日間に断念");
        await PortalServerFixture.ScreenshotAsync(page, "support-dashboard-ja");
        await Accessibility.AssertAccessibleAsync(page, "the support dashboard in Japanese");

        await overdue.ClickAsync();
        await page.WaitForURLAsync("**/support/rotation-status?status=Overdue");
        var grid = page.Locator("[data-testid=rotation-grid]");
        await Assertions.Expect(grid.Locator("tbody tr")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        await Assertions.Expect(grid.Locator("[data-testid=key-status]")).ToHaveTextAsync("期限切れ");
        await Assertions.Expect(page.Locator("[data-testid=match-count]")).ToHaveTextAsync("1 件のテナントが該当します。", Patient);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("ローテーション状況");
        await Accessibility.AssertAccessibleAsync(page, "the rotation status list in Japanese");
        await PortalServerFixture.ScreenshotAsync(page, "rotation-status-overdue-ja");

        await grid.Locator("[data-testid=timeline-link]").ClickAsync();
        await page.WaitForURLAsync("**/support/tenants/contoso/timeline");
        await Assertions.Expect(page.Locator("[data-testid=timeline-tenant]")).ToHaveTextAsync("Contoso Ltd", Patient);
        await Assertions.Expect(page.Locator("[data-testid=timeline-entry][data-kind=KeyStored]")).ToContainTextAsync("キーを登録: バージョン");
        await Assertions.Expect(page.Locator("[data-testid=timeline-entry][data-kind=TenantOnboarded]")).ToContainTextAsync("テナントをオンボード");
        await Accessibility.AssertAccessibleAsync(page, "a tenant's timeline in Japanese");
        await PortalServerFixture.ScreenshotAsync(page, "tenant-timeline-ja");

        await page.GotoAsync("/support/key-health?problem=stale");
        await PortalServerFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("キーの状態", Patient);
        await Assertions.Expect(page.Locator("[data-testid=key-health-list]")).ToBeVisibleAsync();
        await Accessibility.AssertAccessibleAsync(page, "the key health list in Japanese");

        await page.GetByRole(AriaRole.Link, new() { Name = "このキーは誰のもの？" }).ClickAsync();
        await page.WaitForURLAsync("**/support/key-lookup");
        var input = page.Locator("[data-testid=secret-input]");
        // The page is prerendered first: its button acts only once its circuit is up.
        await page.Locator("[data-testid=look-up]").WaitForAsync();
        await PortalServerFixture.WaitForCircuitAsync(page);
        await page.Locator("[data-testid=look-up]").ClickAsync();
        await Assertions.Expect(page.GetByText("照会するキーを貼り付けてください。")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await input.FillAsync(SupportPortalServerFixture.ContosoKey);
        await input.PressAsync("Tab");
        await page.Locator("[data-testid=look-up]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=lookup-match]")).ToContainTextAsync("Contoso Ltd (contoso)", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("[data-testid=lookup-match] [data-testid=key-status]")).ToHaveTextAsync("期限切れ");
        await Assertions.Expect(page.Locator("[data-testid=lookup-matches] thead")).ToHaveTextAsync("テナントバージョン登録日バージョンの状態テナントの状態");
        await Accessibility.AssertAccessibleAsync(page, "the key lookup page in Japanese");
        await PortalServerFixture.ScreenshotAsync(page, "key-lookup-ja");
        await context.CloseAsync();
    }
}
