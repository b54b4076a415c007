using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Tests.Auth;

/// <summary>
/// The real Microsoft.Identity.Web OpenID Connect handler, in a Production host, signing in against the test issuer:
/// challenge, the issuer's authorize endpoint (it approves the chosen user at once), the form_post back to
/// /signin-oidc with the portal's correlation and nonce cookies, code redemption with the client secret over the
/// backchannel, token validation, the allow-list, and the session cookie.
/// </summary>
public sealed class EntraSignInTests(EntraSignInTests.Portal fixture) : IClassFixture<EntraSignInTests.Portal>
{
    internal static readonly Guid HomeTenant = Guid.Parse("9e7b0a4c-0000-4000-8000-00000000a001");
    private static readonly Guid ContosoDirectory = Guid.Parse("c0c0c0c0-0000-4000-8000-00000000a002");
    private static readonly Guid UnknownDirectory = Guid.Parse("0dd00dd0-0000-4000-8000-00000000a003");

    private readonly TestOidcIssuer _issuer = fixture.Issuer;
    private readonly PortalAppFactory _portal = fixture.Factory;
    private readonly long _auditBefore = fixture.LastAuditId();

    /// <summary>One issuer and one Production portal for the class; each test signs in with its own browser.</summary>
    public sealed class Portal : IAsyncLifetime
    {
        public TestOidcIssuer Issuer { get; private set; } = null!;

        public PortalAppFactory Factory { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Issuer = await TestOidcIssuer.StartAsync();
            Factory = CreatePortal(Issuer);
            await Factory.OnboardAsync("contoso", "Contoso Ltd", ContosoDirectory);
        }

        public long LastAuditId()
        {
            using var db = Factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
            return db.AuditEvents.Max(e => (long?)e.Id) ?? 0;
        }

        public async Task DisposeAsync()
        {
            Factory.Dispose();
            await Issuer.DisposeAsync();
        }
    }

    internal static PortalAppFactory CreatePortal(
        TestOidcIssuer issuer, IReadOnlyDictionary<string, string?>? overrides = null, Action<IServiceCollection>? configureServices = null)
    {
        var factory = new PortalAppFactory
        {
            Environment = "Production",
            ConfigureServices = services =>
            {
                issuer.TrustFromPortal(services);
                configureServices?.Invoke(services);
            },
        }
            .WithSetting("Authentication:HomeTenantId", HomeTenant.ToString())
            .WithSetting("Database:MigrateAtStartup", "true");
        foreach (var (key, value) in issuer.PortalSettings())
        {
            factory.WithSetting(key, value);
        }

        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            factory.WithSetting(key, value);
        }

