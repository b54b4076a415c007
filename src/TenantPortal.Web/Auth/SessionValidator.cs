using System.Globalization;
using System.Security.Claims;
using Microsoft.Extensions.Options;

namespace TenantPortal.Web.Auth;

/// <summary>
/// Decides whether a signed-in session may go on: the same rules as at sign-in (organisation on the allow-list, a
/// portal role), plus the absolute session lifetime. Used by the cookie on plain HTTP requests and by the
/// revalidating authentication state provider in open Blazor circuits.
/// </summary>
public sealed class SessionValidator(SignInAllowList allowList, IOptions<PortalAuthOptions> options, TimeProvider time)
{
    public const string LifetimeExceeded = "Session lifetime exceeded";
    public const string NotOnboarded = "Organisation not onboarded";
    public const string NoPortalRole = "No portal role";
    public const string NoIdentity = "Session without a valid tid and oid";

    /// <summary>Stamps the moment of sign-in into a principal that is about to be signed in (idempotent).</summary>
    public static void StampSignIn(ClaimsPrincipal principal, DateTimeOffset signedInAt)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (principal.HasClaim(c => c.Type == PortalClaimTypes.SignedInAt) || principal.Identity is not ClaimsIdentity identity)
        {
            return;
        }

        identity.AddClaim(new Claim(PortalClaimTypes.SignedInAt,
            signedInAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64));
    }

    public static DateTimeOffset? SignedInAt(ClaimsPrincipal principal) =>
        long.TryParse(principal.FindFirst(PortalClaimTypes.SignedInAt)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    /// <summary>Why the session must end without asking the database (lifetime, identity, role), or null.</summary>
    public string? ReasonToEndNow(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var actor = PortalActor.From(principal);
        if (actor is null)
        {
            return NoIdentity;
        }

        // A session whose start is unknown is treated as too old: the portal stamps every sign-in.
        if (SignedInAt(principal) is not { } signedInAt || time.GetUtcNow() - signedInAt >= options.Value.AbsoluteSessionLifetime)
        {
            return LifetimeExceeded;
        }

        return actor.HasPortalRole(options.Value.HomeTenantId ?? Guid.Empty) ? null : NoPortalRole;
    }

    /// <summary>Why the session must end, or null while it may go on.</summary>
    public async Task<string?> ReasonToEndAsync(ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        if (ReasonToEndNow(principal) is { } reason)
        {
            return reason;
        }

        var actor = PortalActor.From(principal)!;
        return await allowList.IsAllowedAsync(actor.EntraTenantId, cancellationToken) ? null : NotOnboarded;
    }
}
