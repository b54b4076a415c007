using System.Security.Claims;
using Microsoft.Identity.Web;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.Infrastructure.Text;

namespace TenantPortal.Web.Auth;

/// <summary>
/// Who is acting, as the services see it: identified by Entra <c>tid</c> + <c>oid</c>, never by e-mail or name.
/// </summary>
public sealed record PortalActor(Guid EntraTenantId, Guid ObjectId, string DisplayName, IReadOnlyList<string> Roles) : IAuditActor
{
    /// <summary>The longest display name kept (the audit row's actor name holds as many characters).</summary>
    public const int DisplayNameMaxLength = 200;

    /// <summary>The portal itself, for background work such as reconciliation.</summary>
    public static PortalActor System { get; } = new(Guid.Empty, Guid.Empty, "TenantPortal (system)", ["System"]);

    /// <summary>For automation: the client application (<c>azp</c>) of the app-only token it called the API with.</summary>
    public string? AppId { get; init; }

    /// <summary>A tenant's automation (an app-only token on <c>/api/v1</c>), not a person.</summary>
    public bool IsApp => AppId is not null;

    public string? Channel => IsApp ? AuditChannels.Api : null;

    /// <summary>
    /// Whether the actor holds <paramref name="role"/> as its kind can: an app only its application roles, a person only
    /// a person's roles. Whatever a token says, a person's role never counts on an app, nor an app's role on a person.
    /// </summary>
    public bool IsInRole(string role) =>
        Roles.Contains(role, StringComparer.Ordinal) && IsApp == PortalAppRoles.Accepted.Contains(role, StringComparer.Ordinal);

    public string RoleList => Roles.Count == 0 ? "none" : string.Join(",", Roles);

    /// <summary>Reads the actor from a signed-in principal; null when the principal lacks a valid tid or oid.</summary>
    public static PortalActor? From(ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        if (!Guid.TryParse(user.GetTenantId(), out var tid) || !Guid.TryParse(user.GetObjectId(), out var oid))
        {
            return null;
        }

        // The name comes from the user's own directory, whose admin can set it to anything: staff read it in the audit
        // trail, so control characters and direction marks are made visible and the length is bounded.
        var name = TextRules.Neutralize(user.FindFirst(PortalClaimTypes.Name)?.Value ?? user.Identity.Name ?? oid.ToString(), DisplayNameMaxLength);
        var roles = user.Claims
            .Where(c => c.Type is PortalClaimTypes.Roles or ClaimTypes.Role)
            .Select(c => c.Value)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        // Only the app-token scheme builds an identity of this type (from a validated token, its roles already filtered);
        // a cookie's identity comes from a sign-in and cannot claim it.
        var appId = user.Identities.Any(i => i.IsAuthenticated && i.AuthenticationType == AppTokenAuthentication.AuthenticationType)
            ? user.FindFirst(PortalClaimTypes.AuthorizedParty)?.Value
            : null;
        return new PortalActor(tid, oid, name, roles) { AppId = string.IsNullOrEmpty(appId) ? null : appId };
    }
}
