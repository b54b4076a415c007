using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.ApiKeys;

public sealed class ReconciliationOptions
{
    public const string SectionName = "Reconciliation";

    /// <summary>Run a pass at start-up and then at this interval.</summary>
    public bool Enabled { get; set; } = true;

    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Store versions younger than this are left alone: their submit may still be recording them.</summary>
    public TimeSpan MinimumAge { get; set; } = TimeSpan.FromMinutes(2);
}

public sealed record ReconciliationReport(int TenantsChecked, int VersionsRestored, int VersionsMissing, int TenantsFailed);

/// <summary>
/// Makes the metadata agree with the secret store. A version the store holds but the database lacks (the store
/// write succeeded, the database write did not, or the client timed out while the store went on) is recorded from
/// its tags; a version the database holds but the store does not know is flagged and audited. Idempotent.
/// </summary>
public sealed partial class ApiKeyReconciler(
    IDbContextFactory<PortalDbContext> contexts,
    ISecretStore store,
    AuditTrail audit,
    TimeProvider time,
    IOptions<ReconciliationOptions> options,
    ILogger<ApiKeyReconciler> logger)
{
    public const string RestoredByName = "Unknown (restored from the secret store)";
    private const int TenantBatch = 500;

    public async Task<ReconciliationReport> ReconcileAllAsync(CancellationToken cancellationToken)
    {
        int checkedCount = 0, restored = 0, missing = 0, failed = 0;
        string? after = null;
        while (true)
        {
            List<string> batch;
            await using (var db = contexts.CreateDbContext())
            {
                batch = await db.Tenants.AsNoTracking()
                    .Where(t => after == null || t.Id.CompareTo(after) > 0)
                    .OrderBy(t => t.Id).Select(t => t.Id).Take(TenantBatch)
                    .ToListAsync(cancellationToken);
            }

            foreach (var tenantId in batch)
            {
                try
                {
                    var (r, m) = await ReconcileTenantAsync(tenantId, cancellationToken);
                    restored += r;
                    missing += m;
                }
                catch (Exception ex) when (ex is SecretStoreException or DbUpdateException)
                {
                    failed++;
                    LogTenantFailed(logger, ex, tenantId);
                }

                checkedCount++;
            }

            if (batch.Count < TenantBatch)
            {
                break;
            }

            after = batch[^1];
        }

        var report = new ReconciliationReport(checkedCount, restored, missing, failed);
        LogPass(logger, report.TenantsChecked, report.VersionsRestored, report.VersionsMissing, report.TenantsFailed);
        return report;
    }

    /// <summary>Returns how many versions were restored and how many were newly found missing from the store.</summary>
    public async Task<(int Restored, int Missing)> ReconcileTenantAsync(string tenantId, CancellationToken cancellationToken)
    {
        var name = SecretName.ForTenant(tenantId);
        var now = time.GetUtcNow();
        var inStore = new Dictionary<string, SecretVersionProperties>(StringComparer.Ordinal);
        await foreach (var version in store.ListVersionsAsync(name, cancellationToken))
        {
            inStore[version.Version] = version;
        }

        await using var db = contexts.CreateDbContext();
        var recorded = await db.ApiKeyVersions.Where(v => v.TenantId == tenantId).ToListAsync(cancellationToken);
        var known = recorded.Select(v => v.StoreVersionId).ToHashSet(StringComparer.Ordinal);
        var correlationId = AuditTrail.NewCorrelationId();

        var restored = inStore.Values
            .Where(v => !known.Contains(v.Version)
                && v.Tags.TryGetValue(ApiKeyTags.TenantId, out var tag) && tag == tenantId
                && (v.CreatedOn is null || now - v.CreatedOn >= options.Value.MinimumAge))
            .Select(v => Restore(tenantId, v, now))
            .ToList();
        foreach (var version in restored)
        {
            db.ApiKeyVersions.Add(version);
            await AuditTrail.ChainAsync(db, audit.Create(PortalActor.System, AuditActions.ReconciliationRestored, AuditOutcome.Succeeded, tenantId,
                correlationId, name.Value, version.StoreVersionId, "Recorded a version the secret store holds but the database lacked"), cancellationToken);
        }

        var newlyMissing = 0;
        foreach (var version in recorded)
        {
            var present = inStore.ContainsKey(version.StoreVersionId);
            if (!present && version.MissingFromStoreSince is null)
            {
                version.MissingFromStoreSince = now;
                newlyMissing++;
                await AuditTrail.ChainAsync(db, audit.Create(PortalActor.System, AuditActions.ReconciliationMissing, AuditOutcome.Failed, tenantId,
                    correlationId, name.Value, version.StoreVersionId, "The secret store does not know this version"), cancellationToken);
            }
            else if (present)
            {
                version.MissingFromStoreSince = null;
            }
        }

        if (restored.Count > 0)
        {
            Rank(recorded.Concat(restored), now);
        }

        await db.SaveChangesAsync(cancellationToken);
        return (restored.Count, newlyMissing);
    }

    private static ApiKeyVersion Restore(string tenantId, SecretVersionProperties v, DateTimeOffset now) => new()
    {
        TenantId = tenantId,
        StoreVersionId = v.Version,
        Status = ApiKeyVersionStatus.Superseded,
        CreatedAt = v.CreatedOn ?? now,
        ExpiresAt = v.ExpiresOn,
        StatusChangedAt = now,
        CreatedByTenantId = Guid.TryParse(v.Tags.GetValueOrDefault(ApiKeyTags.SetByTenantId), out var tid) ? tid : Guid.Empty,
        CreatedByObjectId = Guid.TryParse(v.Tags.GetValueOrDefault(ApiKeyTags.SetByObjectId), out var oid) ? oid : Guid.Empty,
        CreatedByName = RestoredByName,
        MaskedHint = v.Tags.GetValueOrDefault(ApiKeyTags.MaskedHint) is { Length: <= 8 } hint ? hint : ApiKeyValueRules.HintMask,
        Fingerprint = v.Tags.GetValueOrDefault(ApiKeyTags.Fingerprint) is { Length: <= 24 } fingerprint ? fingerprint : "",
    };

    /// <summary>The newest live version is Current, the one before it Previous, older live ones Superseded.</summary>
    private static void Rank(IEnumerable<ApiKeyVersion> versions, DateTimeOffset now)
    {
        var live = versions
            .Where(v => v.Status is ApiKeyVersionStatus.Current or ApiKeyVersionStatus.Previous or ApiKeyVersionStatus.Superseded
                && v.MissingFromStoreSince is null)
            .OrderByDescending(v => v.CreatedAt)
            .ToList();
        for (var i = 0; i < live.Count; i++)
        {
            var status = i switch
            {
                0 => ApiKeyVersionStatus.Current,
                1 => ApiKeyVersionStatus.Previous,
                _ => ApiKeyVersionStatus.Superseded,
            };
            if (live[i].Status != status)
            {
                live[i].Status = status;
                live[i].StatusChangedAt = now;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciliation checked {Tenants} tenant(s): {Restored} version(s) restored, {Missing} newly missing from the store, {Failed} tenant(s) failed")]
    private static partial void LogPass(ILogger logger, int tenants, int restored, int missing, int failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconciliation could not list the store's versions for tenant {TenantId}")]
    private static partial void LogTenantFailed(ILogger logger, Exception exception, string tenantId);
}
