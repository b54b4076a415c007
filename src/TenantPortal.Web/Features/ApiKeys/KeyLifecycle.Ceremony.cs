using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.Infrastructure.Text;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>
/// The audited ceremony every change runs: take the key lock, re-read, audit "requested" (fail closed), the store calls,
/// then one commit that records the outcome, or the failure.
/// </summary>
public sealed partial class KeyLifecycle
{
    /// <summary>The ceremony's own message <paramref name="key"/>: in the reader's language, or English when nobody reads it (background work).</summary>
    private string Say(Ceremony c, string key, params object[] arguments) => c.InEnglish ? text.English(key, arguments) : text[key, arguments];

    private async Task<KeyChangeResult> RunAsync(Ceremony c, CancellationToken cancellationToken)
    {
        var name = SecretName.ForTenant(c.TenantId);
        TenantKeyLock? held;
        try
        {
            held = await locks.AcquireAsync(c.TenantId, c.Wait ?? locks.Options.Wait, cancellationToken);
        }
        catch (Exception ex) when (ex is DbException or RetryLimitExceededException)
        {
            // RetryLimitExceededException: SQL Server's retrying strategy gave up (an outage longer than its retries).
            LogDatabaseFailed(logger, ex, name.Value, c.CorrelationId);
            return new KeyChangeResult(KeyChangeOutcome.Failed, Say(c, "DatabaseDidNotAnswer"));
        }

        if (held is null)
        {
            if (c.AuditsRequest)
            {
                await audit.TryAppendAsync(audit.Create(c.Actor, c.Action, AuditOutcome.Failed, c.TenantId, c.CorrelationId, name.Value,
                    reason: "Another change to this key was in progress"), cancellationToken);
            }

            return new KeyChangeResult(KeyChangeOutcome.Busy, Say(c, "Busy"));
        }

        await using (held)
        {
            return await RunHeldAsync(c, name, held, cancellationToken);
        }
    }

