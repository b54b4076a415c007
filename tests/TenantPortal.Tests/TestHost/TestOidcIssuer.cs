using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Microsoft.Identity.Web;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using TenantPortal.Web.Auth;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace TenantPortal.Tests.TestHost;

/// <summary>A user the issuer signs in at the next authorization request, with the claims Entra would issue.</summary>
public sealed record TestUser(Guid TenantId, Guid ObjectId, string Name, params string[] Roles)
{
    public static TestUser In(Guid tenantId, params string[] roles) => new(tenantId, Guid.NewGuid(), "Test User", roles);
}

/// <summary>What is wrong with the next id token the issuer hands out.</summary>
public enum IssuerFault
{
    None,
    WrongAudience,

    /// <summary>Signed as another Entra tenant's issuer than the token's own <c>tid</c>.</summary>
    WrongIssuer,
    Expired,

    /// <summary>A claim changed after signing.</summary>
    TamperedSignature,

    /// <summary>An access token with delegated scopes (<c>scp</c>), as issued to a signed-in user rather than an app.</summary>
    DelegatedScopes,

    /// <summary>The code is redeemed without a refresh token (as when <c>offline_access</c> was not granted).</summary>
    NoRefreshToken,
}

/// <summary>A token request as the issuer received it (for checking how the portal authenticated itself).</summary>
public sealed record RecordedTokenRequest(string? ClientId, bool HadClientSecret, string? ClientAssertionType, string? ClientAssertion, string? GrantType, string? RefreshToken);

/// <summary>What the directory says about a user now (changes an admin makes in Entra after the user signed in).</summary>
public sealed record DirectoryState(bool Disabled = false, bool SessionsRevoked = false, IReadOnlyList<string>? Roles = null);

/// <summary>
/// A stand-in for Entra ID: an in-process OpenIddict server (authorization code flow with PKCE, form_post) over HTTPS
/// on 127.0.0.1, with Entra's endpoint paths under any tenant segment (<c>organizations</c> or a tid) and Entra-shaped
/// id tokens (<c>iss</c> = <c>{Instance}{tid}/v2.0</c>, <c>tid</c>, <c>oid</c>, <c>name</c>, <c>roles</c>, <c>ver</c>).
/// Tests choose the user the next authorization request signs in (it is approved at once) and a fault for the id token.
/// OpenIddict runs the protocol; a middleware gives its answers Entra's shape: the discovery document's issuer (a
/// <c>{tenantid}</c> template for <c>organizations</c>), and each id token's issuer and faults, re-signed with the same key.
/// </summary>
public sealed partial class TestOidcIssuer : IAsyncDisposable
{
    public const string ClientSecret = "test-issuer-client-secret-0001";
    public const string HttpClientName = "test-oidc-issuer";
    private const string KeyId = "test-issuer-signing-key";

    private readonly WebApplication _app;
    private readonly RSA _rsa;
    private readonly ConcurrentQueue<RecordedTokenRequest> _tokenRequests = new();
    private readonly ConcurrentDictionary<Guid, DirectoryState> _directory = new();
    private readonly ConcurrentQueue<string> _issuedRefreshTokens = new();
    private readonly object _gate = new();
    private TestUser? _nextUser;
    private IssuerFault _nextFault;
    private TaskCompletionSource _tokenRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private MetadataHold? _metadataHold;
    private int _metadataRequests;

    private TestOidcIssuer(WebApplication app, X509Certificate2 certificate, RSA rsa)
    {
        _app = app;
        _rsa = rsa;
        Certificate = certificate;
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>Like <c>https://login.microsoftonline.com/</c>: scheme, host and port, with a trailing slash.</summary>
    public Uri Instance { get; private set; } = null!;

    public string ClientId { get; } = Guid.NewGuid().ToString();

    /// <summary>A signed assertion the token endpoint accepts in place of the secret (a federated credential's).</summary>
    public string? AcceptedClientAssertion { get; set; }

    public IReadOnlyList<RecordedTokenRequest> TokenRequests => _tokenRequests.ToList();

    /// <summary>
    /// Completes once the token endpoint has received <paramref name="count"/> requests that match (counting those
    /// already received), with the last of them; the 30 seconds only turn a hang into a failure.
    /// </summary>
    public async Task<RecordedTokenRequest> WaitForTokenRequestAsync(Func<RecordedTokenRequest, bool> match, int count = 1)
    {
        ArgumentNullException.ThrowIfNull(match);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var requested = Volatile.Read(ref _tokenRequested).Task;
            var matching = _tokenRequests.Where(match).ToList();
            if (matching.Count >= count)
            {
                return matching[count - 1];
            }

            try
            {
                await requested.WaitAsync(cancel.Token);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                throw new TimeoutException($"The token endpoint received {matching.Count} of the {count} expected requests within 30 seconds.");
            }
        }
    }

