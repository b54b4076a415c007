using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Data;

namespace TenantPortal.Web.Features.Tenants;

/// <summary>Seeds the personas' tenants on first start of the embedded default.</summary>
internal sealed class DevelopmentTenantSeeder(IDbContextFactory<PortalDbContext> contexts, TimeProvider time) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        // A seeded tenant renamed since keeps its new id; its old one is retired and never seeded again.
        var existing = await db.Tenants.Select(t => t.Id).Concat(db.RetiredTenantIds.Select(r => r.Id)).ToListAsync(cancellationToken);
        foreach (var seed in DevelopmentPersonas.Tenants.Where(t => !existing.Contains(t.Id)))
        {
            var tenant = new Tenant { Id = seed.Id, DisplayName = seed.DisplayName, CreatedAt = time.GetUtcNow() };
            if (seed.EntraTenantId is { } tid)
            {
                tenant.Directories.Add(new TenantDirectory { EntraTenantId = tid, TenantId = seed.Id });
            }

            db.Tenants.Add(tenant);
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
