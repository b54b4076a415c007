using System.Globalization;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using TenantPortal.Web.Auth.Entra;

namespace TenantPortal.Web.Auth;

/// <summary>
/// Decides whether a signed-in session may go on: the same rules as at sign-in (organisation on the allow-list, a
/// portal role), plus the absolute session lifetime. Used by the cookie on plain HTTP requests and by the
/// revalidating authentication state provider in open Blazor circuits. With Entra sign-in it also asks Entra
/// (<see cref="EntraSessionCheck"/>), so a disabled account, revoked sessions or a removed role end the session too.
/// </summary>
public sealed class SessionValidator(
    SignInAllowList allowList,
    IOptions<PortalAuthOptions> options,
    TimeProvider time,
    EntraSessionCheck? entraCheck = null)
{
    public const string LifetimeExceeded = "Session lifetime exceeded";
    public const string NotOnboarded = "Organisation not onboarded";
    public const string NoPortalRole = "No portal role";
    public const string NoIdentity = "Session without a valid tid and oid";
    public const string EntraUnavailable = "Entra ID could not confirm the session for longer than the outage tolerance";

    /// <summary>Whether sessions are also checked with Entra (false for the development personas).</summary>
    public bool ChecksWithEntra => entraCheck is not null;

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

    /// <summary>
    /// The whole check: <see cref="ReasonToEndAsync"/>, then Entra. Entra being unreachable is tolerated for
    /// <see cref="PortalAuthOptions.EntraOutageTolerance"/> after its last confirmation; a refusal from Entra is not.
    /// </summary>
    /// <param name="entra">The session's Entra side as kept since the last check (null for development personas).</param>
    public async Task<SessionCheck> CheckAsync(ClaimsPrincipal principal, EntraSession? entra, CancellationToken cancellationToken)
    {
        if (await ReasonToEndAsync(principal, cancellationToken) is { } reason)
        {
            return new SessionCheck(reason, entra);
        }

        if (entraCheck is null)
        {
            return new SessionCheck(null, entra);
        }

        var result = await entraCheck.CheckAsync(principal, entra?.RefreshToken, cancellationToken);
        var now = time.GetUtcNow();
        return result.Outcome switch
        {
            EntraCheckOutcome.Confirmed => new SessionCheck(null, new EntraSession(result.RefreshToken, now)),
            EntraCheckOutcome.Ended => new SessionCheck(result.Reason, entra),
            _ when entra is not null && now - entra.ConfirmedAt < options.Value.EntraOutageTolerance => new SessionCheck(null, entra),
            _ => new SessionCheck($"{EntraUnavailable} ({result.Reason})", entra),
        };
    }
}

/// <summary>The Entra side of a session, kept between checks: its refresh token and when Entra last confirmed it.</summary>
public sealed record EntraSession(string? RefreshToken, DateTimeOffset ConfirmedAt);

/// <summary>The verdict of a check, with the session's Entra side as it stands afterwards (a renewed refresh token).</summary>
public sealed record SessionCheck(string? ReasonToEnd, EntraSession? Entra);
