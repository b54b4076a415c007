using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.Infrastructure.Text;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>
/// The one owner of a tenant key's life: submit (and rotate), restore previous, revoke, end of grace, offboard and
/// reconciliation are transitions here and nowhere else, each moving versions through <see cref="KeyTransitions"/>.
/// Every change holds the tenant's key lock (<see cref="TenantKeyLocks"/>) across its store write and its metadata
/// commit, re-reads the state once it holds it, and records only what the store confirms. Every commit ends with
/// <see cref="SettleAsync"/>, so that the metadata's Current is, by construction, the newest enabled store version: the
/// one the backend's KeyReader serves. Callers authorize and validate input first; this class checks the key's state.
/// Messages come from <c>KeyLifecycle.resx</c> in the caller's UI culture; what it audits or logs is English.
/// </summary>
public sealed partial class KeyLifecycle(
    IDbContextFactory<PortalDbContext> contexts,
    ISecretStore store,
    TenantKeyLocks locks,
    ApiKeyFingerprints fingerprints,
    AuditTrail audit,
    TimeProvider time,
    IStringLocalizer<KeyLifecycle> text,
    ILogger<KeyLifecycle> logger)
{
    public const string ContentType = "text/plain";
    public const string RestoredByName = "Unknown (restored from the secret store)";

    /// <summary>Rounds of list-then-disable a revoke or offboard makes before it reports that versions stay enabled.</summary>
    public const int SwitchOffRounds = 5;

    private const int CommitAttempts = 5;

    public static string Abbreviated(string version) => version.Length > 8 ? version[..8] : version;

    private static LocalizedMessage EnglishOnly(string english) => new(english, english);

    /// <summary>Stores <paramref name="value"/> as the tenant's new current version (validated and verified by the caller).</summary>
    public async Task<KeyChangeResult> SubmitAsync(PortalActor actor, string tenantId, SecretValue value, string correlationId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        SecretVersionProperties? stored = null;
        string? replaced = null;
        var hint = ApiKeyValueRules.MaskedHint(value);
        string fingerprint;
        try
        {
            fingerprint = await fingerprints.ComputeAsync(value, cancellationToken);
        }
        catch (FingerprintKeyUnavailableException)
        {
            // Logged with the path by ApiKeyFingerprints; nothing was audited or written yet.
            return new KeyChangeResult(KeyChangeOutcome.Failed, text["FingerprintKeyUnavailable"]);
        }

        var result = await RunAsync(new Ceremony(actor, tenantId, AuditActions.ApiKeySubmit, correlationId, KeyEvent.Submit)
        {
            ActsForTheTenant = true,
            // A submit to a key that has a current version is a rotation, decided once the lock is held.
            ActionFor = state => state.Rows.Any(v => v.Status == ApiKeyVersionStatus.Current) ? AuditActions.ApiKeyRotate : AuditActions.ApiKeySubmit,
            Refusal = state => state.Tenant.IsOffboarded ? text.Message("SubmitToOffboarded") : null,
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
                    replaced = change.Rows.FirstOrDefault(v => v.Status == ApiKeyVersionStatus.Previous && v.StatusChangedAt == recorded.CreatedAt)?.StoreVersionId;
                    return new Applied(stored.Version, null, recorded);
                }

                replaced = null;

                var policy = change.Tenant.Policy;
                var dueAt = stored.ExpiresOn ?? RotationSchedule.DueAt(change.Now, policy.IntervalDays);
                foreach (var v in change.Rows.Where(v => v.StoreVersionId != stored.Version))
                {
                    if (v.Status == ApiKeyVersionStatus.Current)
                    {
                        // The version replaced stays enabled for the grace period.
                        replaced = v.StoreVersionId;
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
            Message = (applied, _) => text["Stored", Abbreviated(applied.Version!)],
            UnrecordedMessage = _ => text["StoredUnrecorded", Abbreviated(stored!.Version), correlationId],
            StoreFailedMessage = ex => ex.IsRetryable ? text["StoreUnavailableForSubmit"] : text["StoreRefusedKey", ex.Text],
        }, cancellationToken);
        return result.Succeeded ? result with { ReplacedVersion = replaced } : result;
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
                return current is null || previous is null ? text.Message("NoPreviousToRestore") : null;
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
                    return new Applied(null, text.Message("PreviousNoLongerEnabled"), null);
                }

                demoted.MoveTo(KeyEvent.Restore, ApiKeyVersionStatus.Disabled, change.Now);
                demoted.DisabledInStoreAt = change.Now;
                demoted.NextNoticeAt = null;
                change.PromoteAfterDemotions(restored, KeyEvent.Restore);
                return new Applied(restored.StoreVersionId, null, restored,
                    $"Current: {Abbreviated(demoted.StoreVersionId)} → {Abbreviated(restored.StoreVersionId)}; {Abbreviated(demoted.StoreVersionId)} disabled");
            },
            Message = (applied, _) => text["Restored", Abbreviated(previous!.StoreVersionId), Abbreviated(current!.StoreVersionId)],
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
            Message = (_, state) => text["Revoked", disabled.Count, state.Tenant.Id],
            StoreFailedMessage = _ => text["RevokeIncomplete", disabled.Count],
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
            Refusal = state => state.Tenant.IsOffboarded ? text.Message("AlreadyOffboarded", state.Tenant.DisplayName, state.Tenant.OffboardedAt!.Value) : null,
            StoreAsync = (_, calls, ct) => SwitchOffAsync(calls, disabled, ct),
            Apply = change =>
            {
                SwitchOff(change, KeyEvent.Offboard, revokeReason: null);
                change.Tenant.OffboardedAt = change.Now;
                change.Tenant.OffboardReason = reason;
                return new Applied(null, null, null, $"Offboarded; {disabled.Count} key version(s) disabled in the store");
            },
            Message = (_, state) => text["Offboarded", state.Tenant.DisplayName, disabled.Count],
            StoreFailedMessage = _ => text["OffboardIncomplete", disabled.Count],
        }, cancellationToken);
    }

    /// <summary>
    /// The rotation monitor's end of grace for one version: disabled in the store, then Superseded. Background work
    /// does not wait: when another change holds the key, or the version no longer needs it, nothing happens now. No person
    /// reads its result, so its messages are English whatever the worker's culture.
    /// </summary>
    public Task<KeyChangeResult> EndGraceAsync(string tenantId, string storeVersionId, CancellationToken cancellationToken) =>
        RunAsync(new Ceremony(PortalActor.System, tenantId, AuditActions.ApiKeyPreviousDisabled, AuditTrail.NewCorrelationId(), KeyEvent.GraceEnded)
        {
            Version = storeVersionId,
            Wait = TimeSpan.Zero,
            AuditsRequest = false,
            Reason = "Grace period ended",
            InEnglish = true,
            Refusal = state => state.Rows.FirstOrDefault(v => v.StoreVersionId == storeVersionId) is { GraceEndsAt: { } ends, DisabledInStoreAt: null } && ends <= time.GetUtcNow()
                ? null
                : EnglishOnly(text.English("GraceNotEnded")),
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
                    return new Applied(null, EnglishOnly(text.English("StoreDidNotConfirmDisable")), null);
                }

                v.MoveTo(KeyEvent.GraceEnded, ApiKeyVersionStatus.Superseded, change.Now);
                v.DisabledInStoreAt = change.Now;
                v.GraceEndsAt = null;
                RotationNotices.Add(change.Db, change.Tenant, v.StoreVersionId, RotationNoticeKind.PreviousDisabled, 0, v.ExpiresAt, change.Now);
                return new Applied(v.StoreVersionId, null, v);
            },
            Message = (applied, _) => text.English("GraceEnded", Abbreviated(applied.Version!)),
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

        var view = await StoreView.ListAsync(store, SecretName.ForTenant(tenantId), cancellationToken);
        var findings = await CommitAsync(held, tenantId, named: null, view, AuditTrail.NewCorrelationId(), _ => new Applied(null, null, null), outcome: null, cancellationToken);
        return findings is null ? ReconcileOutcome.Failed : new ReconcileOutcome(true, findings.Restored, findings.Missing);
    }

    /// <summary>Whether the store has any enabled version of the tenant's key (one listing, values never read).</summary>
    public async Task<bool> StoreServesAnyAsync(string tenantId, CancellationToken cancellationToken) =>
        (await StoreView.ListAsync(store, SecretName.ForTenant(tenantId), cancellationToken)).NewestEnabled is not null;

    /// <summary>Whether the store holds any version at all of <paramref name="tenantId"/>'s key.</summary>
    public async Task<bool> StoreHoldsAnyAsync(string tenantId, CancellationToken cancellationToken) =>
        (await StoreView.ListAsync(store, SecretName.ForTenant(tenantId), cancellationToken)).Versions.Count > 0;

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

    /// <summary>
    /// The tenant and what a ceremony decides on: its live versions (Current, Previous, Pending) and the one it names,
    /// not the whole history, which grows with every rotation; and whether <paramref name="actingDirectory"/> still
    /// manages the tenant. One query.
    /// </summary>
    private async Task<KeyState?> LoadAsync(string tenantId, string? named, Guid? actingDirectory, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return await LoadQuery(db, tenantId, named, actingDirectory, cancellationToken);
    }

    // Compiled once: every change runs it under the lock.
    private static readonly Func<PortalDbContext, string, string?, Guid?, CancellationToken, Task<KeyState?>> LoadQuery = EF.CompileAsyncQuery(
        (PortalDbContext db, string tenantId, string? named, Guid? actingDirectory, CancellationToken _) => db.Tenants.AsNoTracking()
            .Where(t => t.Id == tenantId)
            .Select(t => new KeyState(
                t,
                db.ApiKeyVersions.Where(v => v.TenantId == t.Id && (v.Status == ApiKeyVersionStatus.Current || v.Status == ApiKeyVersionStatus.Previous
                    || v.Status == ApiKeyVersionStatus.Pending || v.StoreVersionId == named)).ToList(),
                actingDirectory != null && t.Directories.Any(d => d.EntraTenantId == actingDirectory)))
            .FirstOrDefault());

    // Compiled once: every commit reads its tenant, tracked, with the contacts a notice goes to, and the head of the
    // tenant's audit chain (tracked, so that the commit's audit rows chain from it without a query of their own).
    private static readonly Func<PortalDbContext, string, CancellationToken, Task<TenantAndChainHead>> TenantQuery = EF.CompileAsyncQuery(
        (PortalDbContext db, string tenantId, CancellationToken _) => (
            from t in db.Tenants.Include(t => t.Contacts)
            where t.Id == tenantId
            join h in db.AuditChainHeads on t.Id equals h.ChainId into heads
            from h in heads.DefaultIfEmpty()
            select new TenantAndChainHead(t, h)).First());

    private sealed record TenantAndChainHead(Tenant Tenant, AuditChainHead? Head);

    // Compiled once: every commit reads the tenant's versions.
    private static readonly Func<PortalDbContext, string, IAsyncEnumerable<ApiKeyVersion>> HistoryQuery = EF.CompileAsyncQuery(
        (PortalDbContext db, string tenantId) => db.ApiKeyVersions.AsNoTracking().Where(v => v.TenantId == tenantId));

    private static DateTimeOffset Earliest(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x < b ? x : b;
}
