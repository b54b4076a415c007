using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Features.Audit;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>Restoring the previous version during its grace period, and the emergency revoke.</summary>
public sealed partial class ApiKeyService
{
    public const int RevokeReasonMaxLength = 500;

    /// <summary>
    /// Makes the previous version current again while its grace period lasts, by disabling the current one in the
    /// store (the portal never re-writes or reads an old value; the backend reads the newest enabled version).
    /// </summary>
    public async Task<KeyChangeResult> RestorePreviousAsync(ClaimsPrincipal user, string tenantId, CancellationToken cancellationToken)
    {
        var correlationId = AuditTrail.NewCorrelationId();
        ApiKeyVersion? current;
        ApiKeyVersion? previous;
        var now = time.GetUtcNow();
        await using (var db = contexts.CreateDbContext())
        {
            var tenant = await FindAuthorizedTenantAsync(db, user, tenantId, ApiKeyOperations.RestorePrevious, AuditActions.ApiKeyRestore, cancellationToken, correlationId);
            if (tenant is null)
            {
                return KeyChangeResult.NotFound;
            }

            var versions = await db.ApiKeyVersions.AsNoTracking()
                .Where(v => v.TenantId == tenant.Id && (v.Status == ApiKeyVersionStatus.Current || v.Status == ApiKeyVersionStatus.Previous))
                .ToListAsync(cancellationToken);
            current = versions.FirstOrDefault(v => v.Status == ApiKeyVersionStatus.Current);
            previous = versions.FirstOrDefault(v => v.Status == ApiKeyVersionStatus.Previous);
        }

        if (current is null || previous is null || previous.DisabledInStoreAt is not null || !(previous.GraceEndsAt > now))
        {
            return new KeyChangeResult(KeyChangeOutcome.Invalid,
                "There is no previous version to restore: it can be restored only while its grace period lasts. Submit a new key instead.");
        }

        var actor = PortalActor.From(user)!;
        var name = SecretName.ForTenant(tenantId);
        if (!await TryAuditRequestedAsync(actor, AuditActions.ApiKeyRestore, tenantId, correlationId, name, previous.StoreVersionId, null, cancellationToken))
        {
            return AuditUnavailable();
        }

        try
        {
            await store.UpdateVersionAsync(name, current.StoreVersionId, new SecretVersionUpdate(Enabled: false), cancellationToken);
        }
        catch (SecretStoreException ex)
        {
            return await StoreFailedAsync(ex, actor, AuditActions.ApiKeyRestore, tenantId, correlationId, name, cancellationToken);
        }

        // Demote before promoting (at most one current version per tenant is enforced by an index), in one transaction.
        await using (var strategyContext = contexts.CreateDbContext())
        {
            await strategyContext.Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
            {
                await using var db = contexts.CreateDbContext();
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                var rows = await db.ApiKeyVersions.Where(v => v.Id == current.Id || v.Id == previous.Id).ToListAsync(ct);
                var demoted = rows.Single(v => v.Id == current.Id);
                demoted.Status = ApiKeyVersionStatus.Disabled;
                demoted.DisabledInStoreAt = now;
                demoted.NextNoticeAt = null;
                demoted.StatusChangedAt = now;
                await db.SaveChangesAsync(ct);

                var restored = rows.Single(v => v.Id == previous.Id);
                restored.Status = ApiKeyVersionStatus.Current;
                restored.GraceEndsAt = null;
                restored.StatusChangedAt = now;
                if (restored.ExpiresAt is { } due)
                {
                    var leads = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => t.ReminderLeadDays).FirstAsync(ct);
                    restored.NextNoticeAt = RotationSchedule.NextNoticeAt(due, leads, now);
                }

                await AuditTrail.ChainAsync(db, audit.Create(actor, AuditActions.ApiKeyRestore, AuditOutcome.Succeeded, tenantId, correlationId, name.Value,
                    previous.StoreVersionId, changes: $"Current: {Short(current.StoreVersionId)} → {Short(previous.StoreVersionId)}; {Short(current.StoreVersionId)} disabled"),
                    ct);
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
            }, cancellationToken);
        }

        return new KeyChangeResult(KeyChangeOutcome.Done,
            $"Version {Short(previous.StoreVersionId)} is current again; version {Short(current.StoreVersionId)} is disabled in the vault.");
    }

    /// <summary>
    /// Emergency revoke: disables every enabled version in the store at once (the current one and any still in grace),
    /// leaving the tenant Revoked until a new key arrives. The reason is the admin's own words, audited.
    /// </summary>
    public async Task<KeyChangeResult> RevokeAsync(ClaimsPrincipal user, string tenantId, string reason, bool confirmed, CancellationToken cancellationToken)
    {
        var correlationId = AuditTrail.NewCorrelationId();
        await using (var db = contexts.CreateDbContext())
        {
            if (await FindAuthorizedTenantAsync(db, user, tenantId, ApiKeyOperations.Revoke, AuditActions.ApiKeyRevoke, cancellationToken, correlationId) is null)
            {
                return KeyChangeResult.NotFound;
            }

            if (!await db.ApiKeyVersions.AnyAsync(v => v.TenantId == tenantId && v.Status == ApiKeyVersionStatus.Current, cancellationToken))
            {
                return new KeyChangeResult(KeyChangeOutcome.Invalid, "There is no current key to revoke.");
            }
        }

        if (!confirmed)
        {
            return new KeyChangeResult(KeyChangeOutcome.Invalid, "Confirm that the SaaS should stop using this tenant's key at once.");
        }

        reason = reason?.Trim() ?? "";
        if (reason.Length == 0 || reason.Length > RevokeReasonMaxLength)
        {
            return new KeyChangeResult(KeyChangeOutcome.Invalid, $"Give a reason for revoking (at most {RevokeReasonMaxLength} characters).");
        }

        var actor = PortalActor.From(user)!;
        var name = SecretName.ForTenant(tenantId);
        if (!await TryAuditRequestedAsync(actor, AuditActions.ApiKeyRevoke, tenantId, correlationId, name, null, reason, cancellationToken))
        {
            return AuditUnavailable();
        }

        var disabled = new List<string>();
        try
        {
            await store.DisableEnabledVersionsAsync(name, disabled, cancellationToken);
        }
        catch (SecretStoreException ex)
        {
            return await StoreFailedAsync(ex, actor, AuditActions.ApiKeyRevoke, tenantId, correlationId, name, cancellationToken,
                $" {disabled.Count} version(s) were disabled before it failed; revoke again to finish.");
        }

        var now = time.GetUtcNow();
        await using (var db = contexts.CreateDbContext())
        {
            var versions = await db.ApiKeyVersions
                .Where(v => v.TenantId == tenantId && (v.Status == ApiKeyVersionStatus.Current || v.Status == ApiKeyVersionStatus.Previous
                    || v.Status == ApiKeyVersionStatus.Pending || v.DisabledInStoreAt == null))
                .ToListAsync(cancellationToken);
            ApiKeyVersion? current = null;
            foreach (var v in versions)
            {
                if (v.Status == ApiKeyVersionStatus.Current)
                {
                    current = v;
                    v.Status = ApiKeyVersionStatus.Revoked;
                    v.RevokeReason = reason;
                    v.StatusChangedAt = now;
                }
                else if (v.Status is ApiKeyVersionStatus.Previous or ApiKeyVersionStatus.Pending)
                {
                    v.Status = ApiKeyVersionStatus.Disabled;
                    v.StatusChangedAt = now;
                }

                v.DisabledInStoreAt ??= now;
                v.GraceEndsAt = null;
                v.NextNoticeAt = null;
            }

            if (current is not null)
            {
                var tenant = await db.Tenants.AsNoTracking().Include(t => t.Contacts).FirstAsync(t => t.Id == tenantId, cancellationToken);
                RotationNotices.Add(db, tenant, current.StoreVersionId, RotationNoticeKind.Revoked, 0, current.ExpiresAt, now);
            }

            await AuditTrail.ChainAsync(db, audit.Create(actor, AuditActions.ApiKeyRevoke, AuditOutcome.Succeeded, tenantId, correlationId, name.Value,
                current?.StoreVersionId, reason: reason, changes: $"{disabled.Count} version(s) disabled in the store"), cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
        }

        return new KeyChangeResult(KeyChangeOutcome.Done,
            $"The key is revoked: {disabled.Count} version(s) disabled in the vault. The SaaS cannot call the provider for this tenant until a new key is submitted.");
    }

    private async Task<bool> TryAuditRequestedAsync(
        PortalActor actor, string action, string tenantId, string correlationId, SecretName name, string? version, string? reason, CancellationToken cancellationToken)
    {
        try
        {
            await audit.AppendAsync(audit.Create(actor, action, AuditOutcome.Requested, tenantId, correlationId, name.Value, version, reason), cancellationToken);
            return true;
        }
        catch (AuditUnavailableException)
        {
            return false;
        }
    }

    private static KeyChangeResult AuditUnavailable() =>
        new(KeyChangeOutcome.Failed, "The audit trail is unavailable, so nothing was changed. Please try again later.");

    private async Task<KeyChangeResult> StoreFailedAsync(
        SecretStoreException ex, PortalActor actor, string action, string tenantId, string correlationId, SecretName name, CancellationToken cancellationToken,
        string detail = "")
    {
        LogStoreFailed(logger, ex, name.Value, correlationId);
        await audit.TryAppendAsync(audit.Create(actor, action, AuditOutcome.Failed, tenantId, correlationId, name.Value,
            reason: ex.IsRetryable ? "Secret store unavailable" : "Secret store refused the change"), cancellationToken);
        return new KeyChangeResult(KeyChangeOutcome.Failed,
            $"The secret store did not confirm the change, so the portal recorded nothing.{detail} Please try again in a moment.");
    }

    private static string Short(string version) => version.Length > 8 ? version[..8] : version;
}
