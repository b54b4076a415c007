using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.Tenants;

public sealed partial class TenantService
{
    private static readonly ApiKeyVersionStatus[] EnabledStatuses =
        [ApiKeyVersionStatus.Current, ApiKeyVersionStatus.Previous, ApiKeyVersionStatus.Pending];

    /// <summary>
    /// Offboards a tenant: every enabled version of its secret is disabled in the store (the portal may update, not
    /// delete), then the tenant is marked offboarded with its reason. Its metadata and audit history stay.
    /// </summary>
    public async Task<TenantChangeResult> OffboardAsync(ClaimsPrincipal user, string tenantId, string typedName, string reason, CancellationToken cancellationToken)
    {
        if (!await IsPlatformAdminAsync(user, AuditActions.TenantOffboard, tenantId, cancellationToken))
        {
            return TenantChangeResult.NotFound;
        }

        Tenant? tenant;
        await using (var db = contexts.CreateDbContext())
        {
            tenant = await LoadAsync(db, tenantId, tracking: false, cancellationToken);
        }

        if (tenant is null)
        {
            return TenantChangeResult.NotFound;
        }

        if (tenant.IsOffboarded)
        {
            return TenantChangeResult.Invalid($"{tenant.DisplayName} was already offboarded on {tenant.OffboardedAt:yyyy-MM-dd}.");
        }

        if (!string.Equals(typedName?.Trim(), tenant.DisplayName, StringComparison.Ordinal))
        {
            return TenantChangeResult.Invalid($"Type the tenant's name exactly as shown (\"{tenant.DisplayName}\") to confirm.");
        }

        if (string.IsNullOrWhiteSpace(reason) || reason.Trim().Length > 500)
        {
            return TenantChangeResult.Invalid("Give a reason for offboarding (at most 500 characters).");
        }

        var actor = PortalActor.From(user)!;
        var correlationId = AuditTrail.NewCorrelationId();
        var name = SecretName.ForTenant(tenant.Id);
        try
        {
            await audit.AppendAsync(audit.Create(actor, AuditActions.TenantOffboard, AuditOutcome.Requested, tenant.Id, correlationId, name.Value,
                reason: reason.Trim()), cancellationToken);
        }
        catch (AuditUnavailableException)
        {
            return new TenantChangeResult(TenantChangeOutcome.Failed, "The audit trail is unavailable, so nothing was changed. Please try again later.");
        }

        // Disable every enabled version the store knows, including any the database never recorded.
        var disabled = new List<string>();
        try
        {
            await store.DisableEnabledVersionsAsync(name, disabled, cancellationToken);
        }
        catch (SecretStoreException ex)
        {
            LogOffboardStoreFailed(logger, ex, tenant.Id, disabled.Count, correlationId);
            await audit.TryAppendAsync(audit.Create(actor, AuditActions.TenantOffboard, AuditOutcome.Failed, tenant.Id, correlationId, name.Value,
                reason: $"Secret store failed after disabling {disabled.Count} version(s)"), cancellationToken);
            return new TenantChangeResult(TenantChangeOutcome.Failed,
                $"The secret store did not confirm disabling every key version ({disabled.Count} disabled so far), so the tenant is not offboarded yet. " +
                "Its users can still sign in. Try again: versions already disabled stay disabled.");
        }

        var now = time.GetUtcNow();
        await using (var db = contexts.CreateDbContext())
        {
            var row = await db.Tenants.FirstAsync(t => t.Id == tenant.Id, cancellationToken);
            row.OffboardedAt = now;
            row.OffboardReason = reason.Trim();
            var versions = await db.ApiKeyVersions
                .Where(v => v.TenantId == tenant.Id && (EnabledStatuses.Contains(v.Status) || v.DisabledInStoreAt == null))
                .ToListAsync(cancellationToken);
            foreach (var v in versions)
            {
                if (EnabledStatuses.Contains(v.Status))
                {
                    v.Status = ApiKeyVersionStatus.Disabled;
                    v.StatusChangedAt = now;
                }

                v.DisabledInStoreAt ??= now;
                v.NextNoticeAt = null;
                v.GraceEndsAt = null;
            }

            await AuditTrail.ChainAsync(db, audit.Create(actor, AuditActions.TenantOffboard, AuditOutcome.Succeeded, tenant.Id, correlationId,
                name.Value, reason: reason.Trim(), changes: $"Offboarded; {disabled.Count} key version(s) disabled in the store"), cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
        }

        return TenantChangeResult.Saved(
            $"{tenant.DisplayName} is offboarded: its users can no longer sign in, and {disabled.Count} key version(s) were disabled in the vault.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Offboarding {TenantId} stopped: the secret store failed after {Disabled} version(s) (correlation {CorrelationId})")]
    private static partial void LogOffboardStoreFailed(ILogger logger, Exception exception, string tenantId, int disabled, string correlationId);
}
