using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Time.Testing;
using TenantPortal.Tests.Auth;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Auth.AppTokens;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Features.ApiKeys.Api;
using static TenantPortal.Tests.Features.ApiKeys.Api.AutomationApiHost;
using static TenantPortal.Tests.Features.ApiKeys.Api.AutomationApiTests;

namespace TenantPortal.Tests.Features.ApiKeys.Api;

/// <summary>The two curl lines of docs/automation.md on the embedded default, and the same endpoint refused elsewhere.</summary>
public sealed class DevelopmentTokenTests : IDisposable
{
    private readonly PortalAppFactory _portal = new();

    public void Dispose() => _portal.Dispose();

    [Fact]
    public async Task DevelopmentToken_ForContoso_StoresAKeyThroughTheApi()
    {
        using var client = _portal.CreateClient();

        using var issued = await client.PostAsync($"{DevelopmentTokenEndpoint.Path}?tenant=contoso", null);
        var token = await issued.Content.ReadAsStringAsync();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var stored = await client.PutAsync("/api/v1/tenants/contoso/api-key", Value("sk_test_from_curl_0000000000UUUU"));
        using var read = await client.GetAsync("/api/v1/tenants/contoso/api-key");
        using var foreign = await client.GetAsync("/api/v1/tenants/fabrikam/api-key");

        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        Assert.Equal("text/plain", issued.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal($"automation {DevelopmentAppTokens.DefaultAppId}", (string?)(await BodyAsync(read))["current"]!["createdBy"]);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
    }

    [Fact]
    public async Task DevelopmentToken_WithOnlyTheReadRole_CannotRotate()
    {
        using var client = _portal.CreateClient();
        using var issued = await client.PostAsync($"{DevelopmentTokenEndpoint.Path}?tenant=contoso&roles={PortalAppRoles.ApiKeysRead}", null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await issued.Content.ReadAsStringAsync());

        using var stored = await client.PutAsync("/api/v1/tenants/contoso/api-key", Value("sk_test_read_only_0000000000VVVV"));

        await AssertProblemAsync(stored, HttpStatusCode.Forbidden, "role_missing",
            "The token does not carry the application role ApiKeys.Rotate, which this operation needs. Your Entra admin grants it to the automation app (docs/automation.md).");
    }

    [Fact]
    public async Task DevelopmentToken_ForAnUnknownTenantOrRole_IsRefused()
    {
        using var client = _portal.CreateClient();

        using var tenant = await client.PostAsync($"{DevelopmentTokenEndpoint.Path}?tenant=nobody", null);
        using var role = await client.PostAsync($"{DevelopmentTokenEndpoint.Path}?tenant=contoso&roles=Platform.Admin", null);

        await AssertProblemAsync(tenant, HttpStatusCode.NotFound, "tenant_not_found", "Name an onboarded tenant: ?tenant=contoso (the embedded default has contoso and fabrikam).");
        await AssertProblemAsync(role, HttpStatusCode.BadRequest, "unknown_role",
            "'Platform.Admin' is not an application role of the portal's API; the roles are ApiKeys.Rotate, ApiKeys.Read, KeyUsage.Report.");
    }

    [Fact]
    public async Task Api_IgnoresADevelopmentPersonasSessionCookie()
    {
        using var browser = _portal.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(browser, DevelopmentPersonas.ContosoAdmin.Key);

        using var response = await browser.PutAsync("/api/v1/tenants/contoso/api-key", Value("sk_test_cookie_only_000000000WWWW"));

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "token_missing",
            "This API needs an app-only access token from Microsoft Entra ID in the Authorization header (Bearer).");
    }

    [Fact]
    public async Task OutsideDevelopment_TheEndpointIsAbsentAndItsTokensAreRefused()
    {
        await using var issuer = await TestOidcIssuer.StartAsync();
        using var production = EntraSignInTests.CreatePortal(issuer);
        using var client = production.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost") });
        await production.OnboardAsync("contoso", "Contoso Ltd", DevelopmentPersonas.ContosoEntraTenantId);
        using var forged = new DevelopmentAppTokens(new FakeTimeProvider(DateTimeOffset.UtcNow));

        using var endpoint = await client.PostAsync($"{DevelopmentTokenEndpoint.Path}?tenant=contoso", null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            forged.Issue(DevelopmentPersonas.ContosoEntraTenantId, DevelopmentAppTokens.DefaultAppId, PortalAppRoles.All));
        using var put = await client.PutAsync("/api/v1/tenants/contoso/api-key", Value("sk_test_forged_dev_token_0000XXXX"));

        // No such endpoint: an unknown POST ends at the not-found page's antiforgery check, as any unknown form post does.
        Assert.Equal(HttpStatusCode.BadRequest, endpoint.StatusCode);
        Assert.DoesNotContain("eyJ", await endpoint.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertProblemAsync(put, HttpStatusCode.Unauthorized, "token_wrong_issuer",
            "The access token's issuer is not trusted: it must be Microsoft Entra ID's issuer for the directory named in its tid claim.");
    }
}
