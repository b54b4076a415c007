using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.Auth;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Audit;
using static TenantPortal.Tests.Features.ApiKeys.Api.AutomationApiHost;

namespace TenantPortal.Tests.Features.ApiKeys.Api;

/// <summary>
/// Every API route, as every kind of caller that may not use it, with the exact refusal: a token that fails a check
/// (401, and why), a token without the role (403, naming it), another tenant's or the provider's own automation
/// (404, as if the tenant did not exist). Nothing changes, and the denials are audited.
/// </summary>
public sealed class AutomationApiAttackTests(AutomationApiHost host) : IClassFixture<AutomationApiHost>
{
    public static readonly TheoryData<string> Routes = new() { "GET", "PUT", "revoke", "restore-previous" };

    private const string Original = "sk_live_victims_original_key_0000ZZZZ";

    public static TheoryData<string, IssuerFault, string, string> BadTokens()
    {
        var data = new TheoryData<string, IssuerFault, string, string>();
        foreach (var route in Routes)
        {
            data.Add(route, IssuerFault.Expired, "token_expired", "The access token expired at ");
            data.Add(route, IssuerFault.WrongAudience, "token_wrong_audience",
                "The access token was issued for another audience; request it for the portal's API (scope \"<the portal's Application ID URI>/.default\").");
            data.Add(route, IssuerFault.WrongIssuer, "token_wrong_issuer",
                "The access token's issuer is not trusted: it must be Microsoft Entra ID's issuer for the directory named in its tid claim.");
            data.Add(route, IssuerFault.TamperedSignature, "token_bad_signature", "The access token's signature does not verify against the issuer's signing keys.");
            data.Add(route, IssuerFault.DelegatedScopes, "token_not_app_only",
                "This API takes app-only tokens (client credentials or workload identity federation); this token was issued to a signed-in user.");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task AnyRoute_WithATokenThatFailsValidation_Answers401WithWhy(string route, IssuerFault fault, string code, string detail)
    {
        var (tenant, _, app) = await VictimAsync();
        using var client = await host.ClientAsAsync(app, fault);

        using var response = await SendAsync(client, route, tenant);

        var problem = await ProblemAsync(response, HttpStatusCode.Unauthorized, code);
        Assert.StartsWith(detail, problem, StringComparison.Ordinal);
        Assert.StartsWith("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        await AssertUnchangedAsync(tenant);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task AnyRoute_WithoutAToken_OrWithGarbage_Answers401(string route)
    {
        var (tenant, _, _) = await VictimAsync();
        using var anonymous = host.Client();
        using var garbage = host.Client();
        garbage.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-jwt");

        using var none = await SendAsync(anonymous, route, tenant);
        using var malformed = await SendAsync(garbage, route, tenant);

        Assert.Equal("This API needs an app-only access token from Microsoft Entra ID in the Authorization header (Bearer).",
            await ProblemAsync(none, HttpStatusCode.Unauthorized, "token_missing"));
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.ToString());
        Assert.Equal("The bearer token is not a well-formed JWT.", await ProblemAsync(malformed, HttpStatusCode.Unauthorized, "token_malformed"));
        await AssertUnchangedAsync(tenant);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task AnyRoute_FromADirectoryNotOnboarded_Answers401(string route)
    {
        var (tenant, _, _) = await VictimAsync();
        var stranger = TestApp.In(Guid.NewGuid(), PortalAppRoles.ApiKeysRotate, PortalAppRoles.ApiKeysRead);
        using var client = await host.ClientAsAsync(stranger);

        using var response = await SendAsync(client, route, tenant);

        Assert.Equal($"The token was issued by the Entra tenant {stranger.TenantId}, which is not onboarded to the portal.",
            await ProblemAsync(response, HttpStatusCode.Unauthorized, "directory_not_onboarded"));
        await AssertUnchangedAsync(tenant);
    }

    public static TheoryData<string, string[], string> MissingRoles()
    {
        var data = new TheoryData<string, string[], string>();
        foreach (var route in Routes)
        {
            var needed = route == "GET" ? PortalAppRoles.ApiKeysRead : PortalAppRoles.ApiKeysRotate;
            var other = route == "GET" ? PortalAppRoles.ApiKeysRotate : PortalAppRoles.ApiKeysRead;
            data.Add(route, [other], needed);
            data.Add(route, [], needed);
            // A person's roles on an app token: a customer's admin can assign any app role to their own app.
            data.Add(route, [PortalRoles.TenantAdmin, PortalRoles.PlatformAdmin, PortalRoles.SupportReader], needed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MissingRoles))]
    public async Task AnyRoute_WithoutItsApplicationRole_Answers403NamingIt(string route, string[] roles, string needed)
    {
        var (tenant, directory, _) = await VictimAsync();
        using var client = await host.ClientAsAsync(TestApp.In(directory, roles));

        using var response = await SendAsync(client, route, tenant);

        Assert.Equal($"The token does not carry the application role {needed}, which this operation needs. Your Entra admin grants it to the automation app (docs/automation.md).",
            await ProblemAsync(response, HttpStatusCode.Forbidden, "role_missing"));
        await AssertUnchangedAsync(tenant);
    }

    public static TheoryData<string, string> CrossTenant()
    {
        var data = new TheoryData<string, string>();
        foreach (var route in Routes)
        {
            data.Add(route, "another tenant's automation");
            data.Add(route, "the provider's own directory, with every role");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CrossTenant))]
    public async Task AnyRoute_OnATenantTheCallersDirectoryDoesNotManage_Answers404AndIsAuditedAsDenied(string route, string caller)
    {
        var (victim, _, _) = await VictimAsync();
        var (_, otherDirectory, _) = await host.OnboardAsync();
        var attacker = caller.StartsWith("another", StringComparison.Ordinal)
            ? TestApp.In(otherDirectory, PortalAppRoles.ApiKeysRotate, PortalAppRoles.ApiKeysRead)
            : TestApp.In(EntraSignInTests.HomeTenant, PortalAppRoles.ApiKeysRotate, PortalAppRoles.ApiKeysRead,
                PortalRoles.PlatformAdmin, PortalRoles.SupportReader, PortalRoles.TenantAdmin);
        using var client = await host.ClientAsAsync(attacker);

        using var response = await SendAsync(client, route, victim);
        using var missing = await SendAsync(client, route, "no-such-tenant");

        var expected = $"There is no tenant '{victim}' that this token's directory manages.";
        Assert.Equal(expected, await ProblemAsync(response, HttpStatusCode.NotFound, "tenant_not_found"));
        Assert.Equal("There is no tenant 'no-such-tenant' that this token's directory manages.", await ProblemAsync(missing, HttpStatusCode.NotFound, "tenant_not_found"));
        await AssertUnchangedAsync(victim);
        var denial = Assert.Single(await host.AuditAsync(victim), e => e.Outcome == AuditOutcome.Denied);
        Assert.Equal(AuditChains.Platform, denial.ChainId);
        Assert.Equal(attacker.ServicePrincipalId, denial.ActorObjectId);
        Assert.Equal(AuditChannels.Api, denial.Channel);
    }

    [Fact]
    public async Task AnyRoute_AfterTheTenantIsOffboarded_RefusesItsAutomation()
    {
        var (tenant, _, app) = await VictimAsync();
        using (var scope = host.Portal.Services.CreateScope())
        {
            var offboarded = await scope.ServiceProvider.GetRequiredService<TenantService>().OffboardAsync(
                TestPersonas.With(EntraSignInTests.HomeTenant, PortalRoles.PlatformAdmin), tenant, $"Tenant {tenant}", "contract ended", default);
            Assert.True(offboarded.Succeeded, offboarded.Message);
        }

        var app2 = app with { }; // a fresh token request: the directory is no longer on the allow-list
        using var client = await host.ClientAsAsync(app2);
        foreach (var route in Routes)
        {
            using var response = await SendAsync(client, route, tenant);
            await ProblemAsync(response, HttpStatusCode.Unauthorized, "directory_not_onboarded");
        }
    }

    [Fact]
    public async Task AnyRoute_RightAfterTheTenantIsOffboarded_RefusesTheAutomationThatHadJustCalled()
    {
        var (tenant, _, app) = await VictimAsync();
        using var client = await host.ClientAsAsync(app);
        using (var before = await SendAsync(client, "GET", tenant))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode); // its directory is now remembered as onboarded
        }

        using (var scope = host.Portal.Services.CreateScope())
        {
            var offboarded = await scope.ServiceProvider.GetRequiredService<TenantService>().OffboardAsync(
                TestPersonas.With(EntraSignInTests.HomeTenant, PortalRoles.PlatformAdmin), tenant, $"Tenant {tenant}", "contract ended", default);
            Assert.True(offboarded.Succeeded, offboarded.Message);
        }

        foreach (var route in Routes)
        {
            using var response = await SendAsync(client, route, tenant);
            Assert.Equal($"The token was issued by the Entra tenant {app.TenantId}, which is not onboarded to the portal.",
                await ProblemAsync(response, HttpStatusCode.Unauthorized, "directory_not_onboarded"));
        }
    }

    [Fact]
    public async Task Api_IgnoresABrowserSessionCookie()
    {
        var (tenant, directory, _) = await VictimAsync();
        using var browser = EntraSignInFlow.Browser(host.Portal);
        var signedIn = await EntraSignInFlow.SignInAsync(host.Issuer, browser, TestUser.In(directory, PortalRoles.TenantAdmin), "/");
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);

        foreach (var route in Routes)
        {
            using var response = await SendAsync(browser, route, tenant);
            await ProblemAsync(response, HttpStatusCode.Unauthorized, "token_missing");
        }

        await AssertUnchangedAsync(tenant);
    }