        return factory;
    }

    [Fact]
    public async Task TenantAdmin_FromAMappedDirectory_ReachesOwnTenantsApiKeyPage()
    {
        using var browser = Browser();
        var user = TestUser.In(ContosoDirectory, PortalRoles.TenantAdmin);

        var callback = await SignInAsync(browser, user, returnUrl: "/tenants/contoso/api-key");
        var page = await browser.GetAsync("/tenants/contoso/api-key");
        var staffPage = await browser.GetAsync("/support/rotation-status");

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/tenants/contoso/api-key", callback.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("API key · Contoso Ltd", WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, staffPage.StatusCode);
        Assert.Equal(SignInRefusal.AccessDeniedPath, staffPage.Headers.Location!.AbsolutePath);
        var audited = Assert.Single(await SignInAuditAsync());
        Assert.Equal(AuditOutcome.Succeeded, audited.Outcome);
        Assert.Equal(ContosoDirectory, audited.ActorTenantId);
        Assert.Equal(user.ObjectId, audited.ActorObjectId);
        Assert.Equal(PortalRoles.TenantAdmin, audited.ActorRole);
    }

    /// <summary>
    /// The return URL as an attacker writes it into a link. Browsers drop tabs and line breaks from a Location and
    /// read a backslash as a slash, so each of these would leave the site; the final redirect goes home instead.
    /// </summary>
    [Theory]
    [InlineData("/%09/evil.example", "/")]
    [InlineData("/%0A/evil.example", "/")]
    [InlineData("/%0D/evil.example", "/")]
    [InlineData("/%0D%0A/evil.example", "/")]
    [InlineData("/tenants%09/evil.example", "/")]
    [InlineData("/%5Cevil.example", "/")]
    [InlineData("%5C%5Cevil.example", "/")]
    [InlineData("//evil.example", "/")]
    [InlineData("%2F%2Fevil.example", "/")]
    [InlineData("/%2F/evil.example", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("https%3A%2F%2Fevil.example%2F", "/")]
    [InlineData("~/tenants/contoso/api-key", "/")]
    // Encoded once more, the text is a harmless path on this site: browsers do not decode %09 or %5C in a path.
    [InlineData("/%2509/evil.example", "/%09/evil.example")]
    [InlineData("/%255Cevil.example", "/%5Cevil.example")]
    public async Task SignIn_ReturnUrlLeavingTheSite_EndsOnALocalPath(string encodedReturnUrl, string expectedLocation)
    {
        using var browser = Browser();

        var callback = await EntraSignInFlow.SignInFromAsync(
            _issuer, browser, TestUser.In(ContosoDirectory, PortalRoles.TenantAdmin), $"/authentication/sign-in?returnUrl={encodedReturnUrl}");

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal(expectedLocation, callback.Headers.Location!.OriginalString);
        Assert.Equal(AuditOutcome.Succeeded, Assert.Single(await SignInAuditAsync()).Outcome);
    }

    [Fact]
    public async Task SignIn_ChallengeWithAForeignRedirectFromElsewhere_EndsOnALocalPath()
    {
        // Not through the sign-in endpoint: the handler's own final redirect is checked too.
        using var portal = CreatePortal(_issuer, configureServices: s => s.AddSingleton<IStartupFilter, ForeignRedirectChallenge>());
        await portal.OnboardAsync("contoso", "Contoso Ltd", ContosoDirectory);
        using var browser = EntraSignInFlow.Browser(portal);

        var callback = await EntraSignInFlow.SignInFromAsync(
            _issuer, browser, TestUser.In(ContosoDirectory, PortalRoles.TenantAdmin), ForeignRedirectChallenge.Path);

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/", callback.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("/tenants/contoso/api-key")]
    [InlineData("/tenants/contoso")]
    [InlineData("/platform/tenants")]
    [InlineData("/platform/settings")]
    [InlineData("/support/rotation-status")]
    [InlineData("/audit")]
    [InlineData("/audit/export.csv")]
    [InlineData("/audit/export.json?tenant=contoso")]
    [InlineData("/audit/verify?chain=contoso")]
    public async Task Anonymous_EveryProtectedRoute_IsChallengedToEntra(string path)
    {
        using var browser = Browser();

        var response = await browser.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(AuthorizeEndpoint, response.Headers.Location!.GetLeftPart(UriPartial.Path));
    }

    [Fact]
    public async Task SessionCookie_OutsideDevelopment_IsSecureHttpOnlyLax()
    {
        using var browser = Browser();

        var callback = await SignInAsync(browser, TestUser.In(ContosoDirectory, PortalRoles.TenantAdmin), "/");

        // The session (with its encrypted refresh token) is larger than one cookie: every chunk gets the same flags.
        var cookies = callback.Headers.GetValues("Set-Cookie").Where(c => c.StartsWith("TenantPortal.Auth", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(cookies);
        Assert.All(cookies, cookie =>
        {
            Assert.Contains("; secure", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("; httponly", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("; samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.True(cookie.Split(';')[0].Length < 4096, "each chunk fits a browser's cookie limit");
        });
    }

    [Theory]
    [InlineData(PortalRoles.SupportReader)]
    [InlineData(PortalRoles.PlatformAdmin)]
    public async Task Staff_FromTheHomeTenant_ReachRotationStatus(string role)
    {
        using var browser = Browser();

        var callback = await SignInAsync(browser, TestUser.In(HomeTenant, role), "/support/rotation-status");
        var page = await browser.GetAsync("/support/rotation-status");

        Assert.Equal("/support/rotation-status", callback.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Rotation status", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(AuditOutcome.Succeeded, Assert.Single(await SignInAuditAsync()).Outcome);
    }

    [Fact]
    public async Task StaffRole_FromACustomerDirectory_IsRefusedAsNoRole()
    {
        using var browser = Browser();

        var callback = await SignInAsync(browser, TestUser.In(ContosoDirectory, PortalRoles.SupportReader), "/support/rotation-status");
        var page = await browser.GetAsync("/support/rotation-status");

        Assert.Equal(SignInRefusal.NoAccessPath, callback.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal(AuthorizeEndpoint, page.Headers.Location!.GetLeftPart(UriPartial.Path));
        AssertNoSessionCookie(callback);
        var audited = Assert.Single(await SignInAuditAsync());
        Assert.Equal(AuditOutcome.Denied, audited.Outcome);
        Assert.Equal(SessionValidator.NoPortalRole, audited.Reason);
    }

    [Fact]
    public async Task NoRole_IsRefusedAndExplained()
    {
        using var browser = Browser();

        var callback = await SignInAsync(browser, TestUser.In(ContosoDirectory), "/");
        var explanation = await browser.GetStringAsync(callback.Headers.Location);

        Assert.Equal(SignInRefusal.NoAccessPath, callback.Headers.Location!.OriginalString);
        Assert.Contains("Your account has no role in TenantPortal", explanation, StringComparison.Ordinal);
        AssertNoSessionCookie(callback);
        var audited = Assert.Single(await SignInAuditAsync());
        Assert.Equal(AuditOutcome.Denied, audited.Outcome);
        Assert.Equal(SessionValidator.NoPortalRole, audited.Reason);
        Assert.Equal(ContosoDirectory, audited.ActorTenantId);
    }

    [Fact]
    public async Task Directory_NotOnTheAllowList_LandsOnNotOnboardedPage()
    {
        using var browser = Browser();
        var user = TestUser.In(UnknownDirectory, PortalRoles.TenantAdmin);

        var callback = await SignInAsync(browser, user, "/");
        var explanation = await browser.GetAsync(callback.Headers.Location);
        var afterwards = await browser.GetAsync("/tenants/contoso/api-key");

        Assert.Equal(SignInRefusal.NotOnboardedPath, callback.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, explanation.StatusCode);
        Assert.Contains("Your organisation is not onboarded", await explanation.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        AssertNoSessionCookie(callback);
        Assert.Equal(HttpStatusCode.Redirect, afterwards.StatusCode);
        Assert.StartsWith(_issuer.Instance.AbsoluteUri, afterwards.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
        var audited = Assert.Single(await SignInAuditAsync());
        Assert.Equal(AuditOutcome.Denied, audited.Outcome);
        Assert.Equal(SessionValidator.NotOnboarded, audited.Reason);
        Assert.Equal(UnknownDirectory, audited.ActorTenantId);
        Assert.Equal(user.ObjectId, audited.ActorObjectId);
    }

    [Theory]
    [InlineData(IssuerFault.WrongAudience, "Invalid token: audience")]
    [InlineData(IssuerFault.WrongIssuer, "Invalid token: issuer")]
    [InlineData(IssuerFault.Expired, "Invalid token: expired")]
    [InlineData(IssuerFault.TamperedSignature, "Invalid token: signature")]
    public async Task InvalidIdToken_IsRefusedAndAudited(IssuerFault fault, string reason)
    {
        using var browser = Browser();

        var callback = await SignInAsync(browser, TestUser.In(ContosoDirectory, PortalRoles.TenantAdmin), "/tenants/contoso/api-key", fault);
        var explanation = await browser.GetStringAsync(callback.Headers.Location);
        var afterwards = await browser.GetAsync("/tenants/contoso/api-key");

        Assert.Equal(SignInRefusal.FailedPath, callback.Headers.Location!.OriginalString);
        Assert.Contains("The sign-in could not be completed", explanation, StringComparison.Ordinal);
        AssertNoSessionCookie(callback);
        Assert.Equal(HttpStatusCode.Redirect, afterwards.StatusCode);
        var audited = Assert.Single(await SignInAuditAsync());
        Assert.Equal(AuditOutcome.Denied, audited.Outcome);
        Assert.Equal(reason, audited.Reason);
        Assert.Null(audited.ActorObjectId); // an invalid token's claims are not believed
    }

    [Fact]
    public async Task CodeRedemption_AuthenticatesWithTheClientSecret_AndPkce()
    {
        using var browser = Browser();

        await SignInAsync(browser, TestUser.In(ContosoDirectory, PortalRoles.TenantAdmin), "/");

        var request = _issuer.TokenRequests[^1];
        Assert.Equal(_issuer.ClientId, request.ClientId);
        Assert.True(request.HadClientSecret);
        Assert.Null(request.ClientAssertion);
    }

    [Fact]
    public async Task Challenge_AsksForTheCodeFlowWithPkce()
    {
        using var browser = Browser();

        var challenge = await browser.GetAsync("/authentication/sign-in?returnUrl=%2F");

        var authorize = challenge.Headers.Location!;
        Assert.Equal(AuthorizeEndpoint, authorize.GetLeftPart(UriPartial.Path));
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(authorize.Query);
        Assert.Equal("code", query["response_type"].ToString());
        Assert.Equal("S256", query["code_challenge_method"].ToString());
        Assert.False(string.IsNullOrEmpty(query["code_challenge"]));
    }

    [Fact]
    public async Task SignIn_NeverLogsTheClientSecret()
    {
        using var browser = Browser();
        await SignInAsync(browser, TestUser.In(ContosoDirectory, PortalRoles.TenantAdmin), "/");

        Assert.DoesNotContain(_portal.AllLogText(), text => text.Contains(TestOidcIssuer.ClientSecret, StringComparison.Ordinal));
    }

    private string AuthorizeEndpoint => $"{_issuer.Instance}organizations/oauth2/v2.0/authorize";

    private HttpClient Browser() => EntraSignInFlow.Browser(_portal);

    private Task<HttpResponseMessage> SignInAsync(HttpClient browser, TestUser user, string returnUrl, IssuerFault fault = IssuerFault.None) =>
        EntraSignInFlow.SignInAsync(_issuer, browser, user, returnUrl, fault);

    private async Task<List<AuditEvent>> SignInAuditAsync()
    {
        await using var db = _portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        return await db.AuditEvents.AsNoTracking()
            .Where(e => e.Id > _auditBefore && e.Action == AuditActions.SignIn)
            .OrderBy(e => e.Id)
            .ToListAsync();
    }

    /// <summary>A route that challenges with a return URL the portal's sign-in endpoint would never pass on.</summary>
    private sealed class ForeignRedirectChallenge : IStartupFilter
    {
        public const string Path = "/test/foreign-challenge";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            // Not Map: it would move the path base, and with it the handler's callback address.
            app.Use((context, nextMiddleware) => context.Request.Path == Path
                ? context.ChallengeAsync(OpenIdConnectDefaults.AuthenticationScheme, new AuthenticationProperties { RedirectUri = "/\t/evil.example" })
                : nextMiddleware(context));
            next(app);
        };
    }

    private static void AssertNoSessionCookie(HttpResponseMessage response) =>
        Assert.DoesNotContain(response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [],
            c => c.StartsWith("TenantPortal.Auth=", StringComparison.Ordinal) && !c.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase));
}
