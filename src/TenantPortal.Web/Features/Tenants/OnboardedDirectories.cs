using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;

namespace TenantPortal.Web.Features.Tenants;

/// <summary>The sign-in allow-list's view of the tenants: which directories belong to a tenant still onboarded.</summary>
internal sealed class OnboardedDirectories(IDbContextFactory<PortalDbContext> contexts) : IOnboardedDirectories
{
    public async Task<bool> ContainsAsync(Guid entraTenantId, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        // Query the tenant, not the directory row alone, so conditions on the tenant (e.g. not offboarded) go here.
        return await db.Tenants.AsNoTracking()
            .AnyAsync(t => t.OffboardedAt == null && t.Directories.Any(d => d.EntraTenantId == entraTenantId), cancellationToken);
    }
}
