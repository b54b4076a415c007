using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TenantPortal.Web.Data;
using TenantPortal.Web.Infrastructure.Leases;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>What one pass did. <see cref="Ran"/> is false on an instance that does not hold the lease.</summary>
public sealed record ReconciliationPassReport(bool Ran)
{
    public static ReconciliationPassReport NotHolder { get; } = new(false);

    public int InDoubtFound { get; init; }

    public int InDoubtSettled { get; init; }

    public int SweepTenantsChecked { get; init; }

    public bool SweepStarted { get; init; }

    public bool SweepCompleted { get; init; }

    public int VersionsRestored { get; init; }

    public int VersionsMissing { get; init; }

    public int TenantsFailed { get; init; }

    /// <summary>Vault calls this pass counted against its budget.</summary>
    public int VaultCalls { get; init; }
}

/// <summary>
/// A pass's share of the vault: each store-touching step is charged what it really sent (<see cref="SecretStoreCalls"/>;
/// at least one, so the local store is paced alike). Calls the instance made meanwhile for users count too.
/// </summary>
public sealed class VaultCallBudget(SecretStoreCalls calls, int limit)
{
    public int Spent { get; private set; }

    public bool Exhausted => Spent >= limit;

    public int Remaining => Math.Max(0, limit - Spent);

    public async Task<T> SpendAsync<T>(Func<Task<T>> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var before = calls.Total;
        try
        {
            return await step();
        }
        finally
        {
            Spent += (int)Math.Max(1, calls.Total - before);
        }
    }
}