    /// <summary>Every refresh token the token endpoint handed out, oldest first.</summary>
    public IReadOnlyList<string> IssuedRefreshTokens => _issuedRefreshTokens.ToList();

    /// <summary>While true every endpoint (metadata, keys, token) answers 503, as during an Entra outage.</summary>
    public bool Unavailable { get; private set; }

    /// <summary>An Entra outage until the returned scope is disposed.</summary>
    public IDisposable GoDown()
    {
        Unavailable = true;
        return new Scope(() => Unavailable = false);
    }

    /// <summary>How long each discovery document takes to arrive (benchmarks: Entra over the internet); zero in tests.</summary>
    public TimeSpan MetadataDelay { get; set; }

    /// <summary>How many times a discovery document (any tenant segment) was asked for.</summary>
    public int MetadataRequests => Volatile.Read(ref _metadataRequests);

    /// <summary>Every discovery-document request waits on the returned hold until the test releases it (one at a time, in order); disposing it releases all.</summary>
    public MetadataHold HoldMetadata()
    {
        MetadataHold? hold = null;
        hold = new MetadataHold(() => Interlocked.CompareExchange(ref _metadataHold, null, hold));
        Volatile.Write(ref _metadataHold, hold);
        return hold;
    }

    /// <summary>Every refresh grant answered with <paramref name="error"/> (AADSTS <paramref name="code"/>) until the scope is disposed.</summary>
    public IDisposable RefuseRefreshes(string error, int code)
    {
        RefreshError = (error, code);
        return new Scope(() => RefreshError = null);
    }

    /// <summary>While set, every refresh grant is answered with this Entra error (HTTP 400), whoever the user.</summary>
    public (string Error, int Code)? RefreshError { get; private set; }

    /// <summary>Changes what the directory says about a user: refresh requests are answered as Entra would.</summary>
    public void UpdateDirectory(Guid objectId, Func<DirectoryState, DirectoryState> change) =>
        _directory.AddOrUpdate(objectId, _ => change(new DirectoryState()), (_, state) => change(state));

    public static async Task<TestOidcIssuer> StartAsync()
    {
        var certificate = KeyVaultFake.CreateCertificate();
        var rsa = RSA.Create(2048);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        TestOidcIssuer? issuer = null;
        builder.Services.AddOpenIddict().AddServer(o =>
        {
            o.SetAuthorizationEndpointUris("oauth2/v2.0/authorize")
                .SetTokenEndpointUris("oauth2/v2.0/token")
                .SetJsonWebKeySetEndpointUris("discovery/v2.0/keys")
                .SetConfigurationEndpointUris("v2.0/.well-known/openid-configuration");
            o.AllowAuthorizationCodeFlow().AllowRefreshTokenFlow().RequireProofKeyForCodeExchange();
            o.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.OfflineAccess);
            o.EnableDegradedMode();
            o.AddSigningKey(new RsaSecurityKey(rsa) { KeyId = KeyId });
            o.AddEphemeralEncryptionKey();
            o.DisableAccessTokenEncryption();
            o.UseAspNetCore();
            o.AddEventHandler<OpenIddictServerEvents.ValidateAuthorizationRequestContext>(b => b.UseInlineHandler(c => issuer!.ValidateAuthorization(c)));
            o.AddEventHandler<OpenIddictServerEvents.HandleAuthorizationRequestContext>(b => b.UseInlineHandler(c => issuer!.Approve(c)));
            o.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(b => b.UseInlineHandler(c => issuer!.ValidateClient(c)));
        });
        var app = builder.Build();
        issuer = new TestOidcIssuer(app, certificate, rsa);
        app.Use(issuer.ShapeLikeEntraAsync);
        app.UseAuthentication();
        app.Run(context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        issuer.Instance = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
        return issuer;
    }

    /// <summary>The next authorization request signs this user in, and the id token it leads to has this fault.</summary>
    public void SignInNext(TestUser user, IssuerFault fault = IssuerFault.None)
    {
        lock (_gate)
        {
            _nextUser = user;
            _nextFault = fault;
        }
    }

    public string IssuerFor(Guid tenantId) => $"{Instance}{tenantId}/v2.0";

