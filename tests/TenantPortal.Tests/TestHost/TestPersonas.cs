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
}
