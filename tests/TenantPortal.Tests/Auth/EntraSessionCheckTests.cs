using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpenIddict.Abstractions;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Auth.Entra;
using TenantPortal.Web.Data;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Tests.Auth;

/// <summary>
/// A signed-in session that an admin changes in Entra afterwards: the account disabled, its sessions revoked, a role
/// taken away, or Entra itself down. The real OpenID Connect handler signs in against the test issuer (which now hands
/// out refresh tokens); every revalidation interval the portal redeems the session's refresh token at the issuer's
/// token endpoint, and the issuer answers as Entra does (AADSTS error codes, an id token with the roles as assigned now).
/// </summary>
public sealed class EntraSessionCheckTests(EntraSessionCheckTests.Portal fixture) : IClassFixture<EntraSessionCheckTests.Portal>
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);
    private static readonly Guid ContosoDirectory = Guid.Parse("c0c0c0c0-0000-4000-8000-00000000b002");
    private const string ApiKeyPage = "/tenants/contoso/api-key";

    private readonly TestOidcIssuer _issuer = fixture.Issuer;
    private readonly PortalAppFactory _portal = fixture.Factory;
    private readonly FakeTimeProvider _time = fixture.Time;

    /// <summary>One issuer and one Production portal on a fake clock (tests in a class run one at a time).</summary>
    public sealed class Portal : IAsyncLifetime
    {
        public TestOidcIssuer Issuer { get; private set; } = null!;

        public PortalAppFactory Factory { get; private set; } = null!;

        public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

        public async Task InitializeAsync()
        {
            Issuer = await TestOidcIssuer.StartAsync();
            Factory = EntraSignInTests.CreatePortal(Issuer, configureServices: s => s.AddSingleton<TimeProvider>(Time));
            await Factory.OnboardAsync("contoso", "Contoso Ltd", ContosoDirectory);
        }

        public async Task DisposeAsync()
        {
            Factory.Dispose();
            await Issuer.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(true, "invalid_grant, AADSTS50057")]
    [InlineData(false, "invalid_grant, AADSTS50173")]
    public async Task AccountDisabledOrSessionsRevoked_EndsTheCookieSession_AtTheFirstRequestAfterTheInterval(bool disable, string code)
    {
        var (browser, user) = await SignedInAsync();
        _issuer.UpdateDirectory(user.ObjectId, s => disable ? s with { Disabled = true } : s with { SessionsRevoked = true });

        var withinInterval = await browser.GetAsync(ApiKeyPage);
        _time.Advance(Interval);
        var afterInterval = await browser.GetAsync(ApiKeyPage);
        var later = await browser.GetAsync(ApiKeyPage);

        Assert.Equal(HttpStatusCode.OK, withinInterval.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, afterInterval.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, later.StatusCode);
        AssertSessionCookieDeleted(afterInterval);
        var ended = Assert.Single(await SessionEndedAsync(user));
        Assert.Equal($"Entra ID refused to renew the session ({code})", ended.Reason);
        Assert.Equal(AuditOutcome.Denied, ended.Outcome);
        Assert.Equal(ContosoDirectory, ended.ActorTenantId);
    }

    [Fact]
    public async Task RoleRemovedInEntra_EndsTheSession_WithTheRoleInTheReason()
    {
        var (browser, user) = await SignedInAsync();
        _issuer.UpdateDirectory(user.ObjectId, s => s with { Roles = [] });

        _time.Advance(Interval);
        var response = await browser.GetAsync(ApiKeyPage);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"{EntraSessionCheck.RoleRemoved}: {PortalRoles.TenantAdmin}", Assert.Single(await SessionEndedAsync(user)).Reason);
    }

    [Fact]
    public async Task RoleAddedInEntra_KeepsTheSessionWithItsOldRoles_UntilTheNextSignIn()
    {
        var (browser, user) = await SignedInAsync();
        _issuer.UpdateDirectory(user.ObjectId, s => s with { Roles = [PortalRoles.TenantAdmin, PortalRoles.PlatformAdmin] });

        _time.Advance(Interval);
        var page = await browser.GetAsync(ApiKeyPage);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Empty(await SessionEndedAsync(user));
    }

    [Fact]
    public async Task UnchangedUser_GoesOnCheckAfterCheck_WithEachRenewedRefreshToken()
    {
        var (browser, user) = await SignedInAsync();
        var issuedAtSignIn = _issuer.IssuedRefreshTokens[^1];
        var refreshesBefore = Refreshes().Count;

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            _time.Advance(Interval);
            statuses.Add((await browser.GetAsync(ApiKeyPage)).StatusCode);
            statuses.Add((await browser.GetAsync(ApiKeyPage)).StatusCode); // within the interval: no second refresh
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Empty(await SessionEndedAsync(user));
        var refreshes = Refreshes().Skip(refreshesBefore).ToList();
        Assert.Equal(3, refreshes.Count);
        // Each check redeems the refresh token Entra handed back at the previous one (kept in the re-issued cookie).
        Assert.Equal(issuedAtSignIn, refreshes[0].RefreshToken);
        Assert.NotEqual(refreshes[0].RefreshToken, refreshes[1].RefreshToken);
        Assert.Contains(refreshes[1].RefreshToken, _issuer.IssuedRefreshTokens);
        Assert.NotEqual(refreshes[1].RefreshToken, refreshes[2].RefreshToken);
        Assert.All(refreshes, r => Assert.True(r.HadClientSecret));
    }

    [Fact]
    public async Task RequestsArrivingTogether_ShareOneRenewalWithEntra()
    {
        var (browser, user) = await SignedInAsync();
        var refreshesBefore = Refreshes().Count;

        _time.Advance(Interval);
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => browser.GetAsync(ApiKeyPage)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, Refreshes().Count - refreshesBefore);
        Assert.Empty(await SessionEndedAsync(user));
    }

    [Theory]
    [InlineData("temporarily_unavailable", 90033)] // Entra busy
    [InlineData("invalid_grant", 50196)] // Entra's loop protection: too many renewals, not a verdict on the user
    [InlineData("invalid_client", 7000215)] // the portal's own credential refused
    public async Task EntraRefusalsThatSayNothingAboutTheUser_AreToleratedLikeAnOutage(string error, int code)
    {
        var (browser, user) = await SignedInAsync();
        using (_issuer.RefuseRefreshes(error, code))
        {
            _time.Advance(Interval);
            var within = await browser.GetAsync(ApiKeyPage);
            _time.Advance(Interval + Interval);
            var beyond = await browser.GetAsync(ApiKeyPage);

            Assert.Equal(HttpStatusCode.OK, within.StatusCode);
            Assert.Equal(HttpStatusCode.Redirect, beyond.StatusCode);
            Assert.Equal($"{SessionValidator.EntraUnavailable} (Entra ID did not renew the session ({error}, AADSTS{code}))",
                Assert.Single(await SessionEndedAsync(user)).Reason);
        }
    }

    [Fact]
    public async Task EntraOutage_IsToleratedForFifteenMinutesAfterTheLastConfirmation_ThenEndsTheSession()
    {
        var (browser, user) = await SignedInAsync();
        using (_issuer.GoDown())
        {
            _time.Advance(Interval);
            var at5 = await browser.GetAsync(ApiKeyPage);
            _time.Advance(Interval);
            var at10 = await browser.GetAsync(ApiKeyPage);
            _time.Advance(Interval);
            var at15 = await browser.GetAsync(ApiKeyPage);

            Assert.Equal(HttpStatusCode.OK, at5.StatusCode);
            Assert.Equal(HttpStatusCode.OK, at10.StatusCode);
            Assert.Equal(HttpStatusCode.Redirect, at15.StatusCode);
            Assert.Equal($"{SessionValidator.EntraUnavailable} (Entra ID did not renew the session (HTTP 503))",
                Assert.Single(await SessionEndedAsync(user)).Reason);
        }
    }

    [Fact]
    public async Task EntraBackWithinTheTolerance_ConfirmsTheSessionAndRestartsTheWindow()
    {
        var (browser, user) = await SignedInAsync();
        using (_issuer.GoDown())
        {
            _time.Advance(Interval);
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(ApiKeyPage)).StatusCode);
            _time.Advance(Interval);
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(ApiKeyPage)).StatusCode);
        }

        _time.Advance(Interval);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(ApiKeyPage)).StatusCode); // confirmed at 15 minutes
        using (_issuer.GoDown())
        {
            _time.Advance(Interval);
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(ApiKeyPage)).StatusCode); // 5 minutes since
            _time.Advance(Interval);
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(ApiKeyPage)).StatusCode); // 10 minutes since
        }

        Assert.Empty(await SessionEndedAsync(user));
    }

    [Fact]
    public async Task PortalRestartedDuringAnEntraOutage_KeepsOpenSessionsForTheTolerance_ThenEndsThem()
    {
        var (_, user, cookies) = await SignedInWithCookiesAsync();
        using (_issuer.GoDown())
        {
            // Another instance (a restart, a scale-out) on the same database and key ring: it has never read Entra's
            // metadata, and cannot now.
            using var restarted = EntraSignInTests.CreatePortal(_issuer,
                new Dictionary<string, string?> { ["AppData:Path"] = _portal.DataDirectory },
                s => s.AddSingleton<TimeProvider>(_time));
            using var client = restarted.CreateClient(new WebApplicationFactoryClientOptions
            {
                BaseAddress = new Uri("https://localhost"),
                AllowAutoRedirect = false,
                HandleCookies = false,
            });

            _time.Advance(Interval);
            var within = await GetWithCookiesAsync(client, cookies);
            _time.Advance(Interval + Interval);
            var beyond = await GetWithCookiesAsync(client, cookies);

            Assert.Equal(HttpStatusCode.OK, within.StatusCode);
            Assert.Contains("API key · Contoso Ltd", WebUtility.HtmlDecode(await within.Content.ReadAsStringAsync()), StringComparison.Ordinal);
            // Ended; signing in again needs Entra, so the challenge fails until it is back (the error page).
            Assert.NotEqual(HttpStatusCode.OK, beyond.StatusCode);
            Assert.DoesNotContain("API key · Contoso Ltd", WebUtility.HtmlDecode(await beyond.Content.ReadAsStringAsync()), StringComparison.Ordinal);
            Assert.Equal($"{SessionValidator.EntraUnavailable} (Entra ID metadata could not be read)",
                Assert.Single(await SessionEndedAsync(user)).Reason);
        }
    }

    [Fact]
    public async Task SignIn_WithoutARefreshToken_IsRefusedAndAudited()
    {
        using var browser = EntraSignInFlow.Browser(_portal);
        var user = TestUser.In(ContosoDirectory, PortalRoles.TenantAdmin);

        var callback = await EntraSignInFlow.SignInAsync(_issuer, browser, user, ApiKeyPage, IssuerFault.NoRefreshToken);
        var page = await browser.GetAsync(ApiKeyPage);

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal(SignInRefusal.FailedPath, callback.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        await using var db = CreateDbContext();
        var refused = await db.AuditEvents.SingleAsync(e => e.Action == AuditActions.SignIn && e.ActorObjectId == user.ObjectId);
        Assert.Equal(AuditOutcome.Denied, refused.Outcome);
        Assert.Equal(EntraSignInEvents.NoRefreshToken, refused.Reason);
    }

    [Fact]
    public async Task OpenCircuit_OfADisabledAccount_TurnsAnonymousAtTheNextCheck()
    {
        var (_, user, cookies) = await SignedInWithCookiesAsync();
        await using var scope = _portal.Services.CreateAsyncScope();
        var provider = await OpenCircuitAsync(scope, cookies);

        Assert.True(await CheckAfterAsync(provider, Interval)); // Entra confirms: the session goes on
        Assert.True((await provider.GetAuthenticationStateAsync()).User.Identity!.IsAuthenticated);
        _issuer.UpdateDirectory(user.ObjectId, s => s with { Disabled = true });
        Assert.False(await CheckAfterAsync(provider, Interval));

        Assert.False((await provider.GetAuthenticationStateAsync()).User.Identity!.IsAuthenticated);
        Assert.Equal("Entra ID refused to renew the session (invalid_grant, AADSTS50057)", Assert.Single(await SessionEndedAsync(user)).Reason);
    }

    [Fact]
    public async Task OpenCircuit_OfARemovedRole_TurnsAnonymousAtTheNextCheck()
    {
        var (_, user, cookies) = await SignedInWithCookiesAsync();
        await using var scope = _portal.Services.CreateAsyncScope();
        var provider = await OpenCircuitAsync(scope, cookies);
        _issuer.UpdateDirectory(user.ObjectId, s => s with { Roles = [] });

        Assert.False(await CheckAfterAsync(provider, Interval));

        Assert.Equal($"{EntraSessionCheck.RoleRemoved}: {PortalRoles.TenantAdmin}", Assert.Single(await SessionEndedAsync(user)).Reason);
    }

    [Fact]
    public async Task RefreshTokens_NeverReachTheLog_TheAuditTrail_OrThePage()
    {
        var (browser, user) = await SignedInAsync();
        _time.Advance(Interval);
        var html = await (await browser.GetAsync(ApiKeyPage)).Content.ReadAsStringAsync();
        _issuer.UpdateDirectory(user.ObjectId, s => s with { Disabled = true });
        _time.Advance(Interval);
        await browser.GetAsync(ApiKeyPage);

        var tokens = _issuer.IssuedRefreshTokens;
        Assert.True(tokens.Count >= 2);
        var logs = _portal.AllLogText().ToList();
        await using var db = CreateDbContext();
        var audit = await db.AuditEvents.AsNoTracking().ToListAsync();
        foreach (var token in tokens)
        {
            // The middle of the token too, in case something logged a shortened copy.
            var fragment = token.Substring(token.Length / 2, 40);
            Assert.DoesNotContain(logs, l => l.Contains(fragment, StringComparison.Ordinal));
            Assert.DoesNotContain(fragment, html, StringComparison.Ordinal);
            Assert.DoesNotContain(audit, e => $"{e.Reason}|{e.Changes}|{e.ActorName}|{e.UserAgent}".Contains(fragment, StringComparison.Ordinal));
        }
    }

    private async Task<(HttpClient Browser, TestUser User)> SignedInAsync()
    {
        var (browser, user, _) = await SignedInWithCookiesAsync();
        return (browser, user);
    }

    private async Task<(HttpClient Browser, TestUser User, string Cookies)> SignedInWithCookiesAsync()
    {
        var browser = EntraSignInFlow.Browser(_portal);
        var user = TestUser.In(ContosoDirectory, PortalRoles.TenantAdmin);
        var callback = await EntraSignInFlow.SignInAsync(_issuer, browser, user, ApiKeyPage);
        Assert.Equal(ApiKeyPage, callback.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(ApiKeyPage)).StatusCode);
        var cookies = string.Join("; ", callback.Headers.GetValues("Set-Cookie")
            .Where(c => c.StartsWith("TenantPortal.Auth", StringComparison.Ordinal))
            .Select(c => c.Split(';')[0]));
        return (browser, user, cookies);
    }

    /// <summary>
    /// What the framework does when a circuit starts: the request that carries it has been authenticated by the cookie
    /// handler, and the circuit's provider gets that user.
    /// </summary>
    private static async Task<RevalidatingPortalAuthenticationStateProvider> OpenCircuitAsync(AsyncServiceScope scope, string cookies)
    {
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Request.Scheme = "https";
        http.Request.Host = new HostString("localhost");
        http.Request.Path = "/_blazor";
        http.Request.Headers.Cookie = cookies;
        var result = await http.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        Assert.True(result.Succeeded);
        http.User = result.Principal!;
        http.Features.Set<IAuthenticateResultFeature>(new AuthenticateResultFeature { AuthenticateResult = result });
        scope.ServiceProvider.GetRequiredService<IHttpContextAccessor>().HttpContext = http;

        var provider = (RevalidatingPortalAuthenticationStateProvider)scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>();
        provider.SetAuthenticationState(Task.FromResult(new AuthenticationState(result.Principal!)));
        return provider;
    }

    private Task<bool> CheckAfterAsync(RevalidatingPortalAuthenticationStateProvider provider, TimeSpan advance) =>
        provider.CheckAfterAsync(_time, advance);

    private static async Task<HttpResponseMessage> GetWithCookiesAsync(HttpClient client, string cookies)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ApiKeyPage);
        request.Headers.Add("Cookie", cookies);
        return await client.SendAsync(request);
    }

    private List<RecordedTokenRequest> Refreshes() =>
        _issuer.TokenRequests.Where(r => r.GrantType == OpenIddictConstants.GrantTypes.RefreshToken).ToList();

    private PortalDbContext CreateDbContext() =>
        _portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();

    private async Task<List<AuditEvent>> SessionEndedAsync(TestUser user)
    {
        await using var db = CreateDbContext();
        return await db.AuditEvents.AsNoTracking()
            .Where(e => e.Action == AuditActions.SessionEnded && e.ActorObjectId == user.ObjectId)
            .ToListAsync();
    }

    private static void AssertSessionCookieDeleted(HttpResponseMessage response) =>
        Assert.Contains(response.Headers.GetValues("Set-Cookie"),
            c => c.StartsWith("TenantPortal.Auth=", StringComparison.Ordinal) && c.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase));

    private sealed class AuthenticateResultFeature : IAuthenticateResultFeature
    {
        public AuthenticateResult? AuthenticateResult { get; set; }
    }
}
