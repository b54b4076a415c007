using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>Settling a change against the store's listing: what the metadata must say so that Current is what the backend serves.</summary>
public sealed partial class KeyLifecycle
{
    /// <summary>
    /// Makes the tracked rows agree with <see cref="KeyCommit.Store"/>: unknown versions tagged for the tenant are
    /// recorded, missing ones flagged, versions the store disabled follow it, disabled ones it serves again are flagged
    /// (never promoted), and the newest enabled live version becomes Current. Returns what it found, to audit.
    /// </summary>
    private static async Task<Findings> SettleAsync(KeyCommit change, CancellationToken cancellationToken)
    {
        var findings = new Findings();
        var now = change.Now;
        var known = change.Known.Concat(change.Rows.Select(v => v.StoreVersionId)).ToHashSet(StringComparer.Ordinal);
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
}
