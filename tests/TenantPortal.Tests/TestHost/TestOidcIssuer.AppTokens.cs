using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;

namespace TenantPortal.Tests.TestHost;

/// <summary>
/// A tenant's automation app as registered in its own directory: the client id and secret it authenticates with, and
/// the application roles its admin granted it on the portal's API.
/// </summary>
public sealed record TestApp(Guid TenantId, string AppId, string Secret, IReadOnlyList<string> Roles)
{
    /// <summary>The app's service principal in its directory: the token's <c>oid</c> and <c>sub</c>.</summary>
    public Guid ServicePrincipalId { get; } = Guid.NewGuid();

    public static TestApp In(Guid tenantId, params string[] roles) =>
        new(tenantId, Guid.NewGuid().ToString(), "app-secret-" + Guid.NewGuid().ToString("N"), roles);
}

/// <summary>
/// The client credentials grant, as Entra answers it at <c>/{tid}/oauth2/v2.0/token</c>: an app authenticates with its
/// secret and asks for <c>{resource}/.default</c>; the v2.0 access token carries <c>iss</c> for the tid, <c>aud</c> =
/// the resource's client id, <c>tid</c>, <c>oid</c>/<c>sub</c> of the app's service principal, <c>azp</c>,
/// <c>idtyp=app</c> and the granted <c>roles</c>, signed with the issuer's key (published at its JWKS endpoint).
/// </summary>
public sealed partial class TestOidcIssuer
{
    private readonly ConcurrentDictionary<string, TestApp> _apps = new();
    private IssuerFault _nextAppFault;

    public void RegisterApp(TestApp app)
    {
        ArgumentNullException.ThrowIfNull(app);
        _apps[app.AppId] = app;
    }

    /// <summary>Requests a token as the app's pipeline would (HTTP, client credentials) for the portal's API.</summary>
    public async Task<string> RequestAppTokenAsync(TestApp app, IssuerFault fault = IssuerFault.None, string? scope = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        RegisterApp(app);
        lock (_gate)
        {
            _nextAppFault = fault;
        }

        using var http = new HttpClient(CreateTrustingHandler());
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = app.AppId,
            ["client_secret"] = app.Secret,
            ["scope"] = scope ?? $"api://{ClientId}/.default",
        });
        using var response = await http.PostAsync(new Uri(Instance, $"{app.TenantId}/oauth2/v2.0/token"), form);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The token endpoint refused: {json}");
        }

        return json["access_token"]!.GetValue<string>();
    }

    private async Task IssueAppTokenAsync(HttpContext context, string tenantSegment)
    {
        var form = context.Request.Form;
        IssuerFault fault;
        lock (_gate)
        {
            fault = _nextAppFault;
            _nextAppFault = IssuerFault.None;
        }

        var scope = form["scope"].ToString();
        if (!_apps.TryGetValue(form["client_id"].ToString(), out var app) || app.Secret != form["client_secret"].ToString()
            || !Guid.TryParse(tenantSegment, out var tid) || tid != app.TenantId)
        {
            await WriteJsonAsync(context, 401, EntraError(context, "invalid_client", 7000215, "Invalid client secret provided."));
            return;
        }

        if (scope != $"api://{ClientId}/.default" && scope != $"{ClientId}/.default")
        {
            await WriteJsonAsync(context, 400, EntraError(context, "invalid_scope", 1002012, "The provided value for scope is not valid."));
            return;
        }

        var now = DateTimeOffset.UtcNow;
        var (issuedAt, expires) = fault == IssuerFault.Expired ? (now.AddHours(-2), now.AddHours(-1)) : (now, now.AddHours(1));
        var payload = new JsonObject
        {
            ["aud"] = fault == IssuerFault.WrongAudience ? Guid.NewGuid().ToString() : ClientId,
            ["iss"] = IssuerFor(fault == IssuerFault.WrongIssuer ? Guid.NewGuid() : tid),
            ["iat"] = issuedAt.ToUnixTimeSeconds(),
            ["nbf"] = issuedAt.ToUnixTimeSeconds(),
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["azp"] = app.AppId,
            ["azpacr"] = "1",
            ["idtyp"] = "app",
            ["oid"] = app.ServicePrincipalId.ToString(),
            ["sub"] = app.ServicePrincipalId.ToString(),
            ["tid"] = tid.ToString(),
            ["uti"] = Base64UrlEncoder.Encode(Guid.NewGuid().ToByteArray()),
            ["ver"] = "2.0",
        };
        if (app.Roles.Count > 0)
        {
            payload["roles"] = new JsonArray(app.Roles.Select(r => (JsonNode?)r).ToArray());
        }

        if (fault == IssuerFault.DelegatedScopes)
        {
            payload["scp"] = "ApiKeys.ReadWrite";
            payload.Remove("idtyp");
        }

        var header = Base64UrlEncoder.Encode($$"""{"alg":"RS256","kid":"{{KeyId}}","typ":"JWT"}""");
        var body = Base64UrlEncoder.Encode(payload.ToJsonString());
        var signature = _rsa.SignData(Encoding.ASCII.GetBytes($"{header}.{body}"), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (fault == IssuerFault.TamperedSignature)
        {
            payload["roles"] = new JsonArray("ApiKeys.Rotate", "ApiKeys.Read");
            payload["tid"] = Guid.NewGuid().ToString();
            body = Base64UrlEncoder.Encode(payload.ToJsonString());
        }

        await WriteJsonAsync(context, 200, new JsonObject
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = 3599,
            ["ext_expires_in"] = 3599,
            ["access_token"] = $"{header}.{body}.{Base64UrlEncoder.Encode(signature)}",
        });
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, JsonObject json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(json.ToJsonString());
    }
}