/// <summary>
/// One reconciliation pass, on one instance at a time (the lease <see cref="LeaseName"/>): first the writes left in
/// doubt (<see cref="ApiKeyReconciler.SettleInDoubtAsync"/>), then, when one is due or under way, the next stretch of
/// the full sweep, tenant by tenant in id order, until the pass's budget of vault calls
/// (<see cref="ReconciliationOptions.CallsPerPass"/>) is spent. Where it stands is kept in
/// <see cref="ReconciliationState"/> after every tenant, so a restart, a deployment or another instance taking the lease
/// goes on from there. A start-up is a pass like any other: it sweeps only if a sweep is due.
/// </summary>
public sealed partial class ReconciliationScheduler(
    IDbContextFactory<PortalDbContext> contexts,
    ApiKeyReconciler reconciler,
    Leases leases,
    LeaseHolder instance,
    SecretStoreCalls calls,
    TimeProvider time,
    IOptions<ReconciliationOptions> options,
    ILogger<ReconciliationScheduler> logger)
{
    public const string LeaseName = "reconciliation";
    private const int TenantBatch = 500;

    private DateTimeOffset _renewLeaseAt;
    private bool _leaseLost;

    public async Task<ReconciliationPassReport> RunPassAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!await leases.TryAcquireAsync(LeaseName, instance.Id, o.LeaseDuration, cancellationToken))
        {
            return ReconciliationPassReport.NotHolder;
        }

        _renewLeaseAt = time.GetUtcNow() + o.LeaseDuration / 2;
        _leaseLost = false;
        var budget = new VaultCallBudget(calls, o.CallsPerPass);
        var state = await LoadStateAsync(cancellationToken);

        var inDoubt = await reconciler.SettleInDoubtAsync(state.InDoubtCheckedFrom, time.GetUtcNow() - o.InDoubtAfter, budget, KeepLeaseAsync, cancellationToken);
        if (inDoubt.CheckFrom != state.InDoubtCheckedFrom && !_leaseLost)
        {
            state.InDoubtCheckedFrom = inDoubt.CheckFrom;
            await SaveStateAsync(state, cancellationToken);
        }

        var sweepStarted = false;
        if (!state.SweepInProgress && time.GetUtcNow() >= state.SweepStartedAt + o.FullSweepInterval && !_leaseLost)
        {
            state.SweepInProgress = true;
            state.SweepStartedAt = time.GetUtcNow();
            state.SweepAfterTenantId = null;
            state.SweepTenantsChecked = state.SweepVersionsRestored = state.SweepVersionsMissing = state.SweepTenantsFailed = 0;
            await SaveStateAsync(state, cancellationToken);
            sweepStarted = true;
            LogSweepStarted(logger, o.CallsPerPass, o.PassInterval.TotalSeconds);
        }

        var sweep = state.SweepInProgress ? await SweepAsync(state, budget, cancellationToken) : new SweepStretch(0, 0, 0, 0, false);
        return new ReconciliationPassReport(true)
        {
            InDoubtFound = inDoubt.Found,
            InDoubtSettled = inDoubt.Settled,
            SweepStarted = sweepStarted,
            SweepTenantsChecked = sweep.Tenants,
            SweepCompleted = sweep.Completed,
            VersionsRestored = inDoubt.Restored + sweep.Restored,
            VersionsMissing = inDoubt.Missing + sweep.Missing,
            TenantsFailed = sweep.Failed,
            VaultCalls = budget.Spent,
        };
    }

    private async Task<SweepStretch> SweepAsync(ReconciliationState state, VaultCallBudget budget, CancellationToken cancellationToken)
    {
        int tenants = 0, restored = 0, missing = 0, failed = 0;
        while (!budget.Exhausted)
        {
            var after = state.SweepAfterTenantId;
            var wanted = Math.Min(TenantBatch, budget.Remaining);
            List<string> batch;
            await using (var db = contexts.CreateDbContext())
            {
                batch = await db.Tenants.AsNoTracking()
                    .Where(t => after == null || t.Id.CompareTo(after) > 0)
                    .OrderBy(t => t.Id).Select(t => t.Id).Take(wanted)
                    .ToListAsync(cancellationToken);
            }

            foreach (var tenantId in batch)
            {
                if (budget.Exhausted || !await KeepLeaseAsync(cancellationToken))
                {
                    return new SweepStretch(tenants, restored, missing, failed, false);
                }

                var result = await budget.SpendAsync(() => reconciler.ReconcileTenantAsync(tenantId, cancellationToken));
                tenants++;
                restored += result.Restored;
                missing += result.Missing;
                state.SweepAfterTenantId = tenantId;
                state.SweepTenantsChecked++;
                state.SweepVersionsRestored += result.Restored;
                state.SweepVersionsMissing += result.Missing;
                if (result.Outcome == TenantReconciliationOutcome.Failed)
                {
                    // Skipped until the next sweep; and the pass ends here, so a failing vault costs one call a pass.
                    failed++;
                    state.SweepTenantsFailed++;
                    await SaveStateAsync(state, cancellationToken);
                    return new SweepStretch(tenants, restored, missing, failed, false);
                }

                await SaveStateAsync(state, cancellationToken);
            }

            if (batch.Count < wanted)
            {
                state.SweepInProgress = false;
                state.SweepAfterTenantId = null;
                state.LastSweepCompletedAt = time.GetUtcNow();
                await SaveStateAsync(state, cancellationToken);
                LogSweepCompleted(logger, state.SweepTenantsChecked, state.SweepVersionsRestored, state.SweepVersionsMissing, state.SweepTenantsFailed,
                    (state.LastSweepCompletedAt.Value - state.SweepStartedAt).TotalMinutes);
                return new SweepStretch(tenants, restored, missing, failed, true);
            }
        }

        return new SweepStretch(tenants, restored, missing, failed, false);
    }

    /// <summary>Renews the lease once half of it has run; false (for the rest of the pass) once another instance has it.</summary>
    private async Task<bool> KeepLeaseAsync(CancellationToken cancellationToken)
    {
        if (_leaseLost)
        {
            return false;
        }

        if (time.GetUtcNow() < _renewLeaseAt)
        {
            return true;
        }

        var duration = options.Value.LeaseDuration;
        if (!await leases.TryAcquireAsync(LeaseName, instance.Id, duration, cancellationToken))
        {
            _leaseLost = true;
            LogLeaseLost(logger);
            return false;
        }

        _renewLeaseAt = time.GetUtcNow() + duration / 2;
        return true;
    }

    private async Task<ReconciliationState> LoadStateAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        if (await db.ReconciliationStates.AsNoTracking().FirstOrDefaultAsync(s => s.Id == ReconciliationState.SingletonId, cancellationToken) is { } state)
        {
            return state;
        }

        // The schedule starts now: the first sweep is an interval away, writes in doubt are looked for that far back.
        var now = time.GetUtcNow();
        var created = new ReconciliationState { InDoubtCheckedFrom = now - options.Value.FullSweepInterval, SweepStartedAt = now };
        db.ReconciliationStates.Add(created);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return created;
        }
        catch (DbUpdateException)
        {
            // Another instance created it between its lease and this one.
            await using var again = contexts.CreateDbContext();
            return await again.ReconciliationStates.AsNoTracking().FirstAsync(s => s.Id == ReconciliationState.SingletonId, cancellationToken);
        }
    }

    private async Task SaveStateAsync(ReconciliationState state, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        db.ReconciliationStates.Update(state);
        await db.SaveChangesAsync(cancellationToken);
    }

    private sealed record SweepStretch(int Tenants, int Restored, int Missing, int Failed, bool Completed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Full reconciliation sweep started: at most {CallsPerPass} vault calls per pass, passes {PassSeconds} s apart")]
    private static partial void LogSweepStarted(ILogger logger, int callsPerPass, double passSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Full reconciliation sweep completed: {Tenants} tenant(s) checked, {Restored} version(s) restored, {Missing} newly missing from the store, {Failed} tenant(s) failed, in {Minutes:0} min")]
    private static partial void LogSweepCompleted(ILogger logger, int tenants, int restored, int missing, int failed, double minutes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Another instance took the reconciliation lease during a pass; this instance stopped")]
    private static partial void LogLeaseLost(ILogger logger);
}
