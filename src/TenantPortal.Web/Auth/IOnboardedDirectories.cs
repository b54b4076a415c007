namespace TenantPortal.Web.Auth;

/// <summary>
/// The Entra directories (<c>tid</c>) mapped to a portal tenant that is not offboarded. The Tenants feature, which
/// owns those rows, implements it; <see cref="SignInAllowList"/> asks it at every sign-in and revalidation.
/// </summary>
public interface IOnboardedDirectories
{
    Task<bool> ContainsAsync(Guid entraTenantId, CancellationToken cancellationToken);
}
