namespace TenantPortal.Web.Auth;

/// <summary>Entra app roles, as they arrive in the <c>roles</c> claim.</summary>
public static class PortalRoles
{
    public const string TenantAdmin = "Tenant.Admin";
    public const string SupportReader = "Support.Reader";
    public const string PlatformAdmin = "Platform.Admin";
}

/// <summary>Claim types as Entra issues them (Microsoft.Identity.Web keeps these short names).</summary>
public static class PortalClaimTypes
{
    public const string TenantId = "tid";
    public const string ObjectId = "oid";
    public const string Name = "name";
    public const string Roles = "roles";

    /// <summary>When the portal signed the user in (Unix seconds), added by the portal itself, never taken from a token.</summary>
    public const string SignedInAt = "portal_signed_in_at";
}