    /// <summary>The portal's <c>AzureAd</c> settings for this issuer (multi-tenant, client secret).</summary>
    public IReadOnlyDictionary<string, string?> PortalSettings(bool withClientSecret = true) => new Dictionary<string, string?>
    {
        ["AzureAd:Instance"] = Instance.AbsoluteUri,
        ["AzureAd:TenantId"] = "organizations",
        ["AzureAd:ClientId"] = ClientId,
        ["AzureAd:ClientSecret"] = withClientSecret ? ClientSecret : null,
    };

    /// <summary>Makes the portal's OpenID Connect and app-token handlers and Microsoft.Identity.Web's issuer validator trust this issuer's certificate.</summary>
    public void TrustFromPortal(IServiceCollection services)
    {
        services.Configure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, o => o.BackchannelHttpHandler = CreateTrustingHandler());
        services.Configure<JwtBearerOptions>(AppTokenAuthentication.Scheme, o => o.BackchannelHttpHandler = CreateTrustingHandler());
        services.Configure<AadIssuerValidatorOptions>(o => o.HttpClientName = HttpClientName);
        services.AddHttpClient(HttpClientName).ConfigurePrimaryHttpMessageHandler(CreateTrustingHandler);
    }

    /// <summary>A handler that trusts exactly this issuer's certificate (for the test's own "browser" too).</summary>
    public HttpMessageHandler CreateTrustingHandler()
    {
        var thumbprint = Certificate.Thumbprint;
        return new HttpClientHandler
        {
            AllowAutoRedirect = false,
            ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert?.Thumbprint == thumbprint,
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _rsa.Dispose();
        Certificate.Dispose();
    }

    private ValueTask ValidateAuthorization(OpenIddictServerEvents.ValidateAuthorizationRequestContext context)
    {
        if (context.ClientId != ClientId)
        {
            context.Reject(Errors.InvalidClient, "Unknown client_id.");
        }
        else if (!Uri.TryCreate(context.RedirectUri, UriKind.Absolute, out var redirect) || redirect.AbsolutePath != "/signin-oidc")
        {
            context.Reject(Errors.InvalidRequest, "Unregistered redirect_uri.");
        }

        return default;
    }

    private ValueTask ValidateClient(OpenIddictServerEvents.ValidateTokenRequestContext context)
    {
        if (context.ClientId != ClientId || context.ClientSecret != ClientSecret)
        {
            context.Reject(Errors.InvalidClient, "Client authentication failed.");
        }

        return default;
    }

    /// <summary>Auto-approves the chosen user, as Entra does for a user who is already signed in and has consented.</summary>
    private ValueTask Approve(OpenIddictServerEvents.HandleAuthorizationRequestContext context)
    {
        TestUser? user;
        lock (_gate)
        {
            user = _nextUser;
            _nextUser = null;
        }

        if (user is null)
        {
            context.Reject(Errors.AccessDenied, "No test user was chosen for this sign-in.");
            return default;
        }

        if (_directory.GetValueOrDefault(user.ObjectId)?.Disabled == true)
        {
            context.Reject(Errors.AccessDenied, "AADSTS50057: The user account is disabled.");
            return default;
        }

        var identity = new ClaimsIdentity("TestIssuer", Claims.Name, "roles");
        identity.SetClaim(Claims.Subject, user.ObjectId.ToString());
        identity.AddClaim(new Claim("tid", user.TenantId.ToString()));
        identity.AddClaim(new Claim("oid", user.ObjectId.ToString()));
        identity.AddClaim(new Claim(Claims.Name, user.Name));
        foreach (var role in user.Roles)
        {
            identity.AddClaim(new Claim("roles", role));
        }

        identity.SetScopes(context.Request.GetScopes());
        identity.SetDestinations(_ => [Destinations.IdentityToken]);
        context.SignIn(new ClaimsPrincipal(identity));
        return default;
    }

    private async Task ShapeLikeEntraAsync(HttpContext context, RequestDelegate next)
    {
        var match = EntraPath().Match(context.Request.Path.Value ?? "");
        if (!match.Success)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (Unavailable)
        {
            if (match.Groups["endpoint"].Value == "/oauth2/v2.0/token")
            {
                await RecordTokenRequestAsync(context);
            }

            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        // OpenIddict sees "/{tenant}" as the path base: its endpoints (relative URIs) then answer under every tenant segment.
        var tenant = match.Groups["tenant"].Value;
        context.Request.PathBase = "/" + tenant;
        context.Request.Path = match.Groups["endpoint"].Value;
        switch (match.Groups["endpoint"].Value)
        {
            case "/v2.0/.well-known/openid-configuration":
                Interlocked.Increment(ref _metadataRequests);
                if (MetadataDelay > TimeSpan.Zero)
                {
                    await Task.Delay(MetadataDelay);
                }

                if (Volatile.Read(ref _metadataHold) is { } hold)
                {
                    await hold.WaitAsync();
                }

                await RewriteJsonAsync(context, next, json =>
                {
                    json["issuer"] = Guid.TryParse(tenant, out var tid) ? IssuerFor(tid) : $"{Instance}{{tenantid}}/v2.0";
                    return json;
                });
                break;
            case "/oauth2/v2.0/token":
                var grantType = await RecordTokenRequestAsync(context);
                if (grantType == GrantTypes.ClientCredentials)
                {
                    await IssueAppTokenAsync(context, tenant);
                    break;
                }

                IssuerFault fault;
                lock (_gate)
                {
                    fault = _nextFault;
                    _nextFault = IssuerFault.None;
                }

                await RewriteJsonAsync(context, next, json =>
                {
                    if (json["id_token"]?.GetValue<string>() is not { } idToken)
                    {
                        return json;
                    }

                    var objectId = Guid.Parse(Payload(idToken)["oid"]!.GetValue<string>());
                    var state = _directory.GetValueOrDefault(objectId) ?? new DirectoryState();
                    if (grantType == GrantTypes.AuthorizationCode)
                    {
                        // A fresh sign-in: sessions revoked before it no longer matter.
                        _directory.AddOrUpdate(objectId, new DirectoryState(), (_, s) => s with { SessionsRevoked = false });
                    }
                    else if (RefreshError is { } refreshError)
                    {
                        return EntraError(context, refreshError.Error, refreshError.Code, "Refused by the test.");
                    }
                    else if (state.Disabled)
                    {
                        return EntraError(context, "invalid_grant", 50057, "The user account is disabled.");
                    }
                    else if (state.SessionsRevoked)
                    {
                        return EntraError(context, "invalid_grant", 50173, "The provided grant has expired due to it being revoked.");
                    }

                    json["id_token"] = Reissue(idToken, fault, grantType == GrantTypes.RefreshToken ? state.Roles : null);
                    if (fault == IssuerFault.NoRefreshToken)
                    {
                        json.Remove("refresh_token");
                    }
                    else if (json["refresh_token"]?.GetValue<string>() is { } issued)
                    {
                        _issuedRefreshTokens.Enqueue(issued);
                    }

                    return json;
                });
                break;
            default:
                await next(context);
                break;
        }
    }

    /// <summary>An error answer shaped like Entra's (AADSTS code in <c>error_codes</c> and the description).</summary>
    private static JsonObject EntraError(HttpContext context, string error, int code, string description)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return new JsonObject
        {
            ["error"] = error,
            ["error_description"] = $"AADSTS{code}: {description} Trace ID: {Guid.NewGuid()}",
            ["error_codes"] = new JsonArray(code),
            ["timestamp"] = DateTimeOffset.UtcNow.ToString("u", System.Globalization.CultureInfo.InvariantCulture),
            ["trace_id"] = Guid.NewGuid().ToString(),
            ["correlation_id"] = Guid.NewGuid().ToString(),
        };
    }

    /// <summary>
    /// Records how the client authenticated and returns the grant type; an accepted federated assertion is swapped for
    /// the secret OpenIddict checks.
    /// </summary>
    private async Task<string?> RecordTokenRequestAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            return null;
        }

        var form = await context.Request.ReadFormAsync();
        var assertion = form["client_assertion"].ToString();
        _tokenRequests.Enqueue(new RecordedTokenRequest(
            form["client_id"].ToString(),
            !string.IsNullOrEmpty(form["client_secret"]),
            form["client_assertion_type"].ToString() is { Length: > 0 } type ? type : null,
            assertion.Length > 0 ? assertion : null,
            form["grant_type"].ToString(),
            form["refresh_token"].ToString() is { Length: > 0 } refreshToken ? refreshToken : null));
        Interlocked.Exchange(ref _tokenRequested, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        if (assertion.Length == 0)
        {
            return form["grant_type"].ToString();
        }

        var fields = form.Where(f => f.Key is not ("client_assertion" or "client_assertion_type" or "client_secret"))
            .ToDictionary(f => f.Key, f => f.Value);
        if (AcceptedClientAssertion is not null && assertion == AcceptedClientAssertion)
        {
            fields["client_secret"] = new StringValues(ClientSecret);
        }

        context.Request.Form = new FormCollection(fields);
        return form["grant_type"].ToString();
    }

    private static JsonObject Payload(string jwt) => JsonNode.Parse(Base64UrlEncoder.DecodeBytes(jwt.Split('.')[1]))!.AsObject();

    private static async Task RewriteJsonAsync(HttpContext context, RequestDelegate next, Func<JsonObject, JsonObject> rewrite)
    {
        var original = context.Response.Body;
        await using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }

        var body = buffer.ToArray();
        if (context.Response.StatusCode == StatusCodes.Status200OK && JsonNode.Parse(body) is JsonObject json)
        {
            body = Encoding.UTF8.GetBytes(rewrite(json).ToJsonString());
        }

        context.Response.ContentLength = body.Length;
        await original.WriteAsync(body);
    }

    /// <summary>Gives OpenIddict's id token Entra's issuer and claim shapes (or the chosen fault) and signs it again.</summary>
    /// <param name="roles">The roles as assigned now (a refresh after an admin changed them), or null to keep the token's.</param>
    private string Reissue(string idToken, IssuerFault fault, IReadOnlyList<string>? roles = null)
    {
        var payload = Payload(idToken);
        var tenantId = Guid.Parse(payload["tid"]!.GetValue<string>());
        payload["iss"] = IssuerFor(fault == IssuerFault.WrongIssuer ? Guid.NewGuid() : tenantId);
        payload["ver"] = "2.0";
        if (roles is not null)
        {
            payload.Remove("roles");
            if (roles.Count > 0)
            {
                payload["roles"] = new JsonArray(roles.Select(r => (JsonNode?)r).ToArray());
            }
        }
        else if (payload["roles"] is JsonValue single)
        {
            payload["roles"] = new JsonArray(single.GetValue<string>());
        }

        if (fault == IssuerFault.WrongAudience)
        {
            payload["aud"] = Guid.NewGuid().ToString();
        }

        if (fault == IssuerFault.Expired)
        {
            var now = DateTimeOffset.UtcNow;
            payload["iat"] = now.AddHours(-2).ToUnixTimeSeconds();
            payload["nbf"] = now.AddHours(-2).ToUnixTimeSeconds();
            payload["exp"] = now.AddHours(-1).ToUnixTimeSeconds();
        }

        var header = Base64UrlEncoder.Encode($$"""{"alg":"RS256","kid":"{{KeyId}}","typ":"JWT"}""");
        var body = Base64UrlEncoder.Encode(payload.ToJsonString());
        var signature = _rsa.SignData(Encoding.ASCII.GetBytes($"{header}.{body}"), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (fault == IssuerFault.TamperedSignature)
        {
            payload["roles"] = new JsonArray("Platform.Admin");
            body = Base64UrlEncoder.Encode(payload.ToJsonString());
        }

        return $"{header}.{body}.{Base64UrlEncoder.Encode(signature)}";
    }

    /// <summary>Discovery-document requests held until released: tests see each fetch and decide when it is answered.</summary>
    public sealed class MetadataHold : IDisposable
    {
        private readonly Action _end;
        private readonly Channel<TaskCompletionSource> _held = Channel.CreateUnbounded<TaskCompletionSource>();
        private int _requests;
        private volatile bool _released;

        internal MetadataHold(Action end) => _end = end;

        /// <summary>How many discovery-document requests arrived while held.</summary>
        public int Requests => Volatile.Read(ref _requests);

        /// <summary>Completes when the next held request arrives, with what answers it.</summary>
        public async Task<TaskCompletionSource> NextAsync() => await _held.Reader.ReadAsync();

        public void Dispose()
        {
            _released = true;
            _end();
            while (_held.Reader.TryRead(out var request))
            {
                request.TrySetResult();
            }
        }

        internal async Task WaitAsync()
        {
            Interlocked.Increment(ref _requests);
            if (_released)
            {
                return;
            }

            var request = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _held.Writer.TryWrite(request);
            if (_released)
            {
                // Disposed between the check above and the write: Dispose may have drained the queue already.
                request.TrySetResult();
            }

            await request.Task;
        }
    }

    private sealed class Scope(Action end) : IDisposable
    {
        public void Dispose() => end();
    }

    [GeneratedRegex("^/(?<tenant>[^/]+)(?<endpoint>/v2\\.0/\\.well-known/openid-configuration|/oauth2/v2\\.0/authorize|/oauth2/v2\\.0/token|/discovery/v2\\.0/keys)$")]
    private static partial Regex EntraPath();
}
