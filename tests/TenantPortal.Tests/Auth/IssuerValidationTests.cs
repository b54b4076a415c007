using System.Net;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TenantPortal.Tests.Features.ApiKeys.Api;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Auth.Entra;

namespace TenantPortal.Tests.Auth;

/// <summary>
/// Entra's issuer check (Microsoft.Identity.Web's AadIssuerValidator) matches a token's issuer against Entra's v2.0
/// issuer template for the token's own <c>tid</c> without fetching Entra's metadata a second time: left to fetch it, it
/// waits on that fetch with a blocked thread-pool thread, and a portal that starts under load starves (Microsoft.Identity.Web
/// issue 3884). The handlers still fetch the metadata once, asynchronously, for the signing keys.
/// </summary>
public sealed class IssuerValidationTests : IAsyncLifetime
{
    private readonly AutomationApiHost _host = new();

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task FirstApiRequest_WhileEntrasMetadataIsSlow_WaitsOnlyForTheHandlersOwnFetch_AndIsAnswered()
    {
        var (tenant, _, app) = await _host.OnboardAsync();
        using var client = await _host.ClientAsAsync(app);
        using var metadata = _host.Issuer.HoldMetadata();

        var first = client.GetAsync($"/api/v1/tenants/{tenant}/api-key");
        var handlersFetch = await metadata.NextAsync();
        handlersFetch.SetResult();
        // Before the fix the issuer check asked for the same document again here, and blocked its thread until answered.
        var anotherFetch = metadata.NextAsync();
        var firstDone = await Task.WhenAny(first, anotherFetch);

        Assert.Same(first, firstDone);
        using var response = await first;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, metadata.Requests);
    }

    [Fact]
    public async Task ApiTokens_IssuerTemplate_AcceptsTheTokensOwnDirectory_AndRefusesAnIssuerNamingAnotherOne()
    {
        var (_, directory, app) = await _host.OnboardAsync();
        var parameters = _host.Portal.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(AppTokenAuthentication.Scheme).TokenValidationParameters;
        var token = new JsonWebToken(await _host.Issuer.RequestAppTokenAsync(app));
        var metadataBefore = _host.Issuer.MetadataRequests;

        using (_host.Issuer.GoDown())
        {
            // Entra unreachable: the template alone decides, as the metadata would have.
            Assert.Equal(_host.Issuer.IssuerFor(directory), parameters.IssuerValidator!(token.Issuer, token, parameters));
            var foreign = Assert.Throws<SecurityTokenInvalidIssuerException>(() => parameters.IssuerValidator!(_host.Issuer.IssuerFor(Guid.NewGuid()), token, parameters));
            Assert.Contains("IDX40001", foreign.Message, StringComparison.Ordinal);
        }

        Assert.Equal([$"{_host.Issuer.Instance.AbsoluteUri}{{tenantid}}/v2.0"], parameters.ValidIssuers);
        Assert.Equal(metadataBefore, _host.Issuer.MetadataRequests);
    }

    [Fact]
    public async Task SignIn_FetchesEntrasMetadataOnce_ForTheHandler_NotAgainForTheIssuerCheck()
    {
        await _host.Portal.OnboardAsync("fabrikam", "Fabrikam", FabrikamDirectory);
        using var browser = EntraSignInFlow.Browser(_host.Portal);
        var before = _host.Issuer.MetadataRequests;

        var callback = await EntraSignInFlow.SignInAsync(_host.Issuer, browser, TestUser.In(FabrikamDirectory, PortalRoles.TenantAdmin), "/tenants/fabrikam/api-key");

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/tenants/fabrikam/api-key", callback.Headers.Location!.OriginalString);
        Assert.Equal(1, _host.Issuer.MetadataRequests - before);
        var oidc = _host.Portal.Services.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(OpenIdConnectDefaults.AuthenticationScheme);
        Assert.Equal([$"{_host.Issuer.Instance.AbsoluteUri}{{tenantid}}/v2.0"], oidc.TokenValidationParameters.ValidIssuers);
    }

    [Fact]
    public void OnThePublicCloud_V1AndV2AccessTokens_MatchTheirTemplates_WithoutAFetch()
    {
        // No Entra here: a fetch would fail, so a match proves the templates alone decided.
        using var portal = PortalAppFactory.ProductionOnPublicEntra();
        var parameters = portal.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(AppTokenAuthentication.Scheme).TokenValidationParameters;
        var tid = Guid.NewGuid();

        foreach (var issuer in new[] { $"https://login.microsoftonline.com/{tid}/v2.0", $"https://sts.windows.net/{tid}/" })
        {
            var token = new JsonWebToken(new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = issuer,
                Claims = new Dictionary<string, object> { ["tid"] = tid.ToString() },
            }));
            Assert.Equal(issuer, parameters.IssuerValidator!(issuer, token, parameters));
        }

        Assert.Equal(["https://login.microsoftonline.com/{tenantid}/v2.0", "https://sts.windows.net/{tenantid}/"], parameters.ValidIssuers);
    }

    [Theory]
    [InlineData("organizations", "https://login.microsoftonline.com/{tenantid}/v2.0", "https://sts.windows.net/{tenantid}/")]
    [InlineData("common", "https://login.microsoftonline.com/{tenantid}/v2.0", "https://sts.windows.net/{tenantid}/")]
    [InlineData("9e7b0a4c-0000-4000-8000-000000000001", "https://login.microsoftonline.com/9e7b0a4c-0000-4000-8000-000000000001/v2.0",
        "https://sts.windows.net/9e7b0a4c-0000-4000-8000-000000000001/")]
    public void IssuerTemplates_AMultiTenantAppGetsTemplates_ASingleTenantOneItsDirectorysIssuersExactly(string tenantId, string v2, string v1)
    {
        Assert.Equal([v2, v1], EntraIssuerTemplates.IssuerTemplates("https://login.microsoftonline.com/", tenantId));
        Assert.Equal(["https://login.microsoftonline.us/{tenantid}/v2.0"], EntraIssuerTemplates.IssuerTemplates("https://login.microsoftonline.us/", "organizations"));
    }

    private static readonly Guid FabrikamDirectory = Guid.Parse("fab0fab0-0000-4000-8000-00000000b001");
}
