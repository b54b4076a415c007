using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Audit;
using TenantPortal.Web.Features.Platform;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Support;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.Tenants;

/// <summary>
/// Onboarding, editing and offboarding tenants (platform admins), and a tenant's own details, contacts and policy
/// (its admins). Every method authorizes in the service; every change is audited with what changed, or does not happen.
/// </summary>
public sealed partial class TenantService(
    IDbContextFactory<PortalDbContext> contexts,
    KeyLifecycle lifecycle,
    IAuthorizationService authorization,
    IOptions<PortalAuthOptions> authOptions,
    AuditTrail audit,
    TimeProvider time,
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

    public async Task<TenantChangeResult> OnboardAsync(ClaimsPrincipal user, TenantInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var slug = input.Id?.Trim() ?? "";
        if (!await IsPlatformAdminAsync(user, AuditActions.TenantOnboard, slug, cancellationToken))
        {
            return TenantChangeResult.NotFound;
        }

        await using var db = contexts.CreateDbContext();
        var platform = await PlatformSettingsService.LoadAsync(db, tracking: false, cancellationToken);
        if (ValidateSlugAndProfile(input, platform, out var directories, out var contacts) is { } problem)
        {
            return TenantChangeResult.Invalid(problem);
        }

        if (await db.Tenants.AnyAsync(t => t.Id == slug, cancellationToken))
        {
            return TenantChangeResult.Invalid($"A tenant with the id \"{slug}\" already exists (offboarded tenants keep their id; re-onboard it instead).");
        }

        if (await FindDirectoryConflictAsync(db, directories, slug, cancellationToken) is { } conflict)
        {
            return TenantChangeResult.Invalid(conflict);
        }

        var tenant = new Tenant
        {
            Id = slug,
            DisplayName = input.DisplayName.Trim(),
            CreatedAt = time.GetUtcNow(),
            RotationIntervalDays = input.Policy.IntervalDays,
            ReminderLeadDays = [.. input.Policy.ReminderLeadDays.OrderDescending()],
            GracePeriodDays = input.Policy.GracePeriodDays,
        };
        tenant.Directories.AddRange(directories.Select(id => new TenantDirectory { EntraTenantId = id, TenantId = slug }));
        tenant.Contacts.AddRange(contacts.Select(c => new TenantContact { TenantId = slug, Email = c.Email, Language = c.Language }));
        db.Tenants.Add(tenant);

        var changes = new AuditChanges()
            .Add("Display name", (string?)null, tenant.DisplayName)
            .AddSet("Entra tenants", [], directories.Select(d => d.ToString()))
            .AddSet("Contacts", [], contacts.Select(Describe))
            .Add("Policy", (string?)null, Describe(tenant.Policy));
        return await SaveAsync(db, user, AuditActions.TenantOnboard, slug, changes,
            $"Tenant {slug} onboarded. Its key will be stored as the secret {SecretName.ForTenant(slug)}.", cancellationToken);
    }

    /// <summary>Edits a tenant. The id may change only while no key version exists, because the secret name depends on it.</summary>
    public async Task<TenantChangeResult> UpdateAsync(ClaimsPrincipal user, string tenantId, TenantInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!await IsPlatformAdminAsync(user, AuditActions.TenantUpdate, tenantId, cancellationToken))
        {
            return TenantChangeResult.NotFound;
        }

        await using var db = contexts.CreateDbContext();
        var tenant = await LoadAsync(db, tenantId, tracking: true, cancellationToken);
        if (tenant is null)
        {
            return TenantChangeResult.NotFound;
        }

        var platform = await PlatformSettingsService.LoadAsync(db, tracking: false, cancellationToken);
        if (ValidateSlugAndProfile(input, platform, out var directories, out var contacts) is { } problem)
        {
            return TenantChangeResult.Invalid(problem);
        }

        var newId = input.Id.Trim();
        if (newId != tenant.Id)
        {
            if (await db.ApiKeyVersions.AnyAsync(v => v.TenantId == tenant.Id, cancellationToken))
            {
                return TenantChangeResult.Invalid(
                    $"The id cannot change any more: a key exists under the secret name {SecretName.ForTenant(tenant.Id)}, which depends on it.");
            }

            if (await db.Tenants.AnyAsync(t => t.Id == newId, cancellationToken))
            {
                return TenantChangeResult.Invalid($"A tenant with the id \"{newId}\" already exists.");
            }
        }

        if (await FindDirectoryConflictAsync(db, directories, tenant.Id, cancellationToken) is { } conflict)
        {
            return TenantChangeResult.Invalid(conflict);
        }

        var policy = input.Policy with { ReminderLeadDays = [.. input.Policy.ReminderLeadDays.OrderDescending()] };
        var changes = new AuditChanges()
            .Add("Id", tenant.Id, newId)
            .Add("Display name", tenant.DisplayName, input.DisplayName.Trim())
            .AddSet("Entra tenants", tenant.Directories.Select(d => d.EntraTenantId.ToString()), directories.Select(d => d.ToString()))
            .AddSet("Contacts", tenant.Contacts.Select(c => Describe(new ContactInput(c.Email, c.Language))), contacts.Select(Describe))
            .Add("Policy", Describe(tenant.Policy), Describe(policy));
        if (changes.IsEmpty)
        {
            return TenantChangeResult.Saved("Nothing changed.");
        }

        if (newId != tenant.Id)
        {
            if (await RenameAsync(user, tenant.Id, newId, cancellationToken) is { } refused)
            {
                return refused;
            }

            // The move is saved; the rest of the edit (if any) goes onto the moved tenant.
            var rest = await UpdateAsync(user, newId, input, cancellationToken);
            return (rest.Succeeded ? TenantChangeResult.Saved($"Tenant {tenant.Id} is now {newId}.") : rest) with { NewTenantId = newId };
        }

        tenant.DisplayName = input.DisplayName.Trim();
        tenant.RotationIntervalDays = policy.IntervalDays;
        tenant.ReminderLeadDays = [.. policy.ReminderLeadDays];
        tenant.GracePeriodDays = policy.GracePeriodDays;
        Replace(db, tenant, directories);
        ReplaceContacts(db, tenant, contacts);
        return await SaveAsync(db, user, AuditActions.TenantUpdate, tenant.Id, changes, $"Tenant {tenant.Id} saved.", cancellationToken);
    }

    /// <summary>
    /// Moves a tenant that has no key yet to a new id, in one transaction: the new row, its directories and contacts
    /// re-pointed, the old row gone. Returns null when moved (the caller then applies the rest of the edit), or why not.
    /// </summary>
    private async Task<TenantChangeResult?> RenameAsync(ClaimsPrincipal user, string oldId, string newId, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = contexts.CreateDbContext();
            await db.Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
            {
                await using var work = contexts.CreateDbContext();
                await using var transaction = await work.Database.BeginTransactionAsync(ct);
                var old = await work.Tenants.AsNoTracking().FirstAsync(t => t.Id == oldId, ct);
                work.Tenants.Add(new Tenant
                {
                    Id = newId, DisplayName = old.DisplayName, CreatedAt = old.CreatedAt, RotationIntervalDays = old.RotationIntervalDays,
                    ReminderLeadDays = old.ReminderLeadDays, GracePeriodDays = old.GracePeriodDays,
                    OffboardedAt = old.OffboardedAt, OffboardReason = old.OffboardReason, Probe = old.Probe,
                    WebhookUrl = old.WebhookUrl, WebhookSigningKeyProtected = old.WebhookSigningKeyProtected,
                });
                await AuditTrail.ChainAsync(work, audit.Create(PortalActor.From(user), AuditActions.TenantUpdate, AuditOutcome.Succeeded, newId,
                    changes: new AuditChanges().Add("Id", oldId, newId).ToString()), ct);
                await work.SaveChangesAsync(ct);
                await work.TenantDirectories.Where(d => d.TenantId == oldId).ExecuteUpdateAsync(u => u.SetProperty(d => d.TenantId, newId), ct);
                await work.TenantContacts.Where(c => c.TenantId == oldId).ExecuteUpdateAsync(u => u.SetProperty(c => c.TenantId, newId), ct);
                await work.Tenants.Where(t => t.Id == oldId).ExecuteDeleteAsync(ct);
                await transaction.CommitAsync(ct);
            }, cancellationToken);
            return null;
        }
        catch (DbUpdateException ex)
        {
            LogSaveFailed(logger, ex, AuditActions.TenantUpdate, oldId);
            return new TenantChangeResult(TenantChangeOutcome.Failed,
                $"The tenant could not be moved to the id \"{newId}\" because it changed at the same time. Nothing was saved; reload and try again.");
        }
    }

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

        var result = await lifecycle.OffboardAsync(PortalActor.From(user)!, tenant.Id, reason.Trim(), AuditTrail.NewCorrelationId(), cancellationToken);
        return result.Outcome switch
        {
            KeyChangeOutcome.Done => TenantChangeResult.Saved(result.Message),
            KeyChangeOutcome.Invalid => TenantChangeResult.Invalid(result.Message),
            KeyChangeOutcome.NotFound => TenantChangeResult.NotFound,
            _ => new TenantChangeResult(TenantChangeOutcome.Failed, result.Message),
        };
    }

    /// <summary>Lets an offboarded tenant's users back in. Its old key versions stay disabled: an admin submits a new key.</summary>
    public async Task<TenantChangeResult> ReonboardAsync(ClaimsPrincipal user, string tenantId, CancellationToken cancellationToken)
    {
        if (!await IsPlatformAdminAsync(user, AuditActions.TenantReonboard, tenantId, cancellationToken))
        {
            return TenantChangeResult.NotFound;
        }

        await using var db = contexts.CreateDbContext();
        var tenant = await db.Tenants.FirstOrDefaultAsync(t => t.Id == tenantId, cancellationToken);
        if (tenant is null)
        {
            return TenantChangeResult.NotFound;
        }

        if (!tenant.IsOffboarded)
        {
            return TenantChangeResult.Invalid($"{tenant.DisplayName} is not offboarded.");
        }

        var changes = new AuditChanges().Add("Offboarded", tenant.OffboardedAt?.ToString("yyyy-MM-dd", null), null);
        tenant.OffboardedAt = null;
        tenant.OffboardReason = null;
        return await SaveAsync(db, user, AuditActions.TenantReonboard, tenant.Id, changes,
            $"{tenant.DisplayName} is onboarded again. Its previous key versions stay disabled; an admin of the tenant submits a new key.", cancellationToken);
    }

    /// <summary>A tenant admin replaces their own tenant's notification contacts.</summary>
    public async Task<TenantChangeResult> UpdateContactsAsync(ClaimsPrincipal user, string tenantId, IReadOnlyList<ContactInput> input, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var tenant = await LoadAsync(db, tenantId, tracking: true, cancellationToken);
        if (!await AuthorizeAsync(user, tenantId, tenant, TenantOperations.ManageContacts, AuditActions.TenantContactsUpdate, cancellationToken))
        {
            return TenantChangeResult.NotFound;
        }

        if (TenantRules.ParseContacts(input, out var contacts) is { } problem)
        {
            return TenantChangeResult.Invalid(problem);
        }

        var changes = new AuditChanges()
            .AddSet("Contacts", tenant!.Contacts.Select(c => Describe(new ContactInput(c.Email, c.Language))), contacts.Select(Describe));
        if (changes.IsEmpty)
        {
            return TenantChangeResult.Saved("Nothing changed.");
        }

        ReplaceContacts(db, tenant, contacts);
        return await SaveAsync(db, user, AuditActions.TenantContactsUpdate, tenant.Id, changes, "Contacts saved.", cancellationToken);
    }

    /// <summary>A tenant admin tightens their tenant's rotation policy; never beyond the platform's limits.</summary>
    public async Task<TenantChangeResult> UpdatePolicyAsync(ClaimsPrincipal user, string tenantId, RotationPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        await using var db = contexts.CreateDbContext();
        var tenant = await LoadAsync(db, tenantId, tracking: true, cancellationToken);
        if (!await AuthorizeAsync(user, tenantId, tenant, TenantOperations.ManagePolicy, AuditActions.TenantPolicyUpdate, cancellationToken))
        {
            return TenantChangeResult.NotFound;
        }

        var platform = await PlatformSettingsService.LoadAsync(db, tracking: false, cancellationToken);
        if (RotationPolicyRules.ValidateForTenantAdmin(policy, platform) is { } problem)
        {
            return TenantChangeResult.Invalid(problem);
        }

        var ordered = policy with { ReminderLeadDays = [.. policy.ReminderLeadDays.OrderDescending()] };
        var changes = new AuditChanges().Add("Policy", Describe(tenant!.Policy), Describe(ordered));
        if (changes.IsEmpty)
        {
            return TenantChangeResult.Saved("Nothing changed.");
        }

        tenant.RotationIntervalDays = ordered.IntervalDays;
        tenant.ReminderLeadDays = [.. ordered.ReminderLeadDays];
        tenant.GracePeriodDays = ordered.GracePeriodDays;
        return await SaveAsync(db, user, AuditActions.TenantPolicyUpdate, tenant.Id, changes,
            "Rotation policy saved. It applies from the next key version; the current version keeps its due date.", cancellationToken);
    }

    /// <summary>A tenant admin sets (or, with null, removes) the probe that must accept a key before it is stored.</summary>
    public async Task<TenantChangeResult> UpdateProbeAsync(ClaimsPrincipal user, string tenantId, VerificationProbe? probe, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var tenant = await LoadAsync(db, tenantId, tracking: true, cancellationToken);
        if (!await AuthorizeAsync(user, tenantId, tenant, TenantOperations.ManagePolicy, AuditActions.TenantProbeUpdate, cancellationToken))
        {
            return TenantChangeResult.NotFound;
        }

        var platform = await PlatformSettingsService.LoadAsync(db, tracking: false, cancellationToken);
        if (probe is not null && Outbound.VerificationProbeRules.Validate(probe, platform.ProbeAllowedHosts) is { } problem)
        {
            return TenantChangeResult.Invalid(problem);
        }

        var changes = new AuditChanges().Add("Verification probe", Describe(tenant!.Probe), Describe(probe));
        if (changes.IsEmpty)
        {
            return TenantChangeResult.Saved("Nothing changed.");
        }

        tenant.Probe = probe is null ? null : new VerificationProbe
        {
            Method = probe.Method, Url = probe.Url.Trim(), HeaderName = probe.HeaderName.Trim(), HeaderPrefix = probe.HeaderPrefix,
            ExpectedStatus = probe.ExpectedStatus,
        };
        return await SaveAsync(db, user, AuditActions.TenantProbeUpdate, tenant.Id, changes,
            probe is null ? "Verification probe removed." : "Verification probe saved: the next key must pass it before it is stored.", cancellationToken);
    }

    private static string? Describe(VerificationProbe? p) =>
        p is null ? null : $"{p.Method} {p.Url} with {p.HeaderName}: {p.HeaderPrefix}<key> expecting {p.ExpectedStatus}";

    public static string Describe(RotationPolicy p) =>
        $"every {p.IntervalDays} d, reminders {RotationPolicyRules.Format(p.ReminderLeadDays)} d before, grace {p.GracePeriodDays} d";

    private static string Describe(ContactInput c) => $"{c.Email} ({c.Language})";

    private string? ValidateSlugAndProfile(TenantInput input, PlatformSettings platform, out List<Guid> directories, out List<ContactInput> contacts)
    {
        directories = [];
        contacts = [];
        return TenantRules.ValidateSlug(input.Id?.Trim())
            ?? TenantRules.ValidateDisplayName(input.DisplayName)
            ?? TenantRules.ParseDirectories(input.EntraTenantIds, authOptions.Value.HomeTenantId, out directories)
            ?? TenantRules.ParseContacts(input.Contacts, out contacts)
            ?? RotationPolicyRules.Validate(input.Policy, platform.MaxRotationIntervalDays);
    }

    private static async Task<string?> FindDirectoryConflictAsync(PortalDbContext db, List<Guid> directories, string ownerId, CancellationToken cancellationToken)
    {
        var taken = await db.TenantDirectories.AsNoTracking()
            .Where(d => directories.Contains(d.EntraTenantId) && d.TenantId != ownerId)
            .Select(d => new { d.EntraTenantId, d.TenantId })
            .FirstOrDefaultAsync(cancellationToken);
        return taken is null
            ? null
            : $"The Entra tenant id {taken.EntraTenantId} already belongs to the tenant \"{taken.TenantId}\"; one Entra tenant acts for one portal tenant.";
    }

    private static void Replace(PortalDbContext db, Tenant tenant, List<Guid> directories)
    {
        foreach (var gone in tenant.Directories.Where(d => !directories.Contains(d.EntraTenantId) || d.TenantId != tenant.Id).ToList())
        {
            tenant.Directories.Remove(gone);
            db.TenantDirectories.Remove(gone);
        }

        foreach (var id in directories.Where(id => tenant.Directories.All(d => d.EntraTenantId != id)))
        {
            var row = new TenantDirectory { EntraTenantId = id, TenantId = tenant.Id };
            tenant.Directories.Add(row);
            db.TenantDirectories.Add(row);
        }
    }

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
            return new TenantChangeResult(TenantChangeOutcome.Failed,
                "The change could not be saved because the tenant or one of its Entra tenant ids was changed at the same time. Nothing was saved; reload and try again.");
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
