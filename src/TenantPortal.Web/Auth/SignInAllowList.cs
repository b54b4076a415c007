using Microsoft.Extensions.Options;

namespace TenantPortal.Web.Auth;

/// <summary>
/// Which Entra tenants (<c>tid</c>) may sign in: those mapped to a portal tenant, and the provider's own home tenant
/// for staff. Asked at every sign-in and at every revalidation of a session, so a change here takes effect in open
/// sessions within <see cref="PortalAuthOptions.RevalidationInterval"/>. Not cached for that reason.
/// </summary>
public sealed class SignInAllowList(IOnboardedDirectories directories, IOptions<PortalAuthOptions> options)
{
    public async Task<bool> IsAllowedAsync(Guid entraTenantId, CancellationToken cancellationToken)
    {
        if (entraTenantId == Guid.Empty)
        {
            return false;
        }

        if (options.Value.HomeTenantId == entraTenantId)
        {
            return true;
        }

        return await directories.ContainsAsync(entraTenantId, cancellationToken);
    }
}
