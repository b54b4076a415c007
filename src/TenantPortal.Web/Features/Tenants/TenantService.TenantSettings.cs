using System.Security.Claims;
using TenantPortal.Web.Features.Platform;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Web.Features.Tenants;

public sealed partial class TenantService
{
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
            return TenantChangeResult.Saved(texts["NothingChanged"]);
        }

        ReplaceContacts(db, tenant, contacts);
        return await SaveAsync(db, user, AuditActions.TenantContactsUpdate, tenant.Id, changes, texts["ContactsSaved"], cancellationToken);
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
            return TenantChangeResult.Saved(texts["NothingChanged"]);
        }

        tenant.RotationIntervalDays = ordered.IntervalDays;
        tenant.ReminderLeadDays = [.. ordered.ReminderLeadDays];
        tenant.GracePeriodDays = ordered.GracePeriodDays;
        return await SaveAsync(db, user, AuditActions.TenantPolicyUpdate, tenant.Id, changes,
            texts["PolicySaved"], cancellationToken);
    }

    /// <summary>
    /// A tenant admin sets (or, with null, removes) the probe that must accept a key before it is stored. A new URL is
    /// told to the tenant's contacts (e-mail and webhook), queued in the same commit.
    /// </summary>
    public async Task<TenantChangeResult> UpdateProbeAsync(ClaimsPrincipal user, string tenantId, VerificationProbe? probe, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var tenant = await LoadAsync(db, tenantId, tracking: true, cancellationToken);
        if (!await AuthorizeAsync(user, tenantId, tenant, TenantOperations.ManagePolicy, AuditActions.TenantProbeUpdate, cancellationToken))
        {
            return TenantChangeResult.NotFound;
        }

        var platform = await PlatformSettingsService.LoadAsync(db, tracking: false, cancellationToken);
        if (probe is not null && VerificationProbeRules.Validate(probe, platform.ProbeAllowedHosts) is { } problem)
        {
            return TenantChangeResult.Invalid(problem);
        }

        var changes = new AuditChanges().Add("Verification probe", Describe(tenant!.Probe), Describe(probe));
        if (changes.IsEmpty)
        {
            return TenantChangeResult.Saved(texts["NothingChanged"]);
        }

        var previousUrl = tenant.Probe?.Url;
        tenant.Probe = probe is null ? null : new VerificationProbe
        {
            Method = probe.Method, Url = probe.Url.Trim(), HeaderName = probe.HeaderName.Trim(), HeaderPrefix = probe.HeaderPrefix,
            ExpectedStatus = probe.ExpectedStatus,
        };
        if (!string.Equals(previousUrl, tenant.Probe?.Url, StringComparison.Ordinal))
        {
            // The probe's URL is where every new key is sent before it is stored: its contacts hear of a new destination,
            // in the same commit as the change (a hijacked admin account cannot redirect keys unnoticed).
            RotationNotices.ProbeChanged(db, tenant, time.GetUtcNow());
        }

        return await SaveAsync(db, user, AuditActions.TenantProbeUpdate, tenant.Id, changes,
            probe is null ? texts["ProbeRemoved"] : texts["ProbeSaved"], cancellationToken);
    }

    private static string? Describe(VerificationProbe? p) =>
        p is null ? null : $"{p.Method} {p.Url} with {p.HeaderName}: {p.HeaderPrefix}<key> expecting {p.ExpectedStatus}";
}
