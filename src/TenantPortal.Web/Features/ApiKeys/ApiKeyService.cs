using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.Audit;
using TenantPortal.Web.Features.Outbound;
using TenantPortal.Web.Features.Platform;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>
/// Submitting and rotating a tenant's API key. Every method authorizes the acting user against the tenant
/// itself: a page's check is never the only one.
/// </summary>
public sealed partial class ApiKeyService(
    IDbContextFactory<PortalDbContext> contexts,
    ISecretStore store,
    IApiKeyProbe probe,
    IAuthorizationService authorization,
    AuditTrail audit,
    TimeProvider time,
    ILogger<ApiKeyService> logger)
{
    public const string ContentType = "text/plain";
    private const int HistoryLimit = 100;
    private const int MetadataWriteAttempts = 10;

    /// <summary>The tenants whose key this user administers (their Entra tenant maps to them); empty for everyone else.</summary>
    public async Task<IReadOnlyList<TenantLink>> GetAdministeredTenantsAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var actor = PortalActor.From(user);
        if (actor is null || !actor.IsInRole(PortalRoles.TenantAdmin))
        {
            return [];
        }

        await using var db = contexts.CreateDbContext();
        return await db.Tenants.AsNoTracking()
            .Where(t => t.OffboardedAt == null && t.Directories.Any(d => d.EntraTenantId == actor.EntraTenantId))
            .OrderBy(t => t.DisplayName)
            .Select(t => new TenantLink(t.Id, t.DisplayName))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Status, current version and history of a tenant's key; null when the tenant is not visible to the user.</summary>
    public async Task<ApiKeyOverview?> GetOverviewAsync(ClaimsPrincipal user, string tenantId, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var tenant = await FindAuthorizedTenantAsync(db, user, tenantId, ApiKeyOperations.ViewStatus, AuditActions.ApiKeyView, cancellationToken);
        if (tenant is null)
        {
            return null;
        }

        var versions = await db.ApiKeyVersions.AsNoTracking()
            .Where(v => v.TenantId == tenant.Id)
            .OrderByDescending(v => v.CreatedAt)
            .Take(HistoryLimit)
            .ToListAsync(cancellationToken);

        var current = versions.FirstOrDefault(v => v.Status == ApiKeyVersionStatus.Current);
        var now = time.GetUtcNow();
        var status = RotationSchedule.StatusOf(
            current?.ExpiresAt ?? (current is null ? null : RotationSchedule.DueAt(current.CreatedAt, tenant.RotationIntervalDays)),
            current?.DueSoonAt,
            versions.Any(v => v.Status == ApiKeyVersionStatus.Revoked),
            now);
        var canSubmit = (await authorization.AuthorizeAsync(user, tenant, ApiKeyOperations.Submit)).Succeeded;
        var inGrace = versions.FirstOrDefault(v => v.Status == ApiKeyVersionStatus.Previous && v.DisabledInStoreAt is null && v.GraceEndsAt > now);

        return new ApiKeyOverview(tenant.Id, tenant.DisplayName, tenant.RotationIntervalDays, status,
            current is null ? null : ToSummary(current), versions.Select(ToSummary).ToList())
        {
            CanSubmit = canSubmit,
            PreviousInGrace = inGrace is null ? null : ToSummary(inGrace),
            Policy = tenant.Policy,
        };
    }

    /// <summary>
    /// Stores <paramref name="value"/> as the tenant's new current key version. The order is fixed: authorize,
    /// validate, audit "requested" (fail closed), write to the store, then record the version and audit "succeeded"
    /// in one transaction. Nothing the store did not confirm is recorded.
    /// </summary>
    public async Task<SubmitApiKeyResult> SubmitApiKeyAsync(ClaimsPrincipal user, string tenantId, SecretValue value, CancellationToken cancellationToken)
    {
        var correlationId = AuditTrail.NewCorrelationId();
        Tenant? tenant;
        var action = AuditActions.ApiKeySubmit;
        await using (var db = contexts.CreateDbContext())
        {
            // One read for the tenant, its directories and whether this submit is a rotation.
            var found = await db.Tenants.AsNoTracking()
                .Where(t => t.Id == tenantId)
                .Select(t => new
                {
                    Tenant = t,
                    t.Directories,
                    HasCurrent = db.ApiKeyVersions.Any(v => v.TenantId == t.Id && v.Status == ApiKeyVersionStatus.Current),
                })
                .FirstOrDefaultAsync(cancellationToken);
            found?.Tenant.Directories.AddRange(found.Directories);
            tenant = await AuthorizeAsync(user, tenantId, found?.Tenant, ApiKeyOperations.Submit, action, correlationId, cancellationToken);
            if (found is { HasCurrent: true })
            {
                action = AuditActions.ApiKeyRotate;
            }
        }

        if (tenant is null)
        {
            return SubmitApiKeyResult.NotFound;
        }

        if (ApiKeyValueRules.Validate(value) is { } problem)
        {
            return new SubmitApiKeyResult(SubmitApiKeyOutcome.Invalid, problem);
        }

        var actor = PortalActor.From(user)!;
        var name = SecretName.ForTenant(tenant.Id);
        if (tenant.Probe is { } check && await VerifyAsync(check, value, cancellationToken) is { } refused)
        {
            // Nothing is stored; the attempt and why it failed (never the key) are audited.
            await audit.TryAppendAsync(audit.Create(actor, AuditActions.ApiKeyVerify, AuditOutcome.Failed, tenant.Id, correlationId, name.Value,
                reason: refused), cancellationToken);
            return new SubmitApiKeyResult(SubmitApiKeyOutcome.Invalid, $"{refused} The key was not stored.");
        }

        try
        {
            await audit.AppendAsync(audit.Create(actor, action, AuditOutcome.Requested, tenant.Id, correlationId, name.Value), cancellationToken);
        }
        catch (AuditUnavailableException)
        {
            return new SubmitApiKeyResult(SubmitApiKeyOutcome.Failed,
                "The audit trail is unavailable, so the key was not stored. Nothing was changed; please try again later.");
        }

        var now = time.GetUtcNow();
        var policy = tenant.Policy;
        var dueAt = RotationSchedule.DueAt(now, policy.IntervalDays);
        SecretVersionProperties stored;
        try
        {
            // Enough metadata to rebuild the version's record from the store alone (reconciliation); never a name or e-mail.
            var tags = new Dictionary<string, string>
            {
                [ApiKeyTags.TenantId] = tenant.Id,
                [ApiKeyTags.SetByTenantId] = actor.EntraTenantId.ToString(),
                [ApiKeyTags.SetByObjectId] = actor.ObjectId.ToString(),
                [ApiKeyTags.MaskedHint] = ApiKeyValueRules.MaskedHint(value),
                [ApiKeyTags.Fingerprint] = ApiKeyValueRules.Fingerprint(value),
            };
            stored = await store.SetAsync(name, value, new SecretWriteOptions(ContentType, tags, dueAt), cancellationToken);
        }
        catch (SecretStoreException ex)
        {
            LogStoreFailed(logger, ex, name.Value, correlationId);
            await audit.TryAppendAsync(audit.Create(actor, action, AuditOutcome.Failed, tenant.Id, correlationId, name.Value,
                reason: ex.IsRetryable ? "Secret store unavailable" : "Secret store refused the write"), cancellationToken);
            return new SubmitApiKeyResult(SubmitApiKeyOutcome.Failed, ex.IsRetryable
                ? "The secret store did not confirm the write, so the key was not stored. Nothing was changed; please try again in a moment."
                : $"The secret store refused the key: {ex.Message} Nothing was changed.");
        }

        var version = new ApiKeyVersion
        {
            TenantId = tenant.Id,
            StoreVersionId = stored.Version,
            Status = ApiKeyVersionStatus.Current,
            CreatedAt = now,
            ExpiresAt = dueAt,
            DueSoonAt = RotationSchedule.DueSoonAt(dueAt, policy.ReminderLeadDays),
            NextNoticeAt = RotationSchedule.NextNoticeAt(dueAt, policy.ReminderLeadDays, now),
            StatusChangedAt = now,
            CreatedByTenantId = actor.EntraTenantId,
            CreatedByObjectId = actor.ObjectId,
            CreatedByName = actor.DisplayName.Length > 200 ? actor.DisplayName[..200] : actor.DisplayName,
            MaskedHint = ApiKeyValueRules.MaskedHint(value),
            Fingerprint = ApiKeyValueRules.Fingerprint(value),
        };

        if (!await RecordVersionAsync(version, policy, actor, action, name, correlationId, cancellationToken))
        {
            await audit.TryAppendAsync(audit.Create(actor, action, AuditOutcome.Failed, tenant.Id, correlationId, name.Value, stored.Version,
                reason: "Stored in the secret store but the metadata could not be recorded"), cancellationToken);
            return new SubmitApiKeyResult(SubmitApiKeyOutcome.Failed,
                $"The key reached the secret store as version {stored.Version[..Math.Min(8, stored.Version.Length)]}, but the portal could not record it. " +
                $"It has been logged for an operator to reconcile (correlation id {correlationId}); there is no need to submit it again.");
        }

        LogStored(logger, name.Value, stored.Version, correlationId);
        return new SubmitApiKeyResult(SubmitApiKeyOutcome.Stored,
            $"API key stored as version {ToSummary(version).ShortVersion}. The previous version, if any, is now marked Previous.", ToSummary(version));
    }

    /// <summary>Runs the tenant's verification probe with the submitted key; the problem in plain words, or null when the key works.</summary>
    private async Task<string?> VerifyAsync(VerificationProbe check, SecretValue value, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var platform = await PlatformSettingsService.LoadAsync(db, tracking: false, cancellationToken);
        var result = await probe.VerifyAsync(check, value, platform.ProbeAllowedHosts, cancellationToken);
        return result.Succeeded ? null : result.Problem ?? "The verification probe did not accept the key.";
    }

    private async Task<bool> RecordVersionAsync(ApiKeyVersion version, RotationPolicy policy, PortalActor actor, string action, SecretName name, string correlationId, CancellationToken cancellationToken)
    {
        // A concurrent submit for the same tenant trips the one-current-version index or moves the audit chain head;
        // re-read and try again. Each round one writer wins, so a handful of attempts covers realistic contention.
        for (var attempt = 1; attempt <= MetadataWriteAttempts; attempt++)
        {
            try
            {
                await using var db = contexts.CreateDbContext();
                await db.Database.OpenConnectionAsync(cancellationToken); // one connection for both reads and the commit
                var now = version.CreatedAt;
                // One read: the versions this one demotes, and this one itself if reconciliation recorded it first.
                var affected = await db.ApiKeyVersions
                    .Where(v => v.TenantId == version.TenantId
                        && (v.Status == ApiKeyVersionStatus.Current || v.Status == ApiKeyVersionStatus.Previous || v.StoreVersionId == version.StoreVersionId))
                    .ToListAsync(cancellationToken);
                foreach (var v in affected.Where(v => v.StoreVersionId != version.StoreVersionId))
                {
                    // The version replaced stays enabled for the grace period; one still in grace from an earlier
                    // rotation loses the rest of it (the monitor disables it in the store at its next sweep).
                    var wasCurrent = v.Status == ApiKeyVersionStatus.Current;
                    v.Status = wasCurrent ? ApiKeyVersionStatus.Previous : ApiKeyVersionStatus.Superseded;
                    v.GraceEndsAt = wasCurrent ? now.AddDays(policy.GracePeriodDays) : Earliest(v.GraceEndsAt, now);
                    v.NextNoticeAt = null;
                    v.StatusChangedAt = now;
                }

                if (affected.FirstOrDefault(v => v.StoreVersionId == version.StoreVersionId) is { } restored)
                {
                    // Reconciliation got here first: complete its record with what only this request knows.
                    restored.Status = ApiKeyVersionStatus.Current;
                    restored.CreatedByName = version.CreatedByName;
                    restored.StatusChangedAt = now;
                }
                else
                {
                    db.ApiKeyVersions.Add(version);
                }

                await AuditTrail.ChainAsync(db, audit.Create(actor, action, AuditOutcome.Succeeded, version.TenantId, correlationId,
                    name.Value, version.StoreVersionId), cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                return true;
            }
            catch (DbUpdateException ex)
            {
                LogMetadataWriteFailed(logger, ex, name.Value, version.StoreVersionId, attempt, correlationId);
            }
        }

        return false;
    }

    private async Task<Tenant?> FindAuthorizedTenantAsync(
        PortalDbContext db,
        ClaimsPrincipal user,
        string tenantId,
        TenantOperationRequirement operation,
        string action,
        CancellationToken cancellationToken,
        string? correlationId = null)
    {
        var tenant = await db.Tenants.AsNoTracking().Include(t => t.Directories).FirstOrDefaultAsync(t => t.Id == tenantId, cancellationToken);
        return await AuthorizeAsync(user, tenantId, tenant, operation, action, correlationId, cancellationToken);
    }

    private async Task<Tenant?> AuthorizeAsync(
        ClaimsPrincipal user, string tenantId, Tenant? tenant, TenantOperationRequirement operation, string action, string? correlationId, CancellationToken cancellationToken) =>
        await authorization.AuthorizeTenantAsync(audit, user, tenantId, tenant, operation, action, cancellationToken, correlationId) ? tenant : null;

    private static DateTimeOffset Earliest(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x < b ? x : b;

    private static ApiKeyVersionSummary ToSummary(ApiKeyVersion v) =>
        new(v.StoreVersionId, v.Status, v.CreatedAt, v.CreatedByName, v.MaskedHint, v.Fingerprint, v.ExpiresAt, v.MissingFromStoreSince is not null)
        {
            GraceEndsAt = v.DisabledInStoreAt is null ? v.GraceEndsAt : null,
            DisabledAt = v.DisabledInStoreAt,
            RevokeReason = v.RevokeReason,
        };

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored {SecretName} version {Version} (correlation {CorrelationId})")]
    private static partial void LogStored(ILogger logger, string secretName, string version, string correlationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Secret store did not accept {SecretName} (correlation {CorrelationId})")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string secretName, string correlationId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stored {SecretName} version {Version} but could not record its metadata (attempt {Attempt}, correlation {CorrelationId})")]
    private static partial void LogMetadataWriteFailed(ILogger logger, Exception exception, string secretName, string version, int attempt, string correlationId);
}
