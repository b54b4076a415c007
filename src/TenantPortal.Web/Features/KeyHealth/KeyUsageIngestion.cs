using System.Security.Claims;
using System.Text;
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
/// so a retry adds nothing; one audit row per batch on the platform chain, counts only. On SQLite the counts are added
/// by one INSERT … ON CONFLICT DO UPDATE over the batch (10,000 entries in one statement); on SQL Server through
/// tracked rows, whose revision makes concurrent reports retry rather than lose one another's counts.
/// </summary>
public sealed class KeyUsageIngestion(
    IDbContextFactory<PortalDbContext> contexts,
    AuditTrail audit,
    IOptions<PortalAuthOptions> auth,
    IOptions<KeyHealthOptions> options,
    KeyRejectionNotices incidents,
    TimeProvider time)
{
    public const int MaxUnknownListed = 100;
    private const int Attempts = 5;

    /// <summary>Whether SQLite adds the counts in SQL (true) or through tracked rows as on SQL Server; tests run both.</summary>
    internal bool AddInSql { get; set; } = true;

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

            var inSql = AddInSql && db.Database.IsSqlite();
            var versions = (inSql ? await FindVersionsInSqlAsync(db, batch.Entries, cancellationToken) : await FindVersionsAsync(db, batch.Entries, cancellationToken))
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

            if (!inSql)
            {
                await TrackAsync(db, known, now, options.Value.IncidentQuietPeriod, cancellationToken);
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
                if (inSql)
                {
                    // One transaction for the counts, the batch id and the audit row: a batch applied twice fails on its id.
                    await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                    await AddInSqlAsync(db, known, now, options.Value.IncidentQuietPeriod, cancellationToken);
                    await incidents.TellNewIncidentsAsync(db, known, now, correlationId, cancellationToken);
                    await db.SaveChangesAsync(cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                }
                else
                {
                    await incidents.TellNewIncidentsAsync(db, known, now, correlationId, cancellationToken);
                    await db.SaveChangesAsync(cancellationToken);
                }

                return new KeyUsageIngestOutcome.Applied(new KeyUsageReportResponse(batch.BatchId, batch.Entries.Count, known.Count, unknownCount, unknown, Replayed: false));
            }
            catch (DbUpdateException) when (attempt < Attempts)
            {
                // The same batch applied meanwhile (its id is the key), another report added to one of these rows, or an
                // audit append took the chain's next link: decide again from what is there now.
            }
        }
    }

    private static Task<List<VersionKey>> FindVersionsAsync(PortalDbContext db, IReadOnlyList<KeyUsageEntry> entries, CancellationToken cancellationToken)
    {
        var tenantIds = entries.Select(e => e.TenantId).Distinct(StringComparer.Ordinal).ToList();
        var versionIds = entries.Select(e => e.Version).Distinct(StringComparer.Ordinal).ToList();
        return db.ApiKeyVersions.AsNoTracking()
            .Where(v => tenantIds.Contains(v.TenantId) && versionIds.Contains(v.StoreVersionId))
            .Select(v => new VersionKey(v.Id, v.TenantId, v.StoreVersionId))
            .ToListAsync(cancellationToken);
    }

    /// <summary>SQLite: one lookup of the (tenant, version) index per entry; two IN lists would make it try every pair of them.</summary>
    private static Task<List<VersionKey>> FindVersionsInSqlAsync(PortalDbContext db, IReadOnlyList<KeyUsageEntry> entries, CancellationToken cancellationToken)
    {
        var pairs = System.Text.Json.JsonSerializer.Serialize(entries.Select(e => new[] { e.TenantId, e.Version }), KeyHealthJsonContext.Default.IEnumerableStringArray);
        return db.Database.SqlQuery<VersionKey>($"""
            SELECT v."Id", v."TenantId", v."StoreVersionId"
            FROM json_each({pairs}) AS e
            JOIN "ApiKeyVersions" AS v ON v."TenantId" = json_extract(e.value, '$[0]') AND v."StoreVersionId" = json_extract(e.value, '$[1]')
            """).ToListAsync(cancellationToken);
    }

    internal sealed record VersionKey(long Id, string TenantId, string StoreVersionId);

    private static async Task TrackAsync(PortalDbContext db, List<(long VersionId, KeyUsageEntry Entry)> known, DateTimeOffset now, TimeSpan quiet, CancellationToken cancellationToken)
    {
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

            row.Add(entry, now, quiet);
        }
    }

    /// <summary>
    /// SQLite: every entry added to its row in one statement, the rows passed as one JSON parameter of numbers (ids,
    /// counts, and times in the column's own encoding, taken from the model's converter). Same arithmetic as
    /// <see cref="KeyUsage.Add"/>: counts summed, the earliest first rejection, the latest use and rejection.
    /// </summary>
    private static async Task AddInSqlAsync(PortalDbContext db, List<(long VersionId, KeyUsageEntry Entry)> known, DateTimeOffset now, TimeSpan quiet, CancellationToken cancellationToken)
    {
        if (known.Count == 0)
        {
            return;
        }

        var converter = db.Model.FindEntityType(typeof(KeyUsage))!.FindProperty(nameof(KeyUsage.LastUsedAt))!.GetTypeMapping().Converter
            ?? throw new InvalidOperationException("KeyUsage times have no converter on SQLite.");
        string Time(DateTimeOffset? at) => at is { } t ? Convert.ToString(converter.ConvertToProvider(t), System.Globalization.CultureInfo.InvariantCulture)! : "null";
        var rows = new StringBuilder(known.Count * 96).Append('[');
        foreach (var (versionId, e) in known)
        {
            rows.Append(rows.Length == 1 ? "[" : ",[").Append(versionId).Append(',').Append(e.Uses).Append(',').Append(Time(e.LastUsedAt)).Append(',')
                .Append(e.Rejections).Append(',').Append(Time(e.FirstRejectedAt)).Append(',').Append(Time(e.LastRejectedAt)).Append(']');
        }

        var json = rows.Append(']').ToString();
        var reportedAt = converter.ConvertToProvider(now)!;
        // The column's encoding is linear in UTC time (every time here is UTC), so the quiet period is a difference of two encoded times.
        var quietSpan = (long)converter.ConvertToProvider(now)! - (long)converter.ConvertToProvider(now - quiet)!;
        // The incident columns follow KeyUsage.Add: on conflict every right-hand column is the row's value before this
        // statement.
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "KeyUsages" ("ApiKeyVersionId", "Uses", "LastUsedAt", "Rejections", "FirstRejectedAt", "LastRejectedAt", "LastReportedAt", "Revision",
                                     "IncidentStartedAt", "IncidentRejections", "IncidentEndedAt", "Incidents", "NotifiedIncidents")
            SELECT json_extract(e.value, '$[0]'), json_extract(e.value, '$[1]'), json_extract(e.value, '$[2]'), json_extract(e.value, '$[3]'),
                   json_extract(e.value, '$[4]'), json_extract(e.value, '$[5]'), {reportedAt}, 1,
                   CASE WHEN json_extract(e.value, '$[3]') > 0 THEN json_extract(e.value, '$[4]') END, json_extract(e.value, '$[3]'), NULL,
                   CASE WHEN json_extract(e.value, '$[3]') > 0 THEN 1 ELSE 0 END, 0
            FROM json_each({json}) AS e WHERE true
            ON CONFLICT ("ApiKeyVersionId") DO UPDATE SET
                "Uses" = "Uses" + excluded."Uses",
                "LastUsedAt" = CASE WHEN excluded."LastUsedAt" IS NULL THEN "LastUsedAt" WHEN "LastUsedAt" IS NULL OR excluded."LastUsedAt" > "LastUsedAt" THEN excluded."LastUsedAt" ELSE "LastUsedAt" END,
                "Rejections" = "Rejections" + excluded."Rejections",
                "FirstRejectedAt" = CASE WHEN excluded."FirstRejectedAt" IS NULL THEN "FirstRejectedAt" WHEN "FirstRejectedAt" IS NULL OR excluded."FirstRejectedAt" < "FirstRejectedAt" THEN excluded."FirstRejectedAt" ELSE "FirstRejectedAt" END,
                "LastRejectedAt" = CASE WHEN excluded."LastRejectedAt" IS NULL THEN "LastRejectedAt" WHEN "LastRejectedAt" IS NULL OR excluded."LastRejectedAt" > "LastRejectedAt" THEN excluded."LastRejectedAt" ELSE "LastRejectedAt" END,
                "LastReportedAt" = excluded."LastReportedAt",
                "Revision" = "Revision" + 1,
                "IncidentStartedAt" = CASE WHEN excluded."Rejections" = 0 THEN "IncidentStartedAt"
                    WHEN "IncidentStartedAt" IS NULL OR "IncidentEndedAt" IS NOT NULL OR ("LastRejectedAt" IS NOT NULL AND excluded."FirstRejectedAt" - "LastRejectedAt" > {quietSpan})
                    THEN excluded."FirstRejectedAt" ELSE "IncidentStartedAt" END,
                "IncidentRejections" = CASE WHEN excluded."Rejections" = 0 THEN "IncidentRejections"
                    WHEN "IncidentStartedAt" IS NULL OR "IncidentEndedAt" IS NOT NULL OR ("LastRejectedAt" IS NOT NULL AND excluded."FirstRejectedAt" - "LastRejectedAt" > {quietSpan})
                    THEN excluded."Rejections" ELSE "IncidentRejections" + excluded."Rejections" END,
                "IncidentEndedAt" = CASE WHEN excluded."Rejections" > 0 THEN NULL
                    WHEN excluded."Uses" > 0 AND "IncidentStartedAt" IS NOT NULL AND "IncidentEndedAt" IS NULL THEN excluded."LastUsedAt" ELSE "IncidentEndedAt" END,
                "Incidents" = CASE WHEN excluded."Rejections" = 0 THEN "Incidents"
                    WHEN "IncidentStartedAt" IS NULL OR "IncidentEndedAt" IS NOT NULL OR ("LastRejectedAt" IS NOT NULL AND excluded."FirstRejectedAt" - "LastRejectedAt" > {quietSpan})
                    THEN "Incidents" + 1 ELSE "Incidents" END
            """, cancellationToken);
    }
}
