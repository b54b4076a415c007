using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Web.Features.KeyHealth;

/// <summary>What <see cref="KeyUsageIngestion.IngestAsync"/> did with a batch.</summary>
public abstract record KeyUsageIngestOutcome
{
    public sealed record Applied(KeyUsageReportResponse Response) : KeyUsageIngestOutcome;

    /// <summary>The token is not the provider's own backend's (another directory, or no <c>KeyUsage.Report</c>).</summary>
    public sealed record Forbidden(string Code, string Detail) : KeyUsageIngestOutcome;

    /// <summary>The batch id was used by another client app.</summary>
    public sealed record BatchIdTaken : KeyUsageIngestOutcome;
}

/// <summary>
/// Applies the backend's usage batches: only from the provider's home tenant with the application role
/// <c>KeyUsage.Report</c>; each entry added to its version's <see cref="KeyUsage"/> when the portal knows the tenant
/// and version (otherwise counted as unknown and named in the answer); the batch id recorded in the same transaction,
/// so a retry adds nothing; one audit row per batch on the platform chain, counts only.
/// </summary>
public sealed class KeyUsageIngestion(
    IDbContextFactory<PortalDbContext> contexts,
    AuditTrail audit,
    IOptions<PortalAuthOptions> auth,
    IOptions<KeyHealthOptions> options,
    TimeProvider time)
{
    public const int MaxUnknownListed = 100;
    private const int Attempts = 5;

    public async Task<KeyUsageIngestOutcome> IngestAsync(ClaimsPrincipal user, KeyUsageBatchReport batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var actor = PortalActor.From(user);
        if (actor is not { IsApp: true } || !actor.IsInRole(PortalAppRoles.KeyUsageReport))
        {
            return new KeyUsageIngestOutcome.Forbidden("role_missing",
                $"The token does not carry the application role {PortalAppRoles.KeyUsageReport}, which this operation needs.");
        }

        if (auth.Value.HomeTenantId is not { } home || actor.EntraTenantId != home)
        {
            await audit.TryAppendDenialAsync(audit.Create(actor, KeyHealthAuditActions.UsageReported, AuditOutcome.Denied, tenantId: null,
                reason: $"Key usage reports are taken only from the provider's own directory; batch {batch.BatchId}"), cancellationToken);
            return new KeyUsageIngestOutcome.Forbidden("home_tenant_only",
                $"Key usage reports are taken only from the SaaS provider's own backend, with a token from the provider's Entra tenant; this token was issued by the Entra tenant {actor.EntraTenantId}.");
        }

        var client = $"{actor.EntraTenantId:D}/{actor.AppId}";
        var correlationId = AuditTrail.NewCorrelationId();
        for (var attempt = 1; ; attempt++)
        {
            var now = time.GetUtcNow();
            await using var db = contexts.CreateDbContext();
            var done = await db.KeyUsageBatches.AsNoTracking().FirstOrDefaultAsync(b => b.BatchId == batch.BatchId, cancellationToken);
            if (done is not null)
            {
                return done.Client == client
                    ? new KeyUsageIngestOutcome.Applied(new KeyUsageReportResponse(done.BatchId, done.Entries, done.Accepted, done.Unknown, [], Replayed: true))
                    : new KeyUsageIngestOutcome.BatchIdTaken();
            }

            var tenantIds = batch.Entries.Select(e => e.TenantId).Distinct(StringComparer.Ordinal).ToList();
            var versions = (await db.ApiKeyVersions.AsNoTracking()
                    .Where(v => tenantIds.Contains(v.TenantId))
                    .Select(v => new { v.Id, v.TenantId, v.StoreVersionId })
                    .ToListAsync(cancellationToken))
                .ToDictionary(v => (v.TenantId, v.StoreVersionId), v => v.Id);

            var known = new List<(long VersionId, KeyUsageEntry Entry)>(batch.Entries.Count);
            var unknown = new List<KeyUsageUnknownEntry>();
            var unknownCount = 0;
            foreach (var entry in batch.Entries)
            {
                if (versions.TryGetValue((entry.TenantId, entry.Version), out var id))
                {
                    known.Add((id, entry));
                }
                else if (++unknownCount <= MaxUnknownListed)
                {
                    unknown.Add(new KeyUsageUnknownEntry(entry.TenantId, entry.Version));
                }
            }

            var ids = known.Select(k => k.VersionId).ToList();
            var rows = await db.KeyUsages.Where(u => ids.Contains(u.ApiKeyVersionId)).ToDictionaryAsync(u => u.ApiKeyVersionId, cancellationToken);
            foreach (var (versionId, entry) in known)
            {
                if (!rows.TryGetValue(versionId, out var row))
                {
                    row = new KeyUsage { ApiKeyVersionId = versionId };
                    rows[versionId] = row;
                    db.KeyUsages.Add(row);
                }

                row.Add(entry, now);
            }

            db.KeyUsageBatches.Add(new KeyUsageBatch
            {
                BatchId = batch.BatchId,
                Client = client,
                ReceivedAt = now,
                ExpiresAt = now + options.Value.BatchRetention,
                Entries = batch.Entries.Count,
                Accepted = known.Count,
                Unknown = unknownCount,
                DroppedByReader = batch.DroppedEntries,
            });
            await AuditTrail.ChainAsync(db, audit.Create(actor, KeyHealthAuditActions.UsageReported, AuditOutcome.Succeeded, tenantId: null, correlationId,
                reason: $"Batch {batch.BatchId}: {batch.Entries.Count} entries, {known.Count} accepted, {unknownCount} unknown; {batch.DroppedEntries} dropped by the reader before it"),
                cancellationToken);
            try
            {
                await db.KeyUsageBatches.Where(b => b.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                return new KeyUsageIngestOutcome.Applied(new KeyUsageReportResponse(batch.BatchId, batch.Entries.Count, known.Count, unknownCount, unknown, Replayed: false));
            }
            catch (DbUpdateException) when (attempt < Attempts)
            {
                // The same batch applied meanwhile (its id is the key), another report added to one of these rows, or an
                // audit append took the chain's next link: decide again from what is there now.
            }
        }
    }
}
