using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Web.Features.Support;

/// <summary>
/// The support console for support readers and platform admins: the dashboard, rotation status across all tenants,
/// a tenant's timeline and "whose key is this?". Metadata only, read in the database on indexes. Every method checks
/// the caller itself (a page's check is never the only one): anyone else gets null, and the denial is audited.
/// </summary>
public sealed partial class SupportService(
    IDbContextFactory<PortalDbContext> contexts,
    IAuthorizationService authorization,
    AuditTrail audit,
    ApiKeyFingerprints fingerprints,
    TimeProvider time,
    IStringLocalizer<SupportService> texts)
{
    public const int MaxPageSize = 100;

    /// <summary>Counting stops here for a search or a due window: the first page stays fast whatever matches.</summary>
    public const int CountLimit = 10_000;

    /// <summary>
    /// Whether <paramref name="user"/> is staff (support reader or platform admin of the home tenant). A denial is
    /// audited on the platform chain with "Not permitted: <paramref name="what"/>", within the actor's denial budget.
    /// </summary>
    private async Task<bool> IsStaffAsync(ClaimsPrincipal user, string action, string what, CancellationToken cancellationToken, string? tenantId = null)
    {
        if ((await authorization.AuthorizeAsync(user, PortalPolicies.StatusOverview)).Succeeded)
        {
            return true;
        }

        await audit.TryAppendDenialAsync(audit.Create(PortalActor.From(user), action, AuditOutcome.Denied, tenantId,
            reason: $"Not permitted: {what}", chainId: AuditChains.Platform), cancellationToken);
        return false;
    }
}
