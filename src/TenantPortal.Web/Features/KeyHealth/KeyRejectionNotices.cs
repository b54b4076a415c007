using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Web.Features.KeyHealth;

/// <summary>
/// Tells a tenant's contacts, once per version and incident, that the third-party provider is rejecting its current
/// key: a <see cref="RotationNoticeKind.KeyRejected"/> notice (e-mail in each contact's language, a signed webhook
/// event) and an audit row on the tenant's chain, in the transaction that applies the usage batch. The notice's
/// <see cref="RotationNotice.LeadDays"/> is the incident's number for that version (the unique index makes it once per
/// incident) and its <see cref="RotationNotice.DueAt"/> the incident's first rejection. An incident of a version that
/// is not current (a previous version still cached by a backend, refused after the tenant revoked it at the provider,
/// which is expected) is decided without telling anyone.
/// </summary>
public sealed class KeyRejectionNotices(AuditTrail audit)
{
    /// <summary>Adds the notices for incidents that <paramref name="known"/> opened; the caller saves.</summary>
    internal async Task<int> TellNewIncidentsAsync(
        PortalDbContext db, IReadOnlyList<(long VersionId, KeyUsageEntry Entry)> known, DateTimeOffset now, string correlationId, CancellationToken cancellationToken)
    {
        var ids = known.Where(k => k.Entry.Rejections > 0).Select(k => k.VersionId).Distinct().ToList();
        if (ids.Count == 0)
        {
            return 0;
        }

        // Tracked rows (the SQL Server path) hold this batch's counts already; on SQLite the statement just wrote them.
        var tracked = db.KeyUsages.Local.Where(u => ids.Contains(u.ApiKeyVersionId)).ToList();
        var rows = (tracked.Count > 0 ? tracked : await db.KeyUsages.Where(u => ids.Contains(u.ApiKeyVersionId)).ToListAsync(cancellationToken))
            .Where(u => u.Incidents > u.NotifiedIncidents)
            .ToList();
        if (rows.Count == 0)
        {
            return 0;
        }

        var versionIds = rows.Select(r => r.ApiKeyVersionId).ToList();
        var versions = await db.ApiKeyVersions.AsNoTracking().Where(v => versionIds.Contains(v.Id))
            .Select(v => new { v.Id, v.TenantId, v.StoreVersionId, v.Status })
            .ToDictionaryAsync(v => v.Id, cancellationToken);
        var tenantIds = versions.Values.Where(v => v.Status == ApiKeyVersionStatus.Current).Select(v => v.TenantId).Distinct().ToList();
        var tenants = await db.Tenants.AsNoTracking().Include(t => t.Contacts).Where(t => tenantIds.Contains(t.Id))
            .ToDictionaryAsync(t => t.Id, StringComparer.Ordinal, cancellationToken);

        var told = 0;
        foreach (var row in rows)
        {
            row.NotifiedIncidents = row.Incidents;

            if (versions.GetValueOrDefault(row.ApiKeyVersionId) is not { Status: ApiKeyVersionStatus.Current } v
                || !tenants.TryGetValue(v.TenantId, out var tenant) || tenant.IsOffboarded)
            {
                continue;
            }

            RotationNotices.Add(db, tenant, v.StoreVersionId, RotationNoticeKind.KeyRejected, row.Incidents, row.IncidentStartedAt, now);
            await AuditTrail.ChainAsync(db, audit.Create(PortalActor.System, KeyHealthAuditActions.KeyRejected, AuditOutcome.Succeeded, tenant.Id, correlationId,
                secretName: SecretStore.SecretName.ForTenant(tenant.Id).Value, keyVersion: v.StoreVersionId,
                reason: $"The backend reported the provider rejecting the current version (incident {row.Incidents}, first rejection {row.IncidentStartedAt:O}); contacts told"),
                cancellationToken);
            told++;
        }

        return told;
    }
}
