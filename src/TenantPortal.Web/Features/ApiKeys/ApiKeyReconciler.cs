using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.Infrastructure.Telemetry;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.ApiKeys;

public enum TenantReconciliationOutcome
{
    /// <summary>The metadata now agrees with the store.</summary>
    Reconciled,

    /// <summary>Another change holds the tenant's key; it settles against the store itself when it commits.</summary>
    Busy,

    /// <summary>The store or the database did not answer (logged): worth trying again later.</summary>
    Failed,

    /// <summary>No tenant has this id (renamed, or never onboarded): nothing to reconcile.</summary>
    UnknownTenant,
}

/// <summary>What reconciling one tenant did: versions recorded from the store's tags, versions newly found missing from it.</summary>
public sealed record TenantReconciliation(TenantReconciliationOutcome Outcome, int Restored = 0, int Missing = 0)
{
    public int Drift => Restored + Missing;
}

/// <summary>What one search for writes in doubt did, and from where the next one starts.</summary>
public sealed record InDoubtReport(int Found, int Settled, int Restored, int Missing, DateTimeOffset CheckFrom);

/// <summary>
/// Makes the metadata agree with the secret store, tenant by tenant, through <see cref="KeyLifecycle.ReconcileAsync"/>:
/// a version the store holds but the database lacks (the store write succeeded, the database write did not, or the
/// client timed out while the store went on) is recorded from its tags; versions missing from the store, or enabled in
/// it although disabled here, are flagged and audited; Current follows what the store serves. Idempotent.
/// <see cref="ReconcileTenantAsync"/> is the entry point for one tenant (a vault event names it);
/// <see cref="SettleInDoubtAsync"/> finds the changes whose outcome was never recorded. The schedule is
/// <see cref="ReconciliationScheduler"/>'s.
/// </summary>
public sealed partial class ApiKeyReconciler(
    IDbContextFactory<PortalDbContext> contexts,
    KeyLifecycle lifecycle,
    AuditTrail audit,
    PortalMetrics metrics,
    ILogger<ApiKeyReconciler> logger)
{
    public const string RestoredByName = KeyLifecycle.RestoredByName;

    /// <summary>The changes that write to the store after auditing "requested".</summary>
    public static readonly string[] StoreChangingActions =
        [AuditActions.ApiKeySubmit, AuditActions.ApiKeyRotate, AuditActions.ApiKeyRestore, AuditActions.ApiKeyRevoke, AuditActions.TenantOffboard];

    private const int InDoubtBatch = 100;

    /// <summary>
    /// Reconciles one tenant's key against the store now. Never throws for a store or database failure: it reports
    /// <see cref="TenantReconciliationOutcome.Failed"/> (and logs it), which a caller that can be asked again (a vault
    /// event's delivery) should answer with "try later". <see cref="TenantReconciliationOutcome.Busy"/> needs no retry.
    /// </summary>
    public async Task<TenantReconciliation> ReconcileTenantAsync(string tenantId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ReconcileOutcome outcome;
        try
        {
            outcome = await lifecycle.ReconcileAsync(tenantId, cancellationToken);
        }
        catch (Exception ex) when (ex is SecretStoreException or DbException or RetryLimitExceededException)
        {
            LogTenantFailed(logger, ex, tenantId);
            return new TenantReconciliation(TenantReconciliationOutcome.Failed);
        }

        if (outcome.Ran)
        {
            metrics.DriftFound(outcome.Restored, outcome.Missing);
            return new TenantReconciliation(TenantReconciliationOutcome.Reconciled, outcome.Restored, outcome.Missing);
        }

        if (outcome.CouldNotRecord)
        {
            return new TenantReconciliation(TenantReconciliationOutcome.Failed);
        }

        // The key lock was not taken: another change holds it, or there is no tenant row to take it on.
        await using var db = contexts.CreateDbContext();
        return await db.Tenants.AnyAsync(t => t.Id == tenantId, cancellationToken)
            ? new TenantReconciliation(TenantReconciliationOutcome.Busy)
            : new TenantReconciliation(TenantReconciliationOutcome.UnknownTenant);
    }

    /// <summary>
    /// Finds the store-changing changes audited "requested" between <paramref name="from"/> and <paramref name="upTo"/>
    /// that have no "succeeded" under their correlation id (the portal stopped, or the store or the database failed,
    /// between the request and its record), reconciles their tenants within <paramref name="budget"/>, and appends
    /// <c>Reconciliation.InDoubtSettled</c> under each one's correlation id, which also takes it out of the next search.
    /// Returns where the next search starts: the first change it could not settle, else <paramref name="upTo"/>.
    /// </summary>
    public async Task<InDoubtReport> SettleInDoubtAsync(
        DateTimeOffset from, DateTimeOffset upTo, VaultCallBudget budget, Func<CancellationToken, Task<bool>> mayGoOn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(budget);
        ArgumentNullException.ThrowIfNull(mayGoOn);
        if (upTo < from)
        {
            return new InDoubtReport(0, 0, 0, 0, from);
        }

        List<InDoubtChange> changes;
        await using (var db = contexts.CreateDbContext())
        {
            changes = await db.AuditEvents.AsNoTracking()
                .Where(e => StoreChangingActions.Contains(e.Action) && e.Outcome == AuditOutcome.Requested && e.OccurredAt >= from && e.OccurredAt <= upTo)
                .Where(e => !db.AuditEvents.Any(o => o.CorrelationId == e.CorrelationId && o.TenantId == e.TenantId
                    && ((o.Action == e.Action && o.Outcome == AuditOutcome.Succeeded) || o.Action == AuditActions.ReconciliationInDoubtSettled)))
                .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id)
                .Take(InDoubtBatch)
                .Select(e => new InDoubtChange(e.TenantId!, e.ChainId, e.CorrelationId, e.Action, e.SecretName, e.OccurredAt))
                .ToListAsync(cancellationToken);
        }

        int settled = 0, restored = 0, missing = 0;
        DateTimeOffset? firstLeft = null;
        foreach (var tenant in changes.GroupBy(c => c.TenantId, StringComparer.Ordinal))
        {
            var oldest = tenant.Min(c => c.OccurredAt);
            if (firstLeft is not null || budget.Exhausted || !await mayGoOn(cancellationToken))
            {
                // Once one is left, the rest wait too: the vault is failing, the budget is spent or the lease is gone.
                firstLeft = Earliest(firstLeft, oldest);
                continue;
            }

            var result = await budget.SpendAsync(() => ReconcileTenantAsync(tenant.Key, cancellationToken));
            if (result.Outcome is TenantReconciliationOutcome.Busy or TenantReconciliationOutcome.Failed || !await TryRecordSettledAsync(tenant, result, cancellationToken))
            {
                firstLeft = Earliest(firstLeft, oldest);
                continue;
            }

            settled += tenant.Count();
            restored += result.Restored;
            missing += result.Missing;
        }

        var checkFrom = firstLeft ?? (changes.Count == InDoubtBatch ? changes[^1].OccurredAt : upTo);
        return new InDoubtReport(changes.Count, settled, restored, missing, checkFrom < from ? from : checkFrom);
    }

    private async Task<bool> TryRecordSettledAsync(IEnumerable<InDoubtChange> changes, TenantReconciliation result, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var change in changes)
            {
                var reason = result.Outcome == TenantReconciliationOutcome.UnknownTenant
                    ? $"{change.Action} had no recorded success; no tenant has this id any more, so there was nothing to reconcile"
                    : $"{change.Action} had no recorded success; the key was reconciled against the secret store ({result.Restored} version(s) recorded from it, {result.Missing} found missing)";
                await audit.AppendAsync(audit.Create(PortalActor.System, AuditActions.ReconciliationInDoubtSettled, AuditOutcome.Succeeded, change.TenantId,
                    change.CorrelationId, change.SecretName, reason: reason, chainId: change.ChainId), cancellationToken);
                LogInDoubtSettled(logger, change.Action, change.TenantId, change.CorrelationId);
            }

            return true;
        }
        catch (AuditUnavailableException)
        {
            // Logged by the appender; the next search finds the change again.
            return false;
        }
    }

    private static DateTimeOffset Earliest(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x < b ? x : b;

    private sealed record InDoubtChange(string TenantId, string ChainId, string CorrelationId, string Action, string? SecretName, DateTimeOffset OccurredAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconciliation could not reconcile tenant {TenantId} with the store")]
    private static partial void LogTenantFailed(ILogger logger, Exception exception, string tenantId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Action} for tenant {TenantId} was in doubt and has been reconciled (correlation {CorrelationId})")]
    private static partial void LogInDoubtSettled(ILogger logger, string action, string tenantId, string correlationId);
}
