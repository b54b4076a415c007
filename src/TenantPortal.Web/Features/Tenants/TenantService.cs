using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Notifications;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.Infrastructure.Paging;
using TenantPortal.Web.Infrastructure.Text;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.Tenants;

/// <summary>
/// Onboarding, editing and offboarding tenants (platform admins), and a tenant's own details, contacts and policy
/// (its admins). Every method authorizes in the service; every change is audited with what changed, or does not happen.
/// </summary>
public sealed partial class TenantService(
    IDbContextFactory<PortalDbContext> contexts,
    KeyLifecycle lifecycle,
    TenantKeyLocks locks,
    IAuthorizationService authorization,
    IOptions<PortalAuthOptions> authOptions,
    AuditTrail audit,
    WebhookSigningKeys signingKeys,
    TimeProvider time,
    IStringLocalizer<TenantService> texts,
    ILogger<TenantService> logger)
{
    public const int MaxPageSize = 100;

    public async Task<PagedResult<TenantListRow>?> ListAsync(ClaimsPrincipal user, TenantListQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!await IsPlatformAdminAsync(user, AuditActions.TenantView, tenantId: null, cancellationToken))
        {
            return null;
        }

        if (TextRules.CheckSearch(query.Search, TextRules.Subjects.Search) is { } refused)
        {
            return PagedResult.Refused<TenantListRow>(refused);
        }

        await using var db = contexts.CreateDbContext();
        var tenants = db.Tenants.AsNoTracking();
        if (!query.IncludeOffboarded)
        {
            tenants = tenants.Where(t => t.OffboardedAt == null);
        }

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var term = query.Search.Trim();
            tenants = Guid.TryParse(term, out var tid)
                ? tenants.Where(t => t.Directories.Any(d => d.EntraTenantId == tid))
                : tenants.Where(t => t.Id.Contains(term) || t.DisplayName.Contains(term));
        }

        var total = await tenants.CountAsync(cancellationToken);
        var pageSize = Math.Clamp(query.PageSize, 1, MaxPageSize);
        var rows = await tenants
            .OrderBy(t => t.DisplayName).ThenBy(t => t.Id)
            .Skip(Math.Max(query.Page, 0) * pageSize).Take(pageSize)
            .Select(t => new TenantListRow(t.Id, t.DisplayName, t.Directories.Count, t.Contacts.Count, t.RotationIntervalDays,
                db.ApiKeyVersions.Any(v => v.TenantId == t.Id), t.CreatedAt, t.OffboardedAt))
            .ToListAsync(cancellationToken);
        return new PagedResult<TenantListRow>(rows, total);
    }

    /// <summary>A tenant's details for its own admins, support and platform admins; null for anyone else (audited).</summary>
    public async Task<TenantDetails?> GetAsync(ClaimsPrincipal user, string tenantId, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var tenant = await LoadAsync(db, tenantId, tracking: false, cancellationToken);
        if (!await AuthorizeAsync(user, tenantId, tenant, TenantOperations.ViewDetails, AuditActions.TenantView, cancellationToken))
        {
            return null;
        }

        var hasKey = await db.ApiKeyVersions.AnyAsync(v => v.TenantId == tenant!.Id, cancellationToken);
        return ToDetails(tenant!, hasKey) with
        {
            CanEditContacts = !tenant!.IsOffboarded && (await authorization.AuthorizeAsync(user, tenant, TenantOperations.ManageContacts)).Succeeded,
            CanEditPolicy = !tenant.IsOffboarded && (await authorization.AuthorizeAsync(user, tenant, TenantOperations.ManagePolicy)).Succeeded,
            Probe = tenant.Probe,
            CanAdminister = (await authorization.AuthorizeAsync(user, PortalPolicies.PlatformAdmin)).Succeeded,
        };
    }

    /// <summary>The audit rows' English description of a policy; a page describes it in its reader's language.</summary>
    public static string Describe(RotationPolicy p) =>
        $"every {p.IntervalDays} d, reminders {RotationPolicyRules.Format(p.ReminderLeadDays)} d before, grace {p.GracePeriodDays} d";

    private static string Describe(ContactInput c) => $"{c.Email} ({c.Language})";

    private static void ReplaceContacts(PortalDbContext db, Tenant tenant, List<ContactInput> contacts)
    {
        foreach (var gone in tenant.Contacts.Where(c => c.TenantId != tenant.Id || contacts.All(n => n.Email != c.Email)).ToList())
        {
            tenant.Contacts.Remove(gone);
            db.TenantContacts.Remove(gone);
        }

        foreach (var contact in contacts)
        {
            if (tenant.Contacts.FirstOrDefault(c => c.Email == contact.Email) is { } existing)
            {
                existing.Language = contact.Language;
            }
            else
            {
                var row = new TenantContact { TenantId = tenant.Id, Email = contact.Email, Language = contact.Language };
                tenant.Contacts.Add(row);
                db.TenantContacts.Add(row);
            }
        }
    }

    private async Task<TenantChangeResult> SaveAsync(
        PortalDbContext db, ClaimsPrincipal user, string action, string tenantId, AuditChanges changes, string message, CancellationToken cancellationToken)
    {
        try
        {
            await AuditTrail.ChainAsync(db, audit.Create(PortalActor.From(user), action, AuditOutcome.Succeeded, tenantId, changes: changes.ToString()),
                cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            return TenantChangeResult.Saved(message);
        }
        catch (DbUpdateException ex)
        {
            // A unique index caught a concurrent change (same id or Entra tenant); the transaction left nothing behind.
            LogSaveFailed(logger, ex, action, tenantId);
            return new TenantChangeResult(TenantChangeOutcome.Failed, texts["ConcurrentChange"]);
        }
    }

    private static Task<Tenant?> LoadAsync(PortalDbContext db, string tenantId, bool tracking, CancellationToken cancellationToken)
    {
        var tenants = db.Tenants.Include(t => t.Directories).Include(t => t.Contacts).AsSplitQuery();
        return (tracking ? tenants : tenants.AsNoTracking()).FirstOrDefaultAsync(t => t.Id == tenantId, cancellationToken);
    }

    private async Task<bool> IsPlatformAdminAsync(ClaimsPrincipal user, string action, string? tenantId, CancellationToken cancellationToken)
    {
        if ((await authorization.AuthorizeAsync(user, PortalPolicies.PlatformAdmin)).Succeeded)
        {
            return true;
        }

        await audit.TryAppendAsync(audit.Create(PortalActor.From(user), action, AuditOutcome.Denied, tenantId,
            reason: "Not permitted: platform administration", chainId: AuditChains.Platform), cancellationToken);
        return false;
    }

    private Task<bool> AuthorizeAsync(
        ClaimsPrincipal user, string tenantId, Tenant? tenant, TenantOperationRequirement operation, string action, CancellationToken cancellationToken) =>
        authorization.AuthorizeTenantAsync(audit, user, tenantId, tenant, operation, action, cancellationToken);

    private static TenantDetails ToDetails(Tenant t, bool hasKey) => new(
        t.Id, t.DisplayName, SecretName.ForTenant(t.Id).Value,
        t.Directories.Select(d => d.EntraTenantId).Order().ToList(),
        t.Contacts.OrderBy(c => c.Email, StringComparer.Ordinal).Select(c => new ContactInput(c.Email, c.Language)).ToList(),
        t.Policy, t.CreatedAt, t.OffboardedAt, t.OffboardReason, hasKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Action} on {TenantId} was not saved")]
    private static partial void LogSaveFailed(ILogger logger, Exception exception, string action, string tenantId);
}
