using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.Infrastructure.Text;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>Restoring the previous version during its grace period, and the emergency revoke: authorized and validated here, carried out by <see cref="KeyLifecycle"/>.</summary>
public sealed partial class ApiKeyService
{
    /// <summary>The admin's words are audited whole: the audit row's reason holds as many characters.</summary>
    public const int RevokeReasonMaxLength = AuditEvent.ReasonMaxLength;

    /// <summary>Makes the previous version current again while its grace period lasts (the current one is disabled in the store).</summary>
    public async Task<KeyChangeResult> RestorePreviousAsync(ClaimsPrincipal user, string tenantId, CancellationToken cancellationToken)
    {
        var correlationId = AuditTrail.NewCorrelationId();
        await using (var db = contexts.CreateDbContext())
        {
            if (await FindAuthorizedTenantAsync(db, user, tenantId, ApiKeyOperations.RestorePrevious, AuditActions.ApiKeyRestore, cancellationToken, correlationId) is null)
            {
                return NotFound();
            }
        }

        return await lifecycle.RestorePreviousAsync(PortalActor.From(user)!, tenantId, correlationId, cancellationToken);
    }

    /// <summary>
    /// Emergency revoke: disables every enabled version in the store at once (the current one and any still in grace),
    /// leaving the tenant Revoked until a new key arrives; the backend stops using the key when its cached copy expires.
    /// The reason is the admin's own words, audited.
    /// </summary>
    public async Task<KeyChangeResult> RevokeAsync(ClaimsPrincipal user, string tenantId, string reason, bool confirmed, CancellationToken cancellationToken)
    {
        var correlationId = AuditTrail.NewCorrelationId();
        await using (var db = contexts.CreateDbContext())
        {
            if (await FindAuthorizedTenantAsync(db, user, tenantId, ApiKeyOperations.Revoke, AuditActions.ApiKeyRevoke, cancellationToken, correlationId) is null)
            {
                return NotFound();
            }

            // Nothing to revoke only when neither the metadata nor the store has anything the backend could use.
            if (!await db.ApiKeyVersions.AnyAsync(v => v.TenantId == tenantId
                    && (v.Status == ApiKeyVersionStatus.Current || v.StillEnabledInStoreSince != null), cancellationToken)
                && !await StoreServesAnyAsync(tenantId, cancellationToken))
            {
                return new KeyChangeResult(KeyChangeOutcome.Conflict, text["NothingToRevoke"]);
            }
        }

        if (!confirmed)
        {
            return new KeyChangeResult(KeyChangeOutcome.Invalid, text["RevokeNotConfirmed"]);
        }

        reason = reason?.Trim() ?? "";
        if (reason.Length == 0)
        {
            return new KeyChangeResult(KeyChangeOutcome.Invalid, text["RevokeReasonMissing", RevokeReasonMaxLength]);
        }

        if (TextRules.Check(reason, TextRules.Subjects.Reason, RevokeReasonMaxLength, lineBreaks: true) is { } refused)
        {
            return new KeyChangeResult(KeyChangeOutcome.Invalid, refused);
        }

        return await lifecycle.RevokeAsync(PortalActor.From(user)!, tenantId, reason, correlationId, cancellationToken);
    }

    private async Task<bool> StoreServesAnyAsync(string tenantId, CancellationToken cancellationToken)
    {
        try
        {
            return await lifecycle.StoreServesAnyAsync(tenantId, cancellationToken);
        }
        catch (SecretStoreException)
        {
            // Cannot tell: let the revoke run; it reports the store's failure itself.
            return true;
        }
    }
}
