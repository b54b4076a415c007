using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using TenantPortal.Web.Auth.AppTokens;

namespace TenantPortal.E2E;

/// <summary>
/// A pipeline rotates the key through the API with the docs' two curl lines; the admin's page then shows it. A portal of
/// its own, so the other journeys find Contoso's key as they expect it.
/// </summary>
public sealed class AutomationApiJourneyTests(PortalServerFixture server) : IClassFixture<PortalServerFixture>
{
    private static readonly LocatorAssertionsToHaveTextOptions Patient = new() { Timeout = 15_000 };

    [Fact]
    public async Task ApiRotatesTheKey_AndTheKeyPageShowsTheNewVersionSetByAutomation()
    {
        var first = $"sk_live_API_first_{Guid.NewGuid():N}";
        var second = $"sk_live_API_second_{Guid.NewGuid():N}";
        using var pipeline = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        using (var issued = await pipeline.PostAsync("/dev/api-token?tenant=contoso", null))
        {
            Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
            pipeline.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await issued.Content.ReadAsStringAsync());
        }

        var firstVersion = await PutAsync(pipeline, first);

        var page = await server.NewPageAsync();
        await page.GotoAsync("/dev/sign-in?returnUrl=/tenants/contoso/api-key");
        await page.Locator("[data-testid=persona-contoso-admin]").ClickAsync();
        await page.WaitForURLAsync("**/tenants/contoso/api-key");
        await PortalServerFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=masked-hint]")).ToHaveTextAsync("••••" + first[^4..], Patient);

        var secondVersion = await PutAsync(pipeline, second);
        Assert.NotEqual(firstVersion, secondVersion);
        await page.ReloadAsync();
        await PortalServerFixture.WaitForCircuitAsync(page);

        await Assertions.Expect(page.Locator("[data-testid=masked-hint]")).ToHaveTextAsync("••••" + second[^4..], Patient);
        await Assertions.Expect(page.Locator("[data-testid=key-status]")).ToContainTextAsync($"set by automation {DevelopmentAppTokens.DefaultAppId}");
        var rows = page.Locator("[data-testid=version-history] tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.Nth(0)).ToContainTextAsync("Current");
        await Assertions.Expect(rows.Nth(0)).ToContainTextAsync($"automation {DevelopmentAppTokens.DefaultAppId}");
        await Assertions.Expect(rows.Nth(1)).ToContainTextAsync("Previous");
        await PortalServerFixture.ScreenshotAsync(page, "api-rotated-key-page");

        var html = await page.ContentAsync();
        Assert.DoesNotContain(first, html, StringComparison.Ordinal);
        Assert.DoesNotContain(second, html, StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    private static async Task<string> PutAsync(HttpClient pipeline, string value)
    {
        using var body = new StringContent(new JsonObject { ["value"] = value }.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await pipeline.PutAsync("/api/v1/tenants/contoso/api-key", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        Assert.DoesNotContain(value, text, StringComparison.Ordinal);
        return (string)JsonNode.Parse(text)!["version"]!;
    }
}
