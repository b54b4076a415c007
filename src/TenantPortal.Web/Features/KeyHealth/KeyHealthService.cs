using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Web.Features.KeyHealth;

/// <summary>
/// Whether a tenant's stored key works, as the backend reports it: per version, when it was last used, how often, and
/// how often the third-party API refused it. Authorized like the key's status (<see cref="ApiKeyOperations.ViewStatus"/>):
/// the tenant's admins and automation, and staff read-only.
/// </summary>
public sealed class KeyHealthService(
    IDbContextFactory<PortalDbContext> contexts,
    IAuthorizationService authorization,
    AuditTrail audit,
    IOptions<KeyHealthOptions> options,
    TimeProvider time)
{
    private const int HistoryLimit = 100;

    /// <summary>The tenant's versions (newest first, at most 100) with what the backend reported; null when the tenant is not visible to the user.</summary>
    public async Task<KeyHealthOverview?> GetAsync(ClaimsPrincipal user, string tenantId, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var tenant = await db.Tenants.AsNoTracking().Include(t => t.Directories).FirstOrDefaultAsync(t => t.Id == tenantId, cancellationToken);
        if (!await authorization.AuthorizeTenantAsync(audit, user, tenantId, tenant, ApiKeyOperations.ViewStatus, AuditActions.ApiKeyView, cancellationToken))
        {
            return null;
        }

        var rows = await (
                from v in db.ApiKeyVersions.AsNoTracking().Where(v => v.TenantId == tenant!.Id)
                join u in db.KeyUsages.AsNoTracking() on v.Id equals u.ApiKeyVersionId into usage
                from u in usage.DefaultIfEmpty()
                orderby v.CreatedAt descending
                select new { v.StoreVersionId, v.Status, v.CreatedAt, Usage = u })
            .Take(HistoryLimit)
            .ToListAsync(cancellationToken);

        var now = time.GetUtcNow();
        var staleAfter = options.Value.StaleAfter;
        return new KeyHealthOverview(tenant!.Id, now, staleAfter, rows.Select(r => new KeyVersionHealth(
            r.StoreVersionId,
            r.Status,
            r.CreatedAt,
            r.Usage?.LastUsedAt,
            r.Usage?.Uses ?? 0,
            r.Usage?.Rejections ?? 0,
            r.Usage?.FirstRejectedAt,
            r.Usage?.LastRejectedAt,
            r.Usage?.LastReportedAt,
            IsStale: r.Status == ApiKeyVersionStatus.Current && (r.Usage?.LastUsedAt ?? r.CreatedAt) <= now - staleAfter)
        {
            IncidentStartedAt = r.Usage?.IncidentStartedAt,
            IncidentRejections = r.Usage?.IncidentRejections ?? 0,
            IsBeingRejected = r.Usage is { IncidentStartedAt: not null, IncidentEndedAt: null },
        }).ToList());
    }
}
