using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.Tokens;
using TenantPortal.Web.Infrastructure.Api;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Web.Auth.AppTokens;

/// <summary>A token that validated but that the portal refuses (a user's delegated token, a directory not onboarded).</summary>
public sealed class AppTokenRefusedException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>
/// What the portal adds to the JWT bearer handler: after the signature, issuer, audience and lifetime checks, the token
/// must be app-only, from a directory on the sign-in allow-list, and it becomes an identity holding only what the
/// portal uses (tid, oid, azp, the application roles). Refusals are answered as RFC 7807 problem details.
/// </summary>
public sealed partial class AppTokenEvents(AppTokenDirectories allowList, AuditTrail audit, ILogger<AppTokenEvents> logger)
{
    /// <summary>The claim Microsoft.Identity.Web keeps for a v1.0 token's delegated scopes when inbound claims are mapped.</summary>
    private const string MappedScope = "http://schemas.microsoft.com/identity/claims/scope";

    public async Task TokenValidatedAsync(TokenValidatedContext context)
    {
        var token = context.Principal!;
        if (token.HasClaim(c => c.Type is PortalClaimTypes.Scope or MappedScope))
        {
            context.Fail(new AppTokenRefusedException("token_not_app_only",
                "This API takes app-only tokens (client credentials or workload identity federation); this token was issued to a signed-in user."));
            return;
        }

        var appId = token.FindFirst(PortalClaimTypes.AuthorizedParty)?.Value ?? token.FindFirst(PortalClaimTypes.AppId)?.Value;
        if (!Guid.TryParse(token.FindFirst(PortalClaimTypes.TenantId)?.Value, out var tid) || tid == Guid.Empty
            || !Guid.TryParse(token.FindFirst(PortalClaimTypes.ObjectId)?.Value, out var oid) || oid == Guid.Empty
            || string.IsNullOrWhiteSpace(appId) || appId.Length > 64)
        {
            context.Fail(new AppTokenRefusedException("token_claims_missing", "The token lacks the tid, oid or azp claims of an Entra app-only token."));
            return;
        }

        if (!await allowList.IsAllowedAsync(tid, context.HttpContext.RequestAborted))
        {
            LogNotOnboarded(logger, tid, appId);
            context.Fail(new AppTokenRefusedException("directory_not_onboarded",
                $"The token was issued by the Entra tenant {tid}, which is not onboarded to the portal."));
            return;
        }

        // Only application roles: a person's role (Tenant.Admin, staff roles) on an app token grants nothing.
        var claims = new List<Claim>
        {
            new(PortalClaimTypes.TenantId, tid.ToString()),
            new(PortalClaimTypes.ObjectId, oid.ToString()),
            new(PortalClaimTypes.AuthorizedParty, appId),
            new(PortalClaimTypes.Name, $"automation {appId}"),
        };
        claims.AddRange(token.FindAll(PortalClaimTypes.Roles)
            .Select(c => c.Value)
            .Where(r => PortalAppRoles.Accepted.Contains(r, StringComparer.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Select(r => new Claim(PortalClaimTypes.Roles, r)));
        context.Principal = new ClaimsPrincipal(new ClaimsIdentity(claims, AppTokenAuthentication.AuthenticationType, PortalClaimTypes.Name, PortalClaimTypes.Roles));
    }

    public async Task ChallengeAsync(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var (code, detail) = Describe(context.AuthenticateFailure);
        context.Response.Headers.WWWAuthenticate = context.AuthenticateFailure is null
            ? "Bearer"
            : $"Bearer error=\"invalid_token\", error_description=\"{detail.Replace('"', '\'')}\"";
        await ApiProblem.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, code, detail);
    }

    public async Task ForbiddenAsync(ForbiddenContext context)
    {
        var policies = context.HttpContext.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToList() ?? [];
        var role = policies.Contains(PortalPolicies.EventGridDelivery)
            ? $"{PortalAppRoles.EventGridSubscriber} (from the provider's own directory)"
            : policies.FirstOrDefault(p => p?.StartsWith(PortalPolicies.AppRole(""), StringComparison.Ordinal) == true)?[PortalPolicies.AppRole("").Length..];
        // A validated token proves who was refused: audited on the platform chain (the caller may not be the tenant's own), within the denial budget.
        var tenantId = context.HttpContext.GetRouteValue("tenantId") as string;
        await audit.TryAppendDenialAsync(audit.Create(PortalActor.From(context.HttpContext.User), AuditActions.ApiRoleMissing, AuditOutcome.Denied,
            tenantId, reason: $"The token lacks the application role {role ?? "this operation needs"}", chainId: AuditChains.Platform), context.HttpContext.RequestAborted);
        await ApiProblem.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "role_missing", role is null
            ? "The token does not carry the application role this operation needs."
            : $"The token does not carry the application role {role}, which this operation needs. Your Entra admin grants it to the automation app (docs/automation.md).");
    }

    /// <summary>A stable code and a specific message for why a token was refused; nothing of the token itself.</summary>
    private static (string Code, string Detail) Describe(Exception? failure) => (failure is AggregateException { InnerExceptions.Count: 1 } one ? one.InnerException : failure) switch
    {
        null => ("token_missing", "This API needs an app-only access token from Microsoft Entra ID in the Authorization header (Bearer)."),
        AppTokenRefusedException refused => (refused.Code, refused.Message),
        SecurityTokenExpiredException expired => ("token_expired",
            $"The access token expired at {expired.Expires:yyyy-MM-dd HH:mm:ss} UTC; request a new one."),
        SecurityTokenNotYetValidException => ("token_not_yet_valid", "The access token is not valid yet (its nbf is in the future)."),
        SecurityTokenInvalidAudienceException => ("token_wrong_audience",
            "The access token was issued for another audience; request it for the portal's API (scope \"<the portal's Application ID URI>/.default\")."),
        SecurityTokenInvalidIssuerException => ("token_wrong_issuer",
            "The access token's issuer is not trusted: it must be Microsoft Entra ID's issuer for the directory named in its tid claim."),
        SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => ("token_bad_signature",
            "The access token's signature does not verify against the issuer's signing keys."),
        SecurityTokenMalformedException or ArgumentException => ("token_malformed", "The bearer token is not a well-formed JWT."),
        _ => ("token_invalid", "The access token was not accepted."),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "App-only token from the Entra tenant {EntraTenantId} (client app {AppId}) refused: the directory is not onboarded")]
    private static partial void LogNotOnboarded(ILogger logger, Guid entraTenantId, string appId);
}
