using System.Security.Claims;
using Microsoft.Identity.Web;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Web.Auth;

/// <summary>
/// Who is acting, as the services see it: identified by Entra <c>tid</c> + <c>oid</c>, never by e-mail or name.
/// </summary>
public sealed record PortalActor(Guid EntraTenantId, Guid ObjectId, string DisplayName, IReadOnlyList<string> Roles) : IAuditActor
{
    /// <summary>The portal itself, for background work such as reconciliation.</summary>
    public static PortalActor System { get; } = new(Guid.Empty, Guid.Empty, "TenantPortal (system)", ["System"]);

    public bool IsInRole(string role) => Roles.Contains(role, StringComparer.Ordinal);

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

        var name = user.FindFirst(PortalClaimTypes.Name)?.Value ?? user.Identity.Name ?? oid.ToString();
        var roles = user.Claims
            .Where(c => c.Type is PortalClaimTypes.Roles or ClaimTypes.Role)
            .Select(c => c.Value)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        return new PortalActor(tid, oid, name, roles);
    }
}
