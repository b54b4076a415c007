using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.Platform;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.Tenants;

public sealed partial class TenantService
{
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
            return TenantChangeResult.Invalid(texts["IdExistsOnboard", slug]);
        }

        // After the tenants: a rename that commits in between has already reserved the id it frees.
        if (await RetiredIdProblemAsync(db, slug, cancellationToken) is { } retired)
        {
            return TenantChangeResult.Invalid(retired);
        }

        if (await FindDirectoryConflictAsync(db, directories, slug, cancellationToken) is { } conflict)
        {
            return TenantChangeResult.Invalid(conflict);
        }

        if (await SecretInUseAsync(slug, cancellationToken) is { } inUse)
        {
            return inUse;
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
            texts["Onboarded", slug, SecretName.ForTenant(slug).Value], cancellationToken);
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
                return TenantChangeResult.Invalid(texts["IdLocked", SecretName.ForTenant(tenant.Id).Value]);
            }

            if (await db.Tenants.AnyAsync(t => t.Id == newId, cancellationToken))
            {
                return TenantChangeResult.Invalid(texts["IdExists", newId]);
            }

            if (await RetiredIdProblemAsync(db, newId, cancellationToken) is { } retired)
            {
                return TenantChangeResult.Invalid(retired);
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
            return TenantChangeResult.Saved(texts["NothingChanged"]);
        }

        if (newId != tenant.Id)
        {
            // The key lock keeps a first submit out while the id moves, and the store must hold nothing under either name:
            // a version written but never recorded would stay behind under the old name for a later tenant to inherit.
            await using var held = await locks.AcquireAsync(tenant.Id, locks.Options.Wait, cancellationToken);
            if (held is null)
            {
                return new TenantChangeResult(TenantChangeOutcome.Failed, texts["KeyBeingStored", newId]);
            }

            if ((await SecretInUseAsync(tenant.Id, cancellationToken) ?? await SecretInUseAsync(newId, cancellationToken)) is { } inUse)
            {
                return inUse;
            }

            if (await RenameAsync(user, tenant.Id, newId, held.Holder, cancellationToken) is { } refused)
            {
                return refused;
            }

            // The move is saved; the rest of the edit (if any) goes onto the moved tenant.
            var rest = await UpdateAsync(user, newId, input, cancellationToken);
            return (rest.Succeeded ? TenantChangeResult.Saved(texts["Renamed", tenant.Id, newId]) : rest) with { NewTenantId = newId };
        }

        tenant.DisplayName = input.DisplayName.Trim();
        tenant.RotationIntervalDays = policy.IntervalDays;
        tenant.ReminderLeadDays = [.. policy.ReminderLeadDays];
        tenant.GracePeriodDays = policy.GracePeriodDays;
        Replace(db, tenant, directories);
        ReplaceContacts(db, tenant, contacts);
        return await SaveAsync(db, user, AuditActions.TenantUpdate, tenant.Id, changes, texts["Saved", tenant.Id], cancellationToken);
    }

    /// <summary>
    /// Moves a tenant that has no key yet to a new id, in one transaction: the new row, its directories and contacts
    /// re-pointed, the old row gone and the old id retired (its audit rows and chain stay under it, so no later tenant
    /// may take it). Returns null when moved (the caller then applies the rest of the edit), or why not.
    /// </summary>
    private async Task<TenantChangeResult?> RenameAsync(ClaimsPrincipal user, string oldId, string newId, string lockHolder, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = contexts.CreateDbContext();
            await db.Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
            {
                await using var work = contexts.CreateDbContext();
                await using var transaction = await work.Database.BeginTransactionAsync(ct);
                var old = await work.Tenants.AsNoTracking().FirstAsync(t => t.Id == oldId, ct);
                var now = time.GetUtcNow();
                work.Tenants.Add(new Tenant
                {
                    Id = newId, DisplayName = old.DisplayName, CreatedAt = old.CreatedAt, RotationIntervalDays = old.RotationIntervalDays,
                    ReminderLeadDays = old.ReminderLeadDays, GracePeriodDays = old.GracePeriodDays,
                    OffboardedAt = old.OffboardedAt, OffboardReason = old.OffboardReason, Probe = old.Probe,
                    // The signing key's protection names the tenant: protected again for the new id, or it would no longer sign.
                    WebhookUrl = old.WebhookUrl,
                    WebhookSigningKeyProtected = old.WebhookSigningKeyProtected is { } signingKey ? signingKeys.Reprotect(signingKey, old.Id, newId) : null,
                });
                work.RetiredTenantIds.Add(new RetiredTenantId { Id = old.Id, RenamedTo = newId, RetiredAt = now });
                await AuditTrail.ChainAsync(work, audit.Create(PortalActor.From(user), AuditActions.TenantUpdate, AuditOutcome.Succeeded, newId,
                    changes: new AuditChanges().Add("Id", oldId, newId).ToString()), ct);
                await work.SaveChangesAsync(ct);
                await work.TenantDirectories.Where(d => d.TenantId == oldId).ExecuteUpdateAsync(u => u.SetProperty(d => d.TenantId, newId), ct);
                await work.TenantContacts.Where(c => c.TenantId == oldId).ExecuteUpdateAsync(u => u.SetProperty(c => c.TenantId, newId), ct);
                // Only a tenant with no key and no other key change in flight moves (the lock is this rename's, or free).
                if (await work.Tenants
                        .Where(t => t.Id == oldId && (t.KeyLockHolder == lockHolder || t.KeyLockHolder == null || t.KeyLockExpiresAt <= now)
                            && !work.ApiKeyVersions.Any(v => v.TenantId == oldId))
                        .ExecuteDeleteAsync(ct) != 1)
                {
                    throw new KeyChangeInFlightException();
                }

                await transaction.CommitAsync(ct);
            }, cancellationToken);
            return null;
        }
        catch (KeyChangeInFlightException)
        {
            return new TenantChangeResult(TenantChangeOutcome.Failed, texts["KeyBeingStored", newId]);
        }
        catch (DbUpdateException ex)
        {
            LogSaveFailed(logger, ex, AuditActions.TenantUpdate, oldId);
            return new TenantChangeResult(TenantChangeOutcome.Failed, texts["MoveConflict", newId]);
        }
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
            return TenantChangeResult.Invalid(texts["NotOffboarded", tenant.DisplayName]);
        }

        var changes = new AuditChanges().Add("Offboarded", tenant.OffboardedAt?.ToString("yyyy-MM-dd", null), null);
        tenant.OffboardedAt = null;
        tenant.OffboardReason = null;
        return await SaveAsync(db, user, AuditActions.TenantReonboard, tenant.Id, changes,
            texts["Reonboarded", tenant.DisplayName], cancellationToken);
    }

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

    /// <summary>Why <paramref name="id"/> cannot be given to a tenant because a rename freed it, or null.</summary>
    private async Task<string?> RetiredIdProblemAsync(PortalDbContext db, string id, CancellationToken cancellationToken)
    {
        var retired = await db.RetiredTenantIds.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (retired is null)
        {
            return null;
        }

        return retired.RenamedTo is { } renamedTo
            ? texts["RetiredRenamed", id, renamedTo, retired.RetiredAt.UtcDateTime]
            : texts["RetiredEarlier", id];
    }

    private async Task<string?> FindDirectoryConflictAsync(PortalDbContext db, List<Guid> directories, string ownerId, CancellationToken cancellationToken)
    {
        var taken = await db.TenantDirectories.AsNoTracking()
            .Where(d => directories.Contains(d.EntraTenantId) && d.TenantId != ownerId)
            .Select(d => new { d.EntraTenantId, d.TenantId })
            .FirstOrDefaultAsync(cancellationToken);
        return taken is null
            ? null
            : texts["DirectoryTaken", taken.EntraTenantId, taken.TenantId].Value;
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

    private sealed class KeyChangeInFlightException : Exception;

    /// <summary>A refusal when the store already holds versions of the tenant's secret; null when it holds none.</summary>
    private async Task<TenantChangeResult?> SecretInUseAsync(string tenantId, CancellationToken cancellationToken)
    {
        try
        {
            return await lifecycle.StoreHoldsAnyAsync(tenantId, cancellationToken)
                ? TenantChangeResult.Invalid(texts["SecretInUse", SecretName.ForTenant(tenantId).Value, tenantId])
                : null;
        }
        catch (SecretStoreException)
        {
            return new TenantChangeResult(TenantChangeOutcome.Failed, texts["StoreUnavailable", SecretName.ForTenant(tenantId).Value]);
        }
    }
}