    private async Task<KeyChangeResult> RunHeldAsync(Ceremony c, SecretName name, TenantKeyLock held, CancellationToken cancellationToken)
    {
        // The state as it is now that no other change can move it.
        KeyState? state;
        try
        {
            state = await LoadAsync(c.TenantId, c.Version, c.ActsForTheTenant ? c.Actor.EntraTenantId : null, cancellationToken);
        }
        catch (Exception ex) when (ex is DbException or RetryLimitExceededException)
        {
            // Nothing was asked of the store and nothing audited yet; the lock is given back (or lapses).
            LogStateReadFailed(logger, ex, name.Value, c.CorrelationId);
            return new KeyChangeResult(KeyChangeOutcome.Failed, Say(c, "DatabaseDidNotAnswer"));
        }

        if (state is null || (c.ActsForTheTenant && !state.ManagedByActor))
        {
            // The tenant was renamed, or the actor's directory removed from it, while this change waited.
            return new KeyChangeResult(KeyChangeOutcome.NotFound, Say(c, "TenantNotFound"));
        }

        var action = c.ActionFor?.Invoke(state) ?? c.Action;
        if (c.Refusal(state) is { } refusal)
        {
            if (c.AuditsRequest)
            {
                await audit.TryAppendAsync(audit.Create(c.Actor, action, AuditOutcome.Failed, c.TenantId, c.CorrelationId, name.Value, reason: refusal.English), cancellationToken);
            }

            return new KeyChangeResult(KeyChangeOutcome.Conflict, refusal.Text);
        }

        if (c.AuditsRequest)
        {
            try
            {
                await audit.AppendAsync(audit.Create(c.Actor, action, AuditOutcome.Requested, c.TenantId, c.CorrelationId, name.Value,
                    c.RequestedVersion?.Invoke(state), c.Reason), cancellationToken);
            }
            catch (AuditUnavailableException)
            {
                return new KeyChangeResult(KeyChangeOutcome.Failed, Say(c, c.Cause == KeyEvent.Submit ? "AuditUnavailableForSubmit" : "AuditUnavailable"));
            }
        }

        var calls = new StoreCalls(store, locks, held, name);
        StoreView view;
        try
        {
            view = await c.StoreAsync(state, calls, cancellationToken);
        }
        catch (Exception ex) when (ex is SecretStoreException or KeyLockLostException)
        {
            LogStoreFailed(logger, ex, name.Value, action, c.CorrelationId);
            var reason = ex switch
            {
                KeyLockLostException => "The key lock lapsed before the secret store was called",
                SecretStoreException { IsRetryable: true } => "Secret store unavailable",
                _ => "Secret store refused the change",
            };
            AuditEvent Failed(Applied _) => audit.Create(c.Actor, action, AuditOutcome.Failed, c.TenantId, c.CorrelationId, name.Value, reason: reason);

            // Record what the store did before it failed (a revoke half done), or at least the failure; after a store
            // call nothing the caller cancels may stop that record.
            if (ex is KeyLockLostException || await calls.TryListAsync(CancellationToken.None) is not { } partial
                || await CommitAsync(held, c.TenantId, c.Version, partial, c.CorrelationId, _ => new Applied(null, null, null), Failed, CancellationToken.None) is null)
            {
                await audit.TryAppendAsync(Failed(new Applied(null, null, null)), CancellationToken.None);
            }

            return new KeyChangeResult(KeyChangeOutcome.Failed, ex is SecretStoreException storeFailure && c.StoreFailedMessage is { } message
                ? message(storeFailure)
                : Say(c, "StoreDidNotConfirm"));
        }

        Applied? applied = null;
        var committed = await CommitAsync(held, c.TenantId, c.Version, view, c.CorrelationId, change =>
        {
            applied = c.Apply(change);
            return applied;
        }, outcome => audit.Create(c.Actor, action, outcome.Problem is null ? AuditOutcome.Succeeded : AuditOutcome.Failed, c.TenantId, c.CorrelationId,
            name.Value, outcome.Version, outcome.Problem?.English ?? c.Reason, changes: outcome.Changes), CancellationToken.None);
        if (committed is null)
        {
            var written = c.WrittenVersion?.Invoke();
            if (written is not null && await calls.LockLostAsync() && !await IsRecordedAsync(c.TenantId, written))
            {
                // Another change took the lapsed lock and may have recorded its own version: take this late write back
                // out of service rather than let it displace what that change told its user.
                await calls.TryWithdrawAsync(written);
            }

            await audit.TryAppendAsync(audit.Create(c.Actor, action, AuditOutcome.Failed, c.TenantId, c.CorrelationId, name.Value, written ?? applied?.Version,
                reason: "Changed in the secret store but the metadata could not be recorded"), CancellationToken.None);
            return new KeyChangeResult(KeyChangeOutcome.Failed, c.UnrecordedMessage?.Invoke(applied) ?? Say(c, "Unrecorded", c.CorrelationId))
            {
                InDoubtVersion = written,
            };
        }

        if (committed.Applied.Problem is { } problem)
        {
            return new KeyChangeResult(KeyChangeOutcome.Failed, Say(c, "StoreShowsOtherwise", c.InEnglish ? problem.English : problem.Text));
        }

        LogChanged(logger, action, name.Value, committed.Applied.Version ?? "-", c.CorrelationId);
        return new KeyChangeResult(KeyChangeOutcome.Done, c.Message(committed.Applied, state),
            committed.Applied.Row is { } row ? ApiKeyVersionSummary.From(row) : null);
    }

    /// <summary>Whether the database records <paramref name="version"/> (a commit that landed although its acknowledgement was lost).</summary>
    private async Task<bool> IsRecordedAsync(string tenantId, string version)
    {
        try
        {
            await using var db = contexts.CreateDbContext();
            return await db.ApiKeyVersions.AnyAsync(v => v.TenantId == tenantId && v.StoreVersionId == version, CancellationToken.None);
        }
        catch (Exception ex) when (ex is DbException or RetryLimitExceededException)
        {
            return true; // cannot tell: leave the version for reconciliation rather than withdraw what may be recorded
        }
    }

