using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using TenantPortal.Web.Auth.Entra;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Web.Auth;

/// <summary>
/// The sign-in cookie's checks. At sign-in the moment is stamped into the principal; on each request the absolute
/// lifetime is checked, and every <see cref="PortalAuthOptions.RevalidationInterval"/> the allow-list too, so an
/// offboarded organisation (or, with Entra sign-in, a disabled account or a removed role) loses access on plain HTTP
/// as it does in an open circuit. A renewed refresh token is written back into the (re-issued) cookie.
/// </summary>
public sealed partial class PortalCookieEvents(
    SessionValidator validator,
    AuditTrail audit,
    IOptions<PortalAuthOptions> options,
    TimeProvider time,
    ILogger<PortalCookieEvents> logger) : CookieAuthenticationEvents
{
    private const string ValidatedAtKey = "portal.validated_at";
    private static readonly object EndedKey = new();

    public override Task SigningIn(CookieSigningInContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var now = time.GetUtcNow();
        SessionValidator.StampSignIn(context.Principal!, now);
        if (validator.ChecksWithEntra)
        {
            // Entra has just confirmed the user; the refresh token was put in these properties at sign-in.
            EntraSessionProperties.Write(context.Properties, EntraSessionProperties.Read(context.Properties) with { ConfirmedAt = now });
        }

        context.Properties.Items[ValidatedAtKey] = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return base.SigningIn(context);
    }

    public override async Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.HttpContext.Items.ContainsKey(EndedKey))
        {
            // Already ended in this request (an error page re-executes the pipeline): not checked or audited twice.
            context.RejectPrincipal();
            return;
        }

        var principal = context.Principal!;
        var now = time.GetUtcNow();
        var reason = validator.ReasonToEndNow(principal);
        var revalidate = reason is null && (ValidatedAt(context.Properties) is not { } validatedAt || now - validatedAt >= options.Value.RevalidationInterval);
        if (revalidate)
        {
            var entra = validator.ChecksWithEntra ? EntraSessionProperties.Read(context.Properties) : null;
            var check = await validator.CheckAsync(principal, entra, context.HttpContext.RequestAborted);
            reason = check.ReasonToEnd;
            if (reason is null && check.Entra is { } renewed)
            {
                EntraSessionProperties.Write(context.Properties, renewed);
            }
        }

        if (reason is not null)
        {
            var actor = PortalActor.From(principal);
            LogSessionEnded(logger, actor?.EntraTenantId, actor?.ObjectId, reason);
            context.RejectPrincipal();
            context.HttpContext.Items[EndedKey] = true;
            await context.HttpContext.SignOutAsync(context.Scheme.Name);
            await audit.TryAppendAsync(audit.Create(actor, AuditActions.SessionEnded, AuditOutcome.Denied, tenantId: null, reason: reason),
                context.HttpContext.RequestAborted);
            return;
        }

        if (revalidate)
        {
            context.Properties.Items[ValidatedAtKey] = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            context.ShouldRenew = true;
        }
    }

    private static DateTimeOffset? ValidatedAt(AuthenticationProperties properties) =>
        properties.Items.TryGetValue(ValidatedAtKey, out var value)
        && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Session of {EntraTenantId}/{ObjectId} ended: {Reason}")]
    private static partial void LogSessionEnded(ILogger logger, Guid? entraTenantId, Guid? objectId, string reason);
}
