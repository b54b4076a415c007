using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Data;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.ApiKeys;

public sealed class ReconciliationOptions
{
    public const string SectionName = "Reconciliation";

    /// <summary>Run a pass at start-up and then at this interval.</summary>
    public bool Enabled { get; set; } = true;

    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(15);
}

public sealed record ReconciliationReport(int TenantsChecked, int VersionsRestored, int VersionsMissing, int TenantsFailed)
{
    /// <summary>Tenants left for the next pass because another change held their key.</summary>
    public int TenantsBusy { get; init; }
}

/// <summary>
/// Makes the metadata agree with the secret store, tenant by tenant, through <see cref="KeyLifecycle.ReconcileAsync"/>:
/// a version the store holds but the database lacks (the store write succeeded, the database write did not, or the
/// client timed out while the store went on) is recorded from its tags; versions missing from the store, or enabled in
/// it although disabled here, are flagged and audited; Current follows what the store serves. Idempotent.
/// </summary>
public sealed partial class ApiKeyReconciler(
    IDbContextFactory<PortalDbContext> contexts,
    KeyLifecycle lifecycle,
    ILogger<ApiKeyReconciler> logger)
{
    public const string RestoredByName = KeyLifecycle.RestoredByName;
    private const int TenantBatch = 500;

    public async Task<ReconciliationReport> ReconcileAllAsync(CancellationToken cancellationToken)
    {
        int checkedCount = 0, restored = 0, missing = 0, failed = 0, busy = 0;
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
                    var outcome = await lifecycle.ReconcileAsync(tenantId, cancellationToken);
                    restored += outcome.Restored;
                    missing += outcome.Missing;
                    failed += outcome.CouldNotRecord ? 1 : 0;
                    busy += outcome is { Ran: false, CouldNotRecord: false } ? 1 : 0;
                }
                catch (Exception ex) when (ex is SecretStoreException or System.Data.Common.DbException)
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

        var report = new ReconciliationReport(checkedCount, restored, missing, failed) { TenantsBusy = busy };
        LogPass(logger, report.TenantsChecked, report.VersionsRestored, report.VersionsMissing, report.TenantsFailed, report.TenantsBusy);
        return report;
    }

    /// <summary>Returns how many versions were restored and how many were newly found missing from the store.</summary>
    public async Task<(int Restored, int Missing)> ReconcileTenantAsync(string tenantId, CancellationToken cancellationToken)
    {
        var outcome = await lifecycle.ReconcileAsync(tenantId, cancellationToken);
        return (outcome.Restored, outcome.Missing);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciliation checked {Tenants} tenant(s): {Restored} version(s) restored, {Missing} newly missing from the store, {Failed} tenant(s) failed, {Busy} left for the next pass (key change in progress)")]
    private static partial void LogPass(ILogger logger, int tenants, int restored, int missing, int failed, int busy);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconciliation could not list the store's versions for tenant {TenantId}")]
    private static partial void LogTenantFailed(ILogger logger, Exception exception, string tenantId);
}
