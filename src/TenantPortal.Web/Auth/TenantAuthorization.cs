using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Web.Auth;

/// <summary>The feature services' one check before an operation on a tenant.</summary>
public static class TenantAuthorization
{
    /// <summary>
    /// Whether <paramref name="user"/> may perform <paramref name="operation"/> on <paramref name="tenant"/> (null when
    /// no tenant has <paramref name="tenantId"/>). Another tenant's resource and a missing one look the same to the
    /// caller (false: "not found"); the denial is audited, and the audit trail tells them apart. Denials are audited
    /// within the actor's budget (<see cref="DenialAuditBudget"/>); the answer is the same beyond it.
    /// </summary>
    public static async Task<bool> AuthorizeTenantAsync(
        this IAuthorizationService authorization,
        AuditTrail audit,
        ClaimsPrincipal user,
        string tenantId,
        ITenantResource? tenant,
        TenantOperationRequirement operation,
        string action,
        CancellationToken cancellationToken,
        string? correlationId = null)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(operation);
        if (tenant is not null && (await authorization.AuthorizeAsync(user, tenant, operation)).Succeeded)
        {
            return true;
        }

        var actor = PortalActor.From(user);
        await audit.TryAppendDenialAsync(audit.Create(actor, action, AuditOutcome.Denied, tenantId, correlationId,
            reason: tenant is null ? "No such tenant" : $"Not permitted: {operation.Name}",
            chainId: DenialChain(actor, tenant)), cancellationToken);
        return false;
    }

    /// <summary>
    /// A denial is the tenant's business only when the caller is one of its own users. Anyone else's (another tenant's
    /// admin, staff, anonymous) goes to the platform chain, with the tenant in the tenant column for staff to filter on:
    /// otherwise an outsider could write their own name and user agent into the victim's trail, for its admins to read.
    /// </summary>
    private static string DenialChain(PortalActor? actor, ITenantResource? tenant) =>
        tenant is not null && actor is not null && tenant.IsManagedFrom(actor.EntraTenantId) ? tenant.Id : AuditChains.Platform;
}
