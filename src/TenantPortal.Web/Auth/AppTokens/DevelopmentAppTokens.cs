using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TenantPortal.Web.Auth.AppTokens;

/// <summary>
/// On the embedded default only (with the development personas, so never outside Development): a stand-in for Entra's
/// token endpoint, so a newcomer can call <c>/api/v1</c> with curl. Its tokens are shaped like Entra's app-only access
/// tokens (tid, oid, azp, roles, idtyp) and signed with a key that lives in memory: they stop working when the portal
/// restarts, and nothing else accepts them.
/// </summary>
public sealed class DevelopmentAppTokens(TimeProvider time) : IDisposable
{
    public const string Issuer = "https://localhost/tenantportal-development-tokens/v2.0";
    public const string Audience = "api://tenantportal-development";

    /// <summary>The client app a development token names when the caller does not choose one.</summary>
    public const string DefaultAppId = "5e1f0c1d-0000-4000-8000-00000000d3e7";

    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private readonly RSA _rsa = RSA.Create(2048);

    private RsaSecurityKey SigningKey => new(_rsa) { KeyId = "tenantportal-development" };

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = SigningKey,
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        NameClaimType = PortalClaimTypes.Name,
        RoleClaimType = PortalClaimTypes.Roles,
        ClockSkew = TimeSpan.FromMinutes(1),
    };

    /// <summary>An app-only token for <paramref name="appId"/> in the directory <paramref name="entraTenantId"/>, with <paramref name="roles"/>.</summary>
    public string Issue(Guid entraTenantId, string appId, IReadOnlyList<string> roles)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object>
        {
            [PortalClaimTypes.TenantId] = entraTenantId.ToString(),
            [PortalClaimTypes.ObjectId] = ServicePrincipalId(entraTenantId, appId).ToString(),
            ["sub"] = ServicePrincipalId(entraTenantId, appId).ToString(),
            [PortalClaimTypes.AuthorizedParty] = appId,
            ["idtyp"] = "app",
            ["ver"] = "2.0",
            [PortalClaimTypes.Roles] = roles.ToArray(),
        };
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Claims = claims,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.Add(Lifetime),
            SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.RsaSha256),
        });
    }

    /// <summary>The same app in the same directory is the same service principal, as in Entra: its audit rows line up.</summary>
    private static Guid ServicePrincipalId(Guid entraTenantId, string appId) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"{entraTenantId:D}|{appId}")).AsSpan(0, 16));

    public void Dispose() => _rsa.Dispose();
}
