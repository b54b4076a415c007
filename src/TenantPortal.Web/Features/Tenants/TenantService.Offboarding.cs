using System.Security.Claims;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.Infrastructure.Text;

namespace TenantPortal.Web.Features.Tenants;

public sealed partial class TenantService
{
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
            return TenantChangeResult.Invalid(texts["AlreadyOffboarded", tenant.DisplayName, tenant.OffboardedAt!.Value.UtcDateTime]);
        }

        if (!string.Equals(typedName?.Trim(), tenant.DisplayName, StringComparison.Ordinal))
        {
            return TenantChangeResult.Invalid(texts["TypeName", tenant.DisplayName]);
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            return TenantChangeResult.Invalid(texts["GiveReason", Tenant.OffboardReasonMaxLength]);
        }

        if (TextRules.Check(reason.Trim(), TextRules.Subjects.Reason, Tenant.OffboardReasonMaxLength, lineBreaks: true) is { } refused)
        {
            return TenantChangeResult.Invalid(refused);
        }

        // The key lifecycle disables every version under the tenant's key lock, confirmed by the store, then marks the tenant offboarded.
        var result = await lifecycle.OffboardAsync(PortalActor.From(user)!, tenant.Id, reason.Trim(), AuditTrail.NewCorrelationId(), cancellationToken);
        return result.Outcome switch
        {
            KeyChangeOutcome.Done => TenantChangeResult.Saved(result.Message),
            KeyChangeOutcome.Invalid or KeyChangeOutcome.Conflict => TenantChangeResult.Invalid(result.Message),
            KeyChangeOutcome.NotFound => TenantChangeResult.NotFound,
            _ => new TenantChangeResult(TenantChangeOutcome.Failed, result.Message),
        };
    }
}