    /// <summary>A tenant with one stored key, so that a change would show.</summary>
    private async Task<(string TenantId, Guid Directory, TestApp App)> VictimAsync()
    {
        var victim = await host.OnboardAsync();
        using var owner = await host.ClientAsAsync(victim.App);
        using var stored = await owner.PutAsync($"/api/v1/tenants/{victim.TenantId}/api-key", Value(Original));
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        return victim;
    }

    private async Task AssertUnchangedAsync(string tenant)
    {
        var version = Assert.Single(await host.VersionsAsync(tenant));
        Assert.Equal(Web.Features.ApiKeys.ApiKeyVersionStatus.Current, version.Status);
        Assert.Equal(1, await host.StoreVersionCountAsync(tenant));
        Assert.Equal(2, (await host.AuditAsync(tenant)).Count(e => e.Outcome is AuditOutcome.Requested or AuditOutcome.Succeeded));
    }

    internal static Task<HttpResponseMessage> SendAsync(HttpClient client, string route, string tenant)
    {
        var path = $"/api/v1/tenants/{tenant}/api-key";
        return route switch
        {
            "GET" => client.GetAsync(path),
            "PUT" => client.PutAsync(path, Value("sk_live_attacker_value_000000XXXX")),
            "revoke" => client.PostAsync(path + "/revoke", Json("""{"reason":"attack"}""")),
            _ => client.PostAsync(path + "/restore-previous", null),
        };
    }

    private static async Task<string> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        var problem = System.Text.Json.Nodes.JsonNode.Parse(text)!;
        Assert.Equal(code, (string?)problem["code"]);
        return (string)problem["detail"]!;
    }
}
