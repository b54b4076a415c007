using System.Security.Claims;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Auth.Development;

namespace TenantPortal.Tests.TestHost;

public static class TestPersonas
{
    public static ClaimsPrincipal ContosoAdmin => DevelopmentSignIn.CreatePrincipal(DevelopmentPersonas.ContosoAdmin);

    public static ClaimsPrincipal FabrikamAdmin => DevelopmentSignIn.CreatePrincipal(DevelopmentPersonas.FabrikamAdmin);

    public static ClaimsPrincipal SupportReader => DevelopmentSignIn.CreatePrincipal(DevelopmentPersonas.SupportReader);

    public static ClaimsPrincipal PlatformAdmin => DevelopmentSignIn.CreatePrincipal(DevelopmentPersonas.PlatformAdmin);

    public static ClaimsPrincipal Anonymous => new(new ClaimsIdentity());

    /// <summary>A customer who gave themselves a staff role in their own Entra tenant.</summary>
    public static ClaimsPrincipal CustomerWithStaffRole(string role) => DevelopmentSignIn.CreatePrincipal(
        new DevelopmentPersona("rogue", "Rogue Admin", "", DevelopmentPersonas.ContosoEntraTenantId, Guid.NewGuid(), role));

    public static ClaimsPrincipal With(Guid tenantId, string role) => DevelopmentSignIn.CreatePrincipal(
        new DevelopmentPersona("custom", "Custom User", "", tenantId, Guid.NewGuid(), role));

    public const string TenantAdminRole = PortalRoles.TenantAdmin;

    /// <summary>
    /// A tenant's automation as the app-token scheme hands it to the services (an identity of its type, with tid, oid,
    /// azp and roles). The roles are taken as given, so a test can check that the services ignore a person's role on it.
    /// </summary>
    public static ClaimsPrincipal App(Guid tenantId, params string[] roles) => new(new ClaimsIdentity(
        [
            new Claim(PortalClaimTypes.TenantId, tenantId.ToString()),
            new Claim(PortalClaimTypes.ObjectId, Guid.NewGuid().ToString()),
            new Claim(PortalClaimTypes.AuthorizedParty, Guid.NewGuid().ToString()),
            new Claim(PortalClaimTypes.Name, "automation test"),
            .. roles.Select(r => new Claim(PortalClaimTypes.Roles, r)),
        ],
        AppTokenAuthentication.AuthenticationType, PortalClaimTypes.Name, PortalClaimTypes.Roles));
}
