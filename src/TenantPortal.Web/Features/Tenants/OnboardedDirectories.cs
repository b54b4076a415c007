using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Auth.AppTokens;
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

/// <summary>
/// Once a save that can take a directory off the allow-list has committed (a tenant offboarded or removed, a
/// directory removed or moved), the app tokens' remembered answers are dropped on this instance. It depends on nothing
/// that needs a DbContext: the context factory's options are built with it.
/// </summary>
internal sealed class OnboardedDirectoriesChanged(AllowListChanges changes) : AfterCommitInterceptor
{
    protected override bool Concerns(IReadOnlyList<EntityEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var entry in entries)
        {
            switch (entry)
            {
                case { Entity: TenantDirectory, State: EntityState.Deleted or EntityState.Modified }:
                case { Entity: Tenant, State: EntityState.Deleted }:
                case { Entity: Tenant, State: EntityState.Modified } when entry.Property(nameof(Tenant.OffboardedAt)).IsModified:
                    return true;
            }
        }

        return false;
    }

    protected override void Committed() => changes.Changed();
}
