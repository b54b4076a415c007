using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>
/// The one owner of a tenant key's life: submit (and rotate), restore previous, revoke, end of grace, offboard and
/// reconciliation are transitions here and nowhere else, each moving versions through <see cref="KeyTransitions"/>.
/// Every change holds the tenant's key lock (<see cref="TenantKeyLocks"/>) across its store write and its metadata
/// commit, re-reads the state once it holds it, and records only what the store confirms. Every commit ends with
/// <see cref="SettleAsync"/>, so that the metadata's Current is, by construction, the newest enabled store version: the
/// one the backend's KeyReader serves. Callers authorize and validate input first; this class checks the key's state.
/// </summary>
public sealed partial class KeyLifecycle(
    IDbContextFactory<PortalDbContext> contexts,
    ISecretStore store,
    TenantKeyLocks locks,
    ApiKeyFingerprints fingerprints,
    AuditTrail audit,
    TimeProvider time,
    ILogger<KeyLifecycle> logger)
{
    public const string ContentType = "text/plain";
    public const string RestoredByName = "Unknown (restored from the secret store)";

    /// <summary>Rounds of list-then-disable a revoke or offboard makes before it reports that versions stay enabled.</summary>
    public const int SwitchOffRounds = 5;

    private const int CommitAttempts = 5;

    public static string Abbreviated(string version) => version.Length > 8 ? version[..8] : version;

    /// <summary>Stores <paramref name="value"/> as the tenant's new current version (validated and verified by the caller).</summary>
    public async Task<KeyChangeResult> SubmitAsync(PortalActor actor, string tenantId, SecretValue value, string correlationId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        SecretVersionProperties? stored = null;
        var hint = ApiKeyValueRules.MaskedHint(value);
        string fingerprint;
        try
        {
            fingerprint = await fingerprints.ComputeAsync(value, cancellationToken);
        }
        catch (FingerprintKeyUnavailableException)
        {
            // Logged with the path by ApiKeyFingerprints; nothing was audited or written yet.
            return new KeyChangeResult(KeyChangeOutcome.Failed,
                "The portal cannot read the key it fingerprints API keys with (its Data Protection key ring changed), so the key was not stored. " +
                "Nothing was changed; an operator must restore the key ring.");
        }

        return await RunAsync(new Ceremony(actor, tenantId, AuditActions.ApiKeySubmit, correlationId, KeyEvent.Submit)
        {
            ActsForTheTenant = true,
            // A submit to a key that has a current version is a rotation, decided once the lock is held.
            ActionFor = state => state.Rows.Any(v => v.Status == ApiKeyVersionStatus.Current) ? AuditActions.ApiKeyRotate : AuditActions.ApiKeySubmit,
            Refusal = state => state.Tenant.IsOffboarded ? "The tenant was offboarded, so the key was not stored." : null,
            WrittenVersion = () => stored?.Version,
            StoreAsync = async (state, calls, ct) =>
            {
                var dueAt = RotationSchedule.DueAt(time.GetUtcNow(), state.Tenant.RotationIntervalDays);
                // Enough metadata to rebuild the version's record from the store alone (reconciliation); never a name or e-mail.
                var tags = new Dictionary<string, string>
                {
                    [ApiKeyTags.TenantId] = state.Tenant.Id,
                    [ApiKeyTags.SetByTenantId] = actor.EntraTenantId.ToString(),
                    [ApiKeyTags.SetByObjectId] = actor.ObjectId.ToString(),
                    [ApiKeyTags.MaskedHint] = hint,
                    [ApiKeyTags.Fingerprint] = fingerprint,
                };
                stored = await calls.SetAsync(value, new SecretWriteOptions(ContentType, tags, dueAt), ct);
                // The write landed: a listing that fails now must not turn it into "not stored".
                return await calls.TryListAsync(ct) ?? StoreView.Unlisted;
            },
            Apply = change =>
            {
                if (change.Row(stored!.Version) is { } recorded)
                {
                    // A replayed commit (the first one landed, its acknowledgement was lost): nothing moves twice.
                    return new Applied(stored.Version, null, recorded);
                }

                var policy = change.Tenant.Policy;
                var dueAt = stored.ExpiresOn ?? RotationSchedule.DueAt(change.Now, policy.IntervalDays);
                foreach (var v in change.Rows.Where(v => v.StoreVersionId != stored.Version))
                {
                    if (v.Status == ApiKeyVersionStatus.Current)
                    {
                        // The version replaced stays enabled for the grace period.
                        v.MoveTo(KeyEvent.Submit, ApiKeyVersionStatus.Previous, change.Now);
                        v.GraceEndsAt = change.Now.AddDays(policy.GracePeriodDays);
                        v.NextNoticeAt = null;
                    }
                    else if (v.Status is ApiKeyVersionStatus.Previous or ApiKeyVersionStatus.Pending)
                    {
                        // One still in grace from an earlier rotation loses the rest of it: the monitor disables it next.
                        v.MoveTo(KeyEvent.Submit, ApiKeyVersionStatus.Superseded, change.Now);
                        v.GraceEndsAt = Earliest(v.GraceEndsAt, change.Now);
                        v.NextNoticeAt = null;
                    }
                }

                var version = new ApiKeyVersion
                {
                    TenantId = change.Tenant.Id,
                    StoreVersionId = stored.Version,
                    Status = ApiKeyVersionStatus.Current,
                    CreatedAt = change.Now,
                    ExpiresAt = dueAt,
                    DueSoonAt = RotationSchedule.DueSoonAt(dueAt, policy.ReminderLeadDays),
                    NextNoticeAt = RotationSchedule.NextNoticeAt(dueAt, policy.ReminderLeadDays, change.Now),
                    StatusChangedAt = change.Now,
                    CreatedByTenantId = actor.EntraTenantId,
                    CreatedByObjectId = actor.ObjectId,
                    CreatedByName = actor.DisplayName.Length > 200 ? actor.DisplayName[..200] : actor.DisplayName,
                    MaskedHint = hint,
                    Fingerprint = fingerprint,
                };
                change.AddAfterDemotions(version);
                return new Applied(stored.Version, null, version);
            },
            Message = (applied, _) =>
                $"API key stored as version {Abbreviated(applied.Version!)}. The previous version, if any, is now marked Previous.",
            UnrecordedMessage = _ =>
                $"The key reached the secret store as version {Abbreviated(stored!.Version)}, but the portal could not record it. " +
                $"It has been logged for an operator to reconcile (correlation id {correlationId}); there is no need to submit it again.",
            StoreFailedMessage = ex => ex.IsRetryable
                ? "The secret store did not confirm the write, so the key was not stored. Nothing was changed; please try again in a moment."
                : $"The secret store refused the key: {ex.Message} Nothing was changed.",
        }, cancellationToken);
    }

    /// <summary>
    /// Makes the previous version current again while its grace period lasts, by disabling the current one in the store
    /// (the portal never re-writes or reads an old value; the backend reads the newest enabled version).
    /// </summary>
    public Task<KeyChangeResult> RestorePreviousAsync(PortalActor actor, string tenantId, string correlationId, CancellationToken cancellationToken)
    {
        ApiKeyVersion? current = null, previous = null;
        return RunAsync(new Ceremony(actor, tenantId, AuditActions.ApiKeyRestore, correlationId, KeyEvent.Restore)
        {
            ActsForTheTenant = true,
            Refusal = state =>
            {
                var now = time.GetUtcNow();
                current = state.Rows.FirstOrDefault(v => v.Status == ApiKeyVersionStatus.Current);
                previous = state.Rows.FirstOrDefault(v => v.Status == ApiKeyVersionStatus.Previous && v.DisabledInStoreAt is null && v.GraceEndsAt > now);
                return current is null || previous is null
                    ? "There is no previous version to restore: it can be restored only while its grace period lasts. Submit a new key instead."
                    : null;
            },
            RequestedVersion = _ => previous!.StoreVersionId,
            StoreAsync = async (_, calls, ct) =>
            {
                // Never leave the tenant with nothing enabled: the version to bring back must still be enabled in the store.
                var before = await calls.ListAsync(ct);
                if (!before.IsEnabled(previous!.StoreVersionId))
                {
                    return before;
                }

                await calls.DisableAsync(current!.StoreVersionId, ct);
                return await calls.TryListAsync(ct) ?? StoreView.Unlisted;
            },
            Apply = change =>
            {
                var demoted = change.Row(current!.StoreVersionId);
                var restored = change.Row(previous!.StoreVersionId);
                if (demoted is { Status: ApiKeyVersionStatus.Disabled } && restored is { Status: ApiKeyVersionStatus.Current })
                {
                    return new Applied(restored.StoreVersionId, null, restored); // a replayed commit
                }

                if (demoted is null || restored is null
                    || (change.Store.IsListed && (change.Store.IsEnabled(demoted.StoreVersionId) || !change.Store.IsEnabled(restored.StoreVersionId))))
                {
                    // The store does not show what the restore needs; Settle records what it does show.
                    return new Applied(null, "The previous version is no longer enabled in the secret store, so nothing was restored", null);
                }

                demoted.MoveTo(KeyEvent.Restore, ApiKeyVersionStatus.Disabled, change.Now);
                demoted.DisabledInStoreAt = change.Now;
                demoted.NextNoticeAt = null;
                change.PromoteAfterDemotions(restored, KeyEvent.Restore);
                return new Applied(restored.StoreVersionId, null, restored,
                    $"Current: {Abbreviated(demoted.StoreVersionId)} → {Abbreviated(restored.StoreVersionId)}; {Abbreviated(demoted.StoreVersionId)} disabled");
            },
            Message = (applied, _) =>
                $"Version {Abbreviated(previous!.StoreVersionId)} is current again; version {Abbreviated(current!.StoreVersionId)} is disabled in the vault.",
        }, cancellationToken);
    }

    /// <summary>
    /// Emergency revoke: disables every enabled version in the store (the current one, any still in grace, any the
    /// database never recorded), listing again until the store shows none enabled; then the tenant is Revoked until a
    /// new key arrives. The reason is the admin's own words, audited. The backend's KeyReader notices when its cached
    /// copy expires (its CacheTtl; its MaxStaleness while the vault is unreachable), or after its Invalidate: the
    /// message says so rather than promise that the key stops at once.
    /// </summary>
    public Task<KeyChangeResult> RevokeAsync(PortalActor actor, string tenantId, string reason, string correlationId, CancellationToken cancellationToken)
    {
        var disabled = new List<string>();
        return RunAsync(new Ceremony(actor, tenantId, AuditActions.ApiKeyRevoke, correlationId, KeyEvent.Revoke)
        {
            ActsForTheTenant = true,
            Reason = reason,
            // An emergency action is not refused on metadata: whatever the store has enabled is switched off.
            Refusal = _ => null,
            StoreAsync = (_, calls, ct) => SwitchOffAsync(calls, disabled, ct),
            Apply = change =>
            {
                var revoked = SwitchOff(change, KeyEvent.Revoke, reason);
                if (revoked is not null)
                {
                    RotationNotices.Add(change.Db, change.Tenant, revoked.StoreVersionId, RotationNoticeKind.Revoked, 0, revoked.ExpiresAt, change.Now);
                }

                return new Applied(revoked?.StoreVersionId, null, revoked, $"{disabled.Count} version(s) disabled in the store");
            },
            Message = (_, state) =>
                $"The key is revoked: {disabled.Count} version(s) disabled in the vault. The SaaS backend stops using it when its cached copy " +
                "expires: within its CacheTtl (5 minutes by default), or up to its MaxStaleness (1 hour by default) while it cannot reach the vault; " +
                $"sooner after ITenantApiKeyProvider.Invalidate(\"{state.Tenant.Id}\") in each backend instance. " +
                "Then the SaaS cannot call the provider for this tenant until a new key is submitted.",
            StoreFailedMessage = _ =>
                $"The secret store did not confirm the change, so the key is not revoked yet. {disabled.Count} version(s) were disabled before it failed; revoke again to finish.",
        }, cancellationToken);
    }

    /// <summary>
    /// Offboarding: every enabled version is disabled in the store, confirmed as for a revoke, and the tenant is marked
    /// offboarded with its reason in the same commit. Its metadata and audit history stay.
    /// </summary>
    public Task<KeyChangeResult> OffboardAsync(PortalActor actor, string tenantId, string reason, string correlationId, CancellationToken cancellationToken)
    {
        var disabled = new List<string>();
        return RunAsync(new Ceremony(actor, tenantId, AuditActions.TenantOffboard, correlationId, KeyEvent.Offboard)
        {
            Reason = reason,
            Refusal = state => state.Tenant.IsOffboarded ? $"{state.Tenant.DisplayName} was already offboarded on {state.Tenant.OffboardedAt:yyyy-MM-dd}." : null,
            StoreAsync = (_, calls, ct) => SwitchOffAsync(calls, disabled, ct),
            Apply = change =>
            {
                SwitchOff(change, KeyEvent.Offboard, revokeReason: null);
                change.Tenant.OffboardedAt = change.Now;
                change.Tenant.OffboardReason = reason;
                return new Applied(null, null, null, $"Offboarded; {disabled.Count} key version(s) disabled in the store");
            },
            Message = (_, state) =>
                $"{state.Tenant.DisplayName} is offboarded: its users can no longer sign in, and {disabled.Count} key version(s) were disabled in the vault.",
            StoreFailedMessage = _ =>
                $"The secret store did not confirm disabling every key version ({disabled.Count} disabled so far), so the tenant is not offboarded yet. " +
                "Its users can still sign in. Try again: versions already disabled stay disabled.",
        }, cancellationToken);
    }

    /// <summary>
    /// The rotation monitor's end of grace for one version: disabled in the store, then Superseded. Background work
    /// does not wait: when another change holds the key, or the version no longer needs it, nothing happens now.
    /// </summary>
    public Task<KeyChangeResult> EndGraceAsync(string tenantId, string storeVersionId, CancellationToken cancellationToken) =>
        RunAsync(new Ceremony(PortalActor.System, tenantId, AuditActions.ApiKeyPreviousDisabled, AuditTrail.NewCorrelationId(), KeyEvent.GraceEnded)
        {
            Wait = TimeSpan.Zero,
            AuditsRequest = false,
            Reason = "Grace period ended",
            Refusal = state => state.Rows.FirstOrDefault(v => v.StoreVersionId == storeVersionId) is { GraceEndsAt: { } ends, DisabledInStoreAt: null } && ends <= time.GetUtcNow()
                ? null
                : "The version's grace period has not ended, or it is already disabled.",
            StoreAsync = async (_, calls, ct) =>
            {
                await calls.DisableAsync(storeVersionId, ct);
                return await calls.TryListAsync(ct) ?? StoreView.Unlisted;
            },
            Apply = change =>
            {
                if (change.Row(storeVersionId) is { DisabledInStoreAt: not null } done)
                {
                    return new Applied(done.StoreVersionId, null, done); // a replayed commit
                }

                if (change.Row(storeVersionId) is not { } v || (change.Store.IsListed && change.Store.IsEnabled(storeVersionId)))
                {
                    return new Applied(null, "The secret store did not confirm disabling the version", null);
                }

                v.MoveTo(KeyEvent.GraceEnded, ApiKeyVersionStatus.Superseded, change.Now);
                v.DisabledInStoreAt = change.Now;
                v.GraceEndsAt = null;
                RotationNotices.Add(change.Db, change.Tenant, v.StoreVersionId, RotationNoticeKind.PreviousDisabled, 0, v.ExpiresAt, change.Now);
                return new Applied(v.StoreVersionId, null, v);
            },
            Message = (applied, _) => $"Version {Abbreviated(applied.Version!)} is disabled: its grace period ended.",
        }, cancellationToken);

    /// <summary>
    /// Makes the tenant's metadata agree with the store: records versions it holds but the database lacks (from their
    /// tags), flags versions missing from it or enabled in it although disabled here, follows versions it disabled, and
    /// ranks what it serves. Does not wait: when another change holds the key, it is skipped until the next pass.
    /// </summary>
    public async Task<ReconcileOutcome> ReconcileAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var held = await locks.AcquireAsync(tenantId, TimeSpan.Zero, cancellationToken);
        if (held is null)
        {
            return ReconcileOutcome.Busy;
        }

        var view = await ListAsync(SecretName.ForTenant(tenantId), cancellationToken);
        var findings = await CommitAsync(held, tenantId, view, AuditTrail.NewCorrelationId(), _ => new Applied(null, null, null), outcome: null, cancellationToken);
        return findings is null ? ReconcileOutcome.Failed : new ReconcileOutcome(true, findings.Restored, findings.Missing);
    }

    /// <summary>Whether the store has any enabled version of the tenant's key (one listing, values never read).</summary>
    public async Task<bool> StoreServesAnyAsync(string tenantId, CancellationToken cancellationToken) =>
        (await ListAsync(SecretName.ForTenant(tenantId), cancellationToken)).NewestEnabled is not null;

    /// <summary>Whether the store holds any version at all of <paramref name="tenantId"/>'s key.</summary>
    public async Task<bool> StoreHoldsAnyAsync(string tenantId, CancellationToken cancellationToken) =>
        (await ListAsync(SecretName.ForTenant(tenantId), cancellationToken)).Versions.Count > 0;

    private async Task<KeyChangeResult> RunAsync(Ceremony c, CancellationToken cancellationToken)
    {
        var name = SecretName.ForTenant(c.TenantId);
        TenantKeyLock? held;
        try
        {
            held = await locks.AcquireAsync(c.TenantId, c.Wait ?? locks.Options.Wait, cancellationToken);
        }
        catch (DbException ex)
        {
            LogDatabaseFailed(logger, ex, name.Value, c.CorrelationId);
            return new KeyChangeResult(KeyChangeOutcome.Failed, "The portal's database did not answer, so nothing was changed. Please try again in a moment.");
        }

        if (held is null)
        {
            if (c.AuditsRequest)
            {
                await audit.TryAppendAsync(audit.Create(c.Actor, c.Action, AuditOutcome.Failed, c.TenantId, c.CorrelationId, name.Value,
                    reason: "Another change to this key was in progress"), cancellationToken);
            }

            return new KeyChangeResult(KeyChangeOutcome.Busy, "Another change to this key is in progress; nothing was changed. Please try again in a moment.");
        }

        await using (held)
        {
            return await RunHeldAsync(c, name, held, cancellationToken);
        }
    }

    private async Task<KeyChangeResult> RunHeldAsync(Ceremony c, SecretName name, TenantKeyLock held, CancellationToken cancellationToken)
    {
        // The state as it is now that no other change can move it.
        var state = await LoadAsync(c.TenantId, cancellationToken);
        if (state is null || (c.ActsForTheTenant && !state.Tenant.IsManagedFrom(c.Actor.EntraTenantId)))
        {
            // The tenant was renamed, or the actor's directory removed from it, while this change waited.
            return KeyChangeResult.NotFound;
        }

        var action = c.ActionFor?.Invoke(state) ?? c.Action;
        if (c.Refusal(state) is { } refusal)
        {
            if (c.AuditsRequest)
            {
                await audit.TryAppendAsync(audit.Create(c.Actor, action, AuditOutcome.Failed, c.TenantId, c.CorrelationId, name.Value, reason: refusal), cancellationToken);
            }

            return new KeyChangeResult(KeyChangeOutcome.Invalid, refusal);
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
                return new KeyChangeResult(KeyChangeOutcome.Failed, c.Cause == KeyEvent.Submit
                    ? "The audit trail is unavailable, so the key was not stored. Nothing was changed; please try again later."
                    : "The audit trail is unavailable, so nothing was changed. Please try again later.");
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
            if (ex is KeyLockLostException || await TryListAsync(name, CancellationToken.None) is not { } partial
                || await CommitAsync(held, c.TenantId, partial, c.CorrelationId, _ => new Applied(null, null, null), Failed, CancellationToken.None) is null)
            {
                await audit.TryAppendAsync(Failed(new Applied(null, null, null)), CancellationToken.None);
            }

            return new KeyChangeResult(KeyChangeOutcome.Failed, ex is SecretStoreException storeFailure && c.StoreFailedMessage is { } message
                ? message(storeFailure)
                : "The secret store did not confirm the change, so the portal recorded nothing. Please try again in a moment.");
        }

        Applied? applied = null;
        var committed = await CommitAsync(held, c.TenantId, view, c.CorrelationId, change =>
        {
            applied = c.Apply(change);
            return applied;
        }, outcome => audit.Create(c.Actor, action, outcome.Problem is null ? AuditOutcome.Succeeded : AuditOutcome.Failed, c.TenantId, c.CorrelationId,
            name.Value, outcome.Version, outcome.Problem ?? c.Reason, changes: outcome.Changes), CancellationToken.None);
        if (committed is null)
        {
            var written = c.WrittenVersion?.Invoke();
            if (written is not null && await calls.LockLostAsync())
            {
                // Another change took the lapsed lock and may have recorded its own version: take this late write back
                // out of service rather than let it displace what that change told its user.
                await calls.TryWithdrawAsync(written);
            }

            await audit.TryAppendAsync(audit.Create(c.Actor, action, AuditOutcome.Failed, c.TenantId, c.CorrelationId, name.Value, written ?? applied?.Version,
                reason: "Changed in the secret store but the metadata could not be recorded"), CancellationToken.None);
            return new KeyChangeResult(KeyChangeOutcome.Failed, c.UnrecordedMessage?.Invoke(applied) ??
                $"The secret store made the change, but the portal could not record it. It has been logged for an operator to reconcile (correlation id {c.CorrelationId}).");
        }

        if (committed.Applied.Problem is { } problem)
        {
            return new KeyChangeResult(KeyChangeOutcome.Failed, $"{problem}; the page shows what the store holds now. Please try again.");
        }

        LogChanged(logger, action, name.Value, committed.Applied.Version ?? "-", c.CorrelationId);
        return new KeyChangeResult(KeyChangeOutcome.Done, c.Message(committed.Applied, state),
            committed.Applied.Row is { } row ? ApiKeyVersionSummary.From(row) : null);
    }

    /// <summary>
    /// One transaction: proves the lock is still held, applies the change to the tracked rows, settles them against the
    /// store and appends the outcome (and any drift found) to the audit chain. A concurrent audit append moves the
    /// chain head; the whole unit is then redone from a fresh read. A replay after a commit whose acknowledgement was
    /// lost (SQL Server's retrying strategy) finds its own audit rows and changes nothing. Null when it could not be recorded.
    /// </summary>
    private async Task<Committed?> CommitAsync(
        TenantKeyLock held, string tenantId, StoreView view, string correlationId, Func<KeyCommit, Applied> apply, Func<Applied, AuditEvent>? outcome,
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
                    await using var transaction = await db.Database.BeginTransactionAsync(ct);
                    if (!await locks.ConfirmAsync(db, held, ct))
                    {
                        LogLockLost(logger, name.Value, correlationId);
                        return null;
                    }

                    if (++executions > 1 && lastApplied is not null
                        && await db.AuditEvents.AnyAsync(e => e.CorrelationId == correlationId && e.Outcome != AuditOutcome.Requested && e.TenantId == tenantId, ct))
                    {
                        return new Committed(lastApplied, 0, 0);
                    }

                    var tenant = await db.Tenants.Include(t => t.Contacts).FirstAsync(t => t.Id == tenantId, ct);
                    var rows = await db.ApiKeyVersions.Where(v => v.TenantId == tenantId).ToListAsync(ct);
                    var change = new KeyCommit(db, tenant, rows, view, time.GetUtcNow());
                    var applied = apply(change);
                    lastApplied = applied;
                    await db.SaveChangesAsync(ct);
                    await change.PromoteAsync(ct);
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

    /// <summary>
    /// Makes the tracked rows agree with <see cref="KeyCommit.Store"/>: unknown versions tagged for the tenant are
    /// recorded, missing ones flagged, versions the store disabled follow it, disabled ones it serves again are flagged
    /// (never promoted), and the newest enabled live version becomes Current. Returns what it found, to audit.
    /// </summary>
    private static async Task<Findings> SettleAsync(KeyCommit change, CancellationToken cancellationToken)
    {
        var findings = new Findings();
        var now = change.Now;
        var known = change.Rows.Select(v => v.StoreVersionId).ToHashSet(StringComparer.Ordinal);
        foreach (var stored in change.Store.Versions.Where(v => !known.Contains(v.Version)
            && v.Tags.TryGetValue(ApiKeyTags.TenantId, out var tag) && tag == change.Tenant.Id))
        {
            var row = Restore(change.Tenant, stored, now);
            change.Db.ApiKeyVersions.Add(row);
            change.Rows.Add(row);
            findings.Restored++;
            findings.Add(AuditActions.ReconciliationRestored, AuditOutcome.Succeeded, row.StoreVersionId, "Recorded a version the secret store holds but the database lacked");
        }

        foreach (var v in change.Rows)
        {
            if (!change.Store.Contains(v.StoreVersionId))
            {
                if (v.MissingFromStoreSince is null)
                {
                    v.MissingFromStoreSince = now;
                    findings.Missing++;
                    findings.Add(AuditActions.ReconciliationMissing, AuditOutcome.Failed, v.StoreVersionId, "The secret store does not know this version");
                }

                // The store cannot serve it: it is no longer Current, and the monitor has nothing to disable.
                if (v.Status is ApiKeyVersionStatus.Current or ApiKeyVersionStatus.Pending)
                {
                    v.MoveTo(KeyEvent.Reconcile, ApiKeyVersionStatus.Disabled, now);
                }
                else if (v.Status == ApiKeyVersionStatus.Previous)
                {
                    v.MoveTo(KeyEvent.Reconcile, ApiKeyVersionStatus.Superseded, now);
                }

                v.GraceEndsAt = null;
                v.NextNoticeAt = null;
                continue;
            }

            v.MissingFromStoreSince = null;
            var enabled = change.Store.IsEnabled(v.StoreVersionId);
            if (!enabled && v.IsEnabledInStore)
            {
                // Disabled in the store outside the portal (or by a change that failed part-way): follow the store.
                v.MoveTo(KeyEvent.Reconcile, v.Status is ApiKeyVersionStatus.Previous or ApiKeyVersionStatus.Superseded
                    ? ApiKeyVersionStatus.Superseded : ApiKeyVersionStatus.Disabled, now);
                v.DisabledInStoreAt = now;
                v.GraceEndsAt = null;
                v.NextNoticeAt = null;
                findings.Add(AuditActions.ReconciliationDisabledInStore, AuditOutcome.Succeeded, v.StoreVersionId, "The secret store has this version disabled");
            }
            else if (enabled && !v.IsEnabledInStore)
            {
                if (v.StillEnabledInStoreSince is null)
                {
                    v.StillEnabledInStoreSince = now;
                    findings.Add(AuditActions.ReconciliationEnabledInStore, AuditOutcome.Failed, v.StoreVersionId,
                        $"Enabled in the secret store but {v.Status.ToString().ToLowerInvariant()} here");
                }
            }
            else if (!enabled)
            {
                v.StillEnabledInStoreSince = null;
            }
        }

        // Current = the newest enabled version the store holds that the portal has not switched off: what the backend serves.
        // Key Vault stamps whole seconds; within one, the portal's own (serialized, finer) clock orders its writes.
        var served = change.Rows
            .Where(v => v.IsEnabledInStore && v.MissingFromStoreSince is null && change.Store.IsEnabled(v.StoreVersionId))
            .MaxBy(v => (change.Store.CreatedOn(v.StoreVersionId), v.CreatedAt, change.Store.Position(v.StoreVersionId)));
        var current = change.Rows.FirstOrDefault(v => v.Status == ApiKeyVersionStatus.Current);
        if (served is not null && !ReferenceEquals(served, current))
        {
            if (current is not null)
            {
                current.MoveTo(KeyEvent.Reconcile, ApiKeyVersionStatus.Previous, now);
                current.GraceEndsAt ??= now.AddDays(change.Tenant.GracePeriodDays);
                current.NextNoticeAt = null;
            }

            foreach (var older in change.Rows.Where(v => v.Status == ApiKeyVersionStatus.Previous && !ReferenceEquals(v, current) && !ReferenceEquals(v, served)))
            {
                older.MoveTo(KeyEvent.Reconcile, ApiKeyVersionStatus.Superseded, now);
                older.GraceEndsAt = Earliest(older.GraceEndsAt, now);
            }

            await change.Db.SaveChangesAsync(cancellationToken);
            change.Promote(served, KeyEvent.Reconcile);
        }

        // Anything else still enabled and not in a grace period (a duplicate write, a version found in the store) is
        // disabled by the rotation monitor at its next sweep, so that nothing stays enabled for the reader to fall back to.
        foreach (var v in change.Rows.Where(v => v.Status == ApiKeyVersionStatus.Superseded && v.IsEnabledInStore && v.GraceEndsAt is null
            && change.Store.IsEnabled(v.StoreVersionId)))
        {
            v.GraceEndsAt = now;
        }

        return findings;
    }

    private static ApiKeyVersion Restore(Tenant tenant, SecretVersionProperties v, DateTimeOffset now) => new()
    {
        TenantId = tenant.Id,
        StoreVersionId = v.Version,
        Status = ApiKeyVersionStatus.Superseded,
        CreatedAt = v.CreatedOn ?? now,
        ExpiresAt = v.ExpiresOn,
        DueSoonAt = v.ExpiresOn is { } due ? RotationSchedule.DueSoonAt(due, tenant.ReminderLeadDays) : null,
        StatusChangedAt = now,
        CreatedByTenantId = Guid.TryParse(v.Tags.GetValueOrDefault(ApiKeyTags.SetByTenantId), out var tid) ? tid : Guid.Empty,
        CreatedByObjectId = Guid.TryParse(v.Tags.GetValueOrDefault(ApiKeyTags.SetByObjectId), out var oid) ? oid : Guid.Empty,
        CreatedByName = RestoredByName,
        MaskedHint = v.Tags.GetValueOrDefault(ApiKeyTags.MaskedHint) is { Length: <= 8 } hint ? hint : ApiKeyValueRules.HintMask,
        Fingerprint = v.Tags.GetValueOrDefault(ApiKeyTags.Fingerprint) is { Length: <= 24 } fingerprint ? fingerprint : "",
        // A version the portal never knew is disabled from the start (if its status allows) only by the store itself.
        DisabledInStoreAt = v.Enabled ? null : now,
    };

    /// <summary>Revoke and offboard: each version the store confirms disabled leaves its live status, and its grace.</summary>
    private static ApiKeyVersion? SwitchOff(KeyCommit change, KeyEvent cause, string? revokeReason)
    {
        ApiKeyVersion? revoked = null;
        // Versions missing from the store are switched off too: the store cannot serve them.
        foreach (var v in change.Rows.Where(v => !change.Store.IsEnabled(v.StoreVersionId)))
        {
            if (KeyTransitions.IsLive(v.Status))
            {
                var to = KeyTransitions.SwitchedOff(v.Status, cause);
                if (v.Status == ApiKeyVersionStatus.Current && to == ApiKeyVersionStatus.Revoked)
                {
                    revoked = v;
                    v.RevokeReason = revokeReason;
                }

                v.MoveTo(cause, to, change.Now);
            }

            v.DisabledInStoreAt ??= change.Now;
            v.StillEnabledInStoreSince = null;
            v.GraceEndsAt = null;
            v.NextNoticeAt = null;
        }

        return revoked;
    }

    /// <summary>Disables every enabled version, listing again after each round, until the store shows none enabled.</summary>
    private static async Task<StoreView> SwitchOffAsync(StoreCalls calls, List<string> disabled, CancellationToken cancellationToken)
    {
        for (var round = 1; round <= SwitchOffRounds; round++)
        {
            var view = await calls.ListAsync(cancellationToken);
            var enabled = view.Versions.Where(v => v.Enabled).ToList();
            if (enabled.Count == 0)
            {
                return view;
            }

            foreach (var version in enabled)
            {
                await calls.DisableAsync(version.Version, cancellationToken);
                disabled.Add(version.Version);
            }
        }

        throw new SecretStoreException($"The secret store still lists enabled versions after {SwitchOffRounds} rounds of disabling them.", isRetryable: true);
    }

    private async Task<StoreView> ListAsync(SecretName name, CancellationToken cancellationToken)
    {
        var versions = new List<SecretVersionProperties>();
        await foreach (var version in store.ListVersionsAsync(name, cancellationToken))
        {
            versions.Add(version);
        }

        return new StoreView(versions);
    }

    private async Task<StoreView?> TryListAsync(SecretName name, CancellationToken cancellationToken)
    {
        try
        {
            return await ListAsync(name, cancellationToken);
        }
        catch (SecretStoreException)
        {
            return null;
        }
    }

    private async Task<KeyState?> LoadAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var tenant = await db.Tenants.AsNoTracking().Include(t => t.Directories).FirstOrDefaultAsync(t => t.Id == tenantId, cancellationToken);
        return tenant is null
            ? null
            : new KeyState(tenant, await db.ApiKeyVersions.AsNoTracking().Where(v => v.TenantId == tenantId).ToListAsync(cancellationToken));
    }

    private static DateTimeOffset Earliest(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x < b ? x : b;

    [LoggerMessage(Level = LogLevel.Information, Message = "{Action} on {SecretName} version {Version} recorded (correlation {CorrelationId})")]
    private static partial void LogChanged(ILogger logger, string action, string secretName, string version, string correlationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Secret store did not confirm {Action} on {SecretName} (correlation {CorrelationId})")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string secretName, string action, string correlationId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record the metadata of a change to {SecretName} (attempt {Attempt}, correlation {CorrelationId})")]
    private static partial void LogCommitFailed(ILogger logger, Exception exception, string secretName, int attempt, string correlationId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The portal's database did not answer while taking the key lock on {SecretName} (correlation {CorrelationId})")]
    private static partial void LogDatabaseFailed(ILogger logger, Exception exception, string secretName, string correlationId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The key lock on {SecretName} lapsed and was taken over before the change could be recorded (correlation {CorrelationId})")]
    private static partial void LogLockLost(ILogger logger, string secretName, string correlationId);

    /// <summary>One change: who, what, and the steps of the audited ceremony (requested → store → succeeded or failed).</summary>
    private sealed record Ceremony(PortalActor Actor, string TenantId, string Action, string CorrelationId, KeyEvent Cause)
    {
        public TimeSpan? Wait { get; init; }

        public bool AuditsRequest { get; init; } = true;

        public string? Reason { get; init; }

        public Func<KeyState, string>? ActionFor { get; init; }

        public required Func<KeyState, string?> Refusal { get; init; }

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

    private sealed record KeyState(Tenant Tenant, List<ApiKeyVersion> Rows);

    private sealed record Committed(Applied Applied, int Restored, int Missing);

    private sealed class Findings
    {
        public List<(string Action, AuditOutcome Outcome, string Version, string Reason)> Events { get; } = [];

        public int Restored { get; set; }

        public int Missing { get; set; }

        public void Add(string action, AuditOutcome outcome, string version, string reason) => Events.Add((action, outcome, version, reason));
    }
}

/// <summary>What a change did: the version it is about, a problem when the store did not show what it needed, the row, the audit's changes.</summary>
public sealed record Applied(string? Version, string? Problem, ApiKeyVersion? Row, string? Changes = null);

/// <summary>The outcome of reconciling one tenant: skipped while another change held its key, or what it found.</summary>
public sealed record ReconcileOutcome(bool Ran, int Restored, int Missing)
{
    public static ReconcileOutcome Busy { get; } = new(false, 0, 0);

    public static ReconcileOutcome Failed { get; } = new(false, 0, 0) { CouldNotRecord = true };

    public bool CouldNotRecord { get; init; }
}

/// <summary>The store's versions of one secret, oldest first as the adapter lists them: the last enabled one is what the backend serves.</summary>
public sealed class StoreView
{
    private readonly Dictionary<string, (int Position, bool Enabled, DateTimeOffset? CreatedOn)> _byVersion;

    public StoreView(IReadOnlyList<SecretVersionProperties> versions, bool isListed = true)
    {
        IsListed = isListed;
        Versions = versions;
        _byVersion = new Dictionary<string, (int, bool, DateTimeOffset?)>(StringComparer.Ordinal);
        for (var i = 0; i < versions.Count; i++)
        {
            _byVersion[versions[i].Version] = (i, versions[i].Enabled, versions[i].CreatedOn);
        }
    }

    /// <summary>The store made the change but did not answer the listing after it: settle on the next pass, not now.</summary>
    public static StoreView Unlisted { get; } = new([], isListed: false);

    public bool IsListed { get; }

    public IReadOnlyList<SecretVersionProperties> Versions { get; }

    public bool Contains(string version) => _byVersion.ContainsKey(version);

    public bool IsEnabled(string version) => _byVersion.TryGetValue(version, out var v) && v.Enabled;

    public int Position(string version) => _byVersion.TryGetValue(version, out var v) ? v.Position : -1;

    public DateTimeOffset? CreatedOn(string version) => _byVersion.TryGetValue(version, out var v) ? v.CreatedOn : null;

    /// <summary>The version the backend reads: the newest enabled one.</summary>
    public string? NewestEnabled => Versions.LastOrDefault(v => v.Enabled)?.Version;
}

/// <summary>One change's unit of work: the tracked tenant and versions, the store as listed, and the moves deferred until demotions are saved.</summary>
public sealed class KeyCommit(PortalDbContext db, Tenant tenant, List<ApiKeyVersion> rows, StoreView store, DateTimeOffset now)
{
    private readonly List<(ApiKeyVersion Row, KeyEvent? Cause)> _afterDemotions = [];

    public PortalDbContext Db { get; } = db;

    public Tenant Tenant { get; } = tenant;

    public List<ApiKeyVersion> Rows { get; } = rows;

    public StoreView Store { get; } = store;

    public DateTimeOffset Now { get; } = now;

    public ApiKeyVersion? Row(string storeVersionId) => Rows.FirstOrDefault(v => v.StoreVersionId == storeVersionId);

    /// <summary>A new Current row, added once the version it replaces is saved as demoted (one Current per tenant is an index).</summary>
    public void AddAfterDemotions(ApiKeyVersion row) => _afterDemotions.Add((row, null));

    /// <summary>Makes <paramref name="row"/> Current once the demotions are saved.</summary>
    public void PromoteAfterDemotions(ApiKeyVersion row, KeyEvent cause) => _afterDemotions.Add((row, cause));

    internal async Task PromoteAsync(CancellationToken cancellationToken)
    {
        if (_afterDemotions.Count == 0)
        {
            return;
        }

        foreach (var (row, cause) in _afterDemotions)
        {
            if (cause is { } c)
            {
                Promote(row, c);
            }
            else
            {
                Db.ApiKeyVersions.Add(row);
                Rows.Add(row);
            }
        }

        _afterDemotions.Clear();
        await Db.SaveChangesAsync(cancellationToken);
    }

    internal void Promote(ApiKeyVersion row, KeyEvent cause)
    {
        row.MoveTo(cause, ApiKeyVersionStatus.Current, Now);
        row.GraceEndsAt = null;
        row.NextNoticeAt = row.ExpiresAt is { } due ? RotationSchedule.NextNoticeAt(due, Tenant.ReminderLeadDays, Now) : null;
    }
}

/// <summary>
/// The store calls of one change, each made only while the change still holds its key lock: the lease is renewed (and
/// proven) before every call, so a change whose lease lapsed stops instead of writing over another change's work.
/// </summary>
public sealed class StoreCalls
{
    private readonly ISecretStore _store;
    private readonly TenantKeyLocks _locks;
    private readonly TenantKeyLock _held;
    private readonly SecretName _name;

    internal StoreCalls(ISecretStore store, TenantKeyLocks locks, TenantKeyLock held, SecretName name)
    {
        _store = store;
        _locks = locks;
        _held = held;
        _name = name;
    }

    public async Task<SecretVersionProperties> SetAsync(SecretValue value, SecretWriteOptions options, CancellationToken cancellationToken)
    {
        await HoldAsync(cancellationToken);
        return await _store.SetAsync(_name, value, options, cancellationToken);
    }

    public async Task DisableAsync(string version, CancellationToken cancellationToken)
    {
        await HoldAsync(cancellationToken);
        await _store.UpdateVersionAsync(_name, version, new SecretVersionUpdate(Enabled: false), cancellationToken);
    }

    public async Task<StoreView> ListAsync(CancellationToken cancellationToken)
    {
        var versions = new List<SecretVersionProperties>();
        await foreach (var version in _store.ListVersionsAsync(_name, cancellationToken))
        {
            versions.Add(version);
        }

        return new StoreView(versions);
    }

    public async Task<StoreView?> TryListAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await ListAsync(cancellationToken);
        }
        catch (SecretStoreException)
        {
            return null;
        }
    }

    internal async Task<bool> LockLostAsync()
    {
        try
        {
            return !await _locks.RenewAsync(_held, CancellationToken.None);
        }
        catch (DbException)
        {
            return false;
        }
    }

    /// <summary>Best effort: disables a version this change wrote but could not record, after losing its lock.</summary>
    internal async Task TryWithdrawAsync(string version)
    {
        try
        {
            await _store.UpdateVersionAsync(_name, version, new SecretVersionUpdate(Enabled: false), CancellationToken.None);
        }
        catch (SecretStoreException)
        {
            // Reconciliation finds it; the user was told the key was not recorded.
        }
    }

    private async Task HoldAsync(CancellationToken cancellationToken)
    {
        if (!await _locks.RenewAsync(_held, cancellationToken))
        {
            throw new KeyLockLostException();
        }
    }
}

/// <summary>The change's key lock lapsed and another change took it: it must not touch the store again.</summary>
public sealed class KeyLockLostException() : Exception("The key lock lapsed before the change could finish.");
