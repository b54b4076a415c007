using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Web.Auth.Entra;

/// <summary>
/// The portal's decisions on an Entra sign-in, after Microsoft.Identity.Web has validated the token: only an
/// organisation on the allow-list, and only a user with a portal role, gets a session. Every outcome is audited;
/// refusals land on a page that says why.
/// </summary>
public sealed partial class EntraSignInEvents(
    SignInAllowList allowList,
    AuditTrail audit,
    IOptions<PortalAuthOptions> options,
    ILogger<EntraSignInEvents> logger)
{
    public const string NoRefreshToken = "Entra ID returned no refresh token (offline_access)";

    public async Task TokenValidatedAsync(TokenValidatedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        var actor = PortalActor.From(context.Principal);
        if (actor is null)
        {
            await RefuseAsync(context, null, "Token without a valid tid and oid", SignInRefusal.FailedPath);
            return;
        }

        if (!await allowList.IsAllowedAsync(actor.EntraTenantId, http.RequestAborted))
        {
            await RefuseAsync(context, actor, SessionValidator.NotOnboarded, SignInRefusal.NotOnboardedPath);
            return;
        }

        if (!actor.HasPortalRole(options.Value.HomeTenantId ?? Guid.Empty))
        {
            await RefuseAsync(context, actor, SessionValidator.NoPortalRole, SignInRefusal.NoAccessPath);
            return;
        }

        // Kept (encrypted in the cookie) so that Entra can be asked again later whether this user may go on.
        if (context.TokenEndpointResponse?.RefreshToken is not { Length: > 0 } refreshToken)
        {
            await RefuseAsync(context, actor, NoRefreshToken, SignInRefusal.FailedPath);
            return;
        }

        EntraSessionProperties.Write(context.Properties!, new EntraSession(refreshToken, DateTimeOffset.MinValue));
        LogSignedIn(logger, actor.EntraTenantId, actor.ObjectId, actor.RoleList);
        await audit.TryAppendAsync(audit.Create(actor, AuditActions.SignIn, AuditOutcome.Succeeded, tenantId: null, reason: "Entra ID"),
            http.RequestAborted);
    }

    /// <summary>Any failure of the sign-in (invalid token, error from Entra, lost correlation cookie): audited, then explained.</summary>
    public async Task RemoteFailureAsync(RemoteFailureContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (outcome, reason) = Describe(context.Failure);
        LogSignInFailed(logger, reason, context.Failure);
        await audit.TryAppendAsync(audit.Create(null, AuditActions.SignIn, outcome, tenantId: null, reason: reason),
            context.HttpContext.RequestAborted);
        context.Response.Redirect(SignInRefusal.FailedPath);
        context.HandleResponse();
    }

    private async Task RefuseAsync(TokenValidatedContext context, PortalActor? actor, string reason, string page)
    {
        LogRefused(logger, actor?.EntraTenantId, actor?.ObjectId, reason);
        // An earlier session in this browser (e.g. before the organisation was offboarded) ends too.
        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        await audit.TryAppendAsync(audit.Create(actor, AuditActions.SignIn, AuditOutcome.Denied, tenantId: null, reason: reason),
            context.HttpContext.RequestAborted);
        context.Response.Redirect(page);
        context.HandleResponse();
    }

    /// <summary>A short, value-free reason: never the token or the exception's message.</summary>
    internal static (AuditOutcome Outcome, string Reason) Describe(Exception? failure) => failure switch
    {
        SecurityTokenInvalidAudienceException => (AuditOutcome.Denied, "Invalid token: audience"),
        SecurityTokenInvalidIssuerException => (AuditOutcome.Denied, "Invalid token: issuer"),
        SecurityTokenExpiredException => (AuditOutcome.Denied, "Invalid token: expired"),
        SecurityTokenNotYetValidException => (AuditOutcome.Denied, "Invalid token: not yet valid"),
        SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => (AuditOutcome.Denied, "Invalid token: signature"),
        OpenIdConnectProtocolInvalidNonceException => (AuditOutcome.Denied, "Invalid token: nonce"),
        SecurityTokenException => (AuditOutcome.Denied, "Invalid token"),
        OpenIdConnectProtocolException => (AuditOutcome.Failed, "Entra ID refused the sign-in"),
        _ => (AuditOutcome.Failed, "Sign-in failed"),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Signed in {EntraTenantId}/{ObjectId} with roles {Roles}")]
    private static partial void LogSignedIn(ILogger logger, Guid entraTenantId, Guid objectId, string roles);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sign-in of {EntraTenantId}/{ObjectId} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, Guid? entraTenantId, Guid? objectId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sign-in failed: {Reason}")]
    private static partial void LogSignInFailed(ILogger logger, string reason, Exception? exception);
}
