namespace TenantPortal.Web.Auth;

/// <summary>
/// A portal tenant as the authorization handler decides on it. The Tenants feature's entity implements it, so that
/// Auth needs no feature type.
/// </summary>
public interface ITenantResource
{
    string Id { get; }

    bool IsOffboarded { get; }

    bool IsManagedFrom(Guid entraTenantId);
}