    /// <summary>
    /// One transaction: proves the lock is still held, applies the change to the rows it can move (and <paramref name="named"/>,
    /// the version the change is about), settles them against the store and appends the outcome (and any drift found) to the audit chain. A concurrent audit append moves the
    /// chain head; the whole unit is then redone from a fresh read. A replay after a commit whose acknowledgement was
    /// lost (SQL Server's retrying strategy) finds its own audit rows and changes nothing. Null when it could not be recorded.
    /// </summary>
    private async Task<Committed?> CommitAsync(
        TenantKeyLock held, string tenantId, string? named, StoreView view, string correlationId, Func<KeyCommit, Applied> apply, Func<Applied, AuditEvent>? outcome,
        CancellationToken cancellationToken)
    {
        var name = SecretName.ForTenant(tenantId);
        var executions = 0;
        Applied? lastApplied = null;
        for (var attempt = 1; attempt <= CommitAttempts; attempt++)
        {
            try
            {
                await using var strategyContext = contexts.CreateDbContext();
                return await strategyContext.Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
                {
                    await using var db = contexts.CreateDbContext();
                    // A failed save fails the whole unit, which is redone from a fresh context: no savepoint around each
                    // save (two statements more per save, run while SQLite's one writer is held).
                    db.Database.AutoSavepointsEnabled = false;
                    // The versions are read before the transaction, so that SQLite's one writer is not held while a long
                    // history loads: only changes under the key lock move them, and the lease proven below shows it was
                    // held throughout (a change that took it over would have left another holder).
                    var all = new List<ApiKeyVersion>();
                    await foreach (var version in HistoryQuery(db, tenantId).WithCancellation(ct))
                    {
                        all.Add(version);
                    }

                    await using var transaction = await db.Database.BeginTransactionAsync(ct);
                    // A replay whose first execution landed changes nothing. It landed only if it gave the lock back (the release
                    // commits with it) and wrote its outcome; a rolled-back try leaves the lock ours, whatever else the chain holds
                    // under this correlation id (the verification probe's rows).
                    if (++executions > 1 && lastApplied is not null
                        && !await db.Tenants.AnyAsync(t => t.Id == tenantId && t.KeyLockHolder == held.Holder, ct)
                        && await db.AuditEvents.AnyAsync(e => e.CorrelationId == correlationId && e.TenantId == tenantId
                            && e.Outcome != AuditOutcome.Requested && e.Action != AuditActions.ApiKeyVerify, ct))
                    {
                        held.ReleasedWithCommit = true;
                        return new Committed(lastApplied, 0, 0);
                    }

                    // Nothing runs under the lock after this commit: the lease is proven and given back inside it.
                    if (!await locks.ConfirmAndReleaseAsync(db, held, ct))
                    {
                        LogLockLost(logger, name.Value, correlationId);
                        return null;
                    }

                    // The tenant inside it (its contacts and policy are edited without the key lock), with its audit chain's head.
                    var tenant = (await TenantQuery(db, tenantId, ct)).Tenant;
                    var rows = KeyCommit.ThatCanMove(all, view, named);
                    db.ApiKeyVersions.AttachRange(rows);
                    var change = new KeyCommit(db, tenant, rows, all.Select(v => v.StoreVersionId).ToHashSet(StringComparer.Ordinal), view, time.GetUtcNow());
                    var applied = apply(change);
                    lastApplied = applied;
                    if (change.PromotesRecordedVersion)
                    {
                        // Both the demoted row and the promoted one are updates, which EF Core orders by key, not by the
                        // one-Current index: the demotions go first, in a save of their own.
                        await db.SaveChangesAsync(ct);
                    }

                    change.ApplyAfterDemotions();
                    var findings = view.IsListed ? await SettleAsync(change, ct) : new Findings();
                    foreach (var finding in findings.Events)
                    {
                        await AuditTrail.ChainAsync(db, audit.Create(PortalActor.System, finding.Action, finding.Outcome, tenantId, correlationId, name.Value,
                            finding.Version, finding.Reason), ct);
                    }

                    if (outcome is not null)
                    {
                        await AuditTrail.ChainAsync(db, outcome(applied), ct);
                    }

                    await db.SaveChangesAsync(ct);
                    await transaction.CommitAsync(ct);
                    held.ReleasedWithCommit = true;
                    return new Committed(applied, findings.Restored, findings.Missing);
                }, cancellationToken);
            }
            catch (Exception ex) when (ex is DbUpdateException or DbException or RetryLimitExceededException or InvalidOperationException)
            {
                // A moved chain head (retry from a fresh read), a busy database, or a transition the table refuses: never to the circuit.
                LogCommitFailed(logger, ex, name.Value, attempt, correlationId);
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Action} on {SecretName} version {Version} recorded (correlation {CorrelationId})")]
    private static partial void LogChanged(ILogger logger, string action, string secretName, string version, string correlationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Secret store did not confirm {Action} on {SecretName} (correlation {CorrelationId})")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string secretName, string action, string correlationId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record the metadata of a change to {SecretName} (attempt {Attempt}, correlation {CorrelationId})")]
    private static partial void LogCommitFailed(ILogger logger, Exception exception, string secretName, int attempt, string correlationId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The portal's database did not answer while taking the key lock on {SecretName} (correlation {CorrelationId})")]
    private static partial void LogDatabaseFailed(ILogger logger, Exception exception, string secretName, string correlationId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The portal's database did not answer while reading the state of {SecretName} under its key lock (correlation {CorrelationId})")]
    private static partial void LogStateReadFailed(ILogger logger, Exception exception, string secretName, string correlationId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The key lock on {SecretName} lapsed and was taken over before the change could be recorded (correlation {CorrelationId})")]
    private static partial void LogLockLost(ILogger logger, string secretName, string correlationId);

    /// <summary>One change: who, what, and the steps of the audited ceremony (requested → store → succeeded or failed).</summary>
    private sealed record Ceremony(PortalActor Actor, string TenantId, string Action, string CorrelationId, KeyEvent Cause)
    {
        public TimeSpan? Wait { get; init; }

        /// <summary>A version the change is about, loaded whatever its status (the live ones always are).</summary>
        public string? Version { get; init; }

        public bool AuditsRequest { get; init; } = true;

        public string? Reason { get; init; }

        public Func<KeyState, string>? ActionFor { get; init; }

        /// <summary>Why the key's state does not allow the change: shown to the caller and audited (in English).</summary>
        public required Func<KeyState, LocalizedMessage?> Refusal { get; init; }

        /// <summary>Background work that nobody reads the result of: its messages are English whatever the thread's culture.</summary>
        public bool InEnglish { get; init; }

        public Func<KeyState, string?>? RequestedVersion { get; init; }

        public required Func<KeyState, StoreCalls, CancellationToken, Task<StoreView>> StoreAsync { get; init; }

        /// <summary>For a change a tenant's own user or automation makes: its directory must still manage the tenant under the lock.</summary>
        public bool ActsForTheTenant { get; init; }

        /// <summary>The version this change wrote to the store, if it wrote one (for the record when the commit fails).</summary>
        public Func<string?>? WrittenVersion { get; init; }

        public required Func<KeyCommit, Applied> Apply { get; init; }

        public required Func<Applied, KeyState, string> Message { get; init; }

        public Func<Applied?, string>? UnrecordedMessage { get; init; }

        public Func<SecretStoreException, string>? StoreFailedMessage { get; init; }
    }

    /// <summary>
    /// The tenant (its directories not loaded) and its live versions (Current, Previous, Pending), with the one the
    /// ceremony names; and whether the acting user's directory still manages the tenant.
    /// </summary>
    private sealed record KeyState(Tenant Tenant, List<ApiKeyVersion> Rows, bool ManagedByActor);

    private sealed record Committed(Applied Applied, int Restored, int Missing);

    private sealed class Findings
    {
        public List<(string Action, AuditOutcome Outcome, string Version, string Reason)> Events { get; } = [];

        public int Restored { get; set; }

        public int Missing { get; set; }

        public void Add(string action, AuditOutcome outcome, string version, string reason) => Events.Add((action, outcome, version, reason));
    }
}
