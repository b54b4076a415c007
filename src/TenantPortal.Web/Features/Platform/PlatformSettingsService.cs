using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Web.Features.Platform;

/// <summary>What a platform admin submits for the platform settings.</summary>
public sealed record PlatformSettingsInput(
    int DefaultRotationIntervalDays,
    int MaxRotationIntervalDays,
    IReadOnlyList<int> ReminderLeadDays,
    int GracePeriodDays,
    IReadOnlyList<string> ProbeAllowedHosts,
    bool KeepPreviousWhileInUse = false);

public sealed record SaveResult(bool Succeeded, string? Problem = null)
{
    public static SaveResult Ok { get; } = new(true);

    public static SaveResult NotFound { get; } = new(false, "Not found.");

    public static SaveResult Invalid(string problem) => new(false, problem);
}

/// <summary>Platform-wide rotation defaults and limits. Everyone reads them (the defaults apply to them); only platform admins change them.</summary>
public sealed class PlatformSettingsService(
    IDbContextFactory<PortalDbContext> contexts,
    IAuthorizationService authorization,
    AuditTrail audit,
    TimeProvider time)
{
    public const int MaxProbeHosts = 20;

    /// <summary>The settings in force: the stored row, or the product defaults before a platform admin saved any.</summary>
    public async Task<PlatformSettings> GetAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return await LoadAsync(db, tracking: false, cancellationToken);
    }

    public async Task<SaveResult> UpdateAsync(ClaimsPrincipal user, PlatformSettingsInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var actor = PortalActor.From(user);
        if (!(await authorization.AuthorizeAsync(user, PortalPolicies.PlatformAdmin)).Succeeded)
        {
            await audit.TryAppendAsync(audit.Create(actor, AuditActions.PlatformSettingsUpdate, AuditOutcome.Denied, tenantId: null,
                reason: "Not permitted: platform settings"), cancellationToken);
            return SaveResult.NotFound;
        }

        if (Validate(input, out var hosts) is { } problem)
        {
            return SaveResult.Invalid(problem);
        }

        await using var db = contexts.CreateDbContext();
        var settings = await LoadAsync(db, tracking: true, cancellationToken);
        var changes = new AuditChanges()
            .Add("Default interval", settings.DefaultRotationIntervalDays, input.DefaultRotationIntervalDays)
            .Add("Maximum interval", settings.MaxRotationIntervalDays, input.MaxRotationIntervalDays)
            .Add("Reminder leads", RotationPolicyRules.Format(settings.ReminderLeadDays), RotationPolicyRules.Format(input.ReminderLeadDays))
            .Add("Grace period", settings.GracePeriodDays, input.GracePeriodDays)
            .AddSet("Probe allow-list", settings.ProbeAllowedHosts, hosts)
            .Add("Keep a previous version while the backend uses it", settings.KeepPreviousWhileInUse, input.KeepPreviousWhileInUse);
        if (changes.IsEmpty)
        {
            return SaveResult.Ok;
        }

        settings.DefaultRotationIntervalDays = input.DefaultRotationIntervalDays;
        settings.MaxRotationIntervalDays = input.MaxRotationIntervalDays;
        settings.ReminderLeadDays = [.. input.ReminderLeadDays.OrderDescending()];
        settings.GracePeriodDays = input.GracePeriodDays;
        settings.ProbeAllowedHosts = hosts;
        settings.KeepPreviousWhileInUse = input.KeepPreviousWhileInUse;
        settings.UpdatedAt = time.GetUtcNow();
        await AuditTrail.ChainAsync(db, audit.Create(actor, AuditActions.PlatformSettingsUpdate, AuditOutcome.Succeeded, tenantId: null,
            changes: changes.ToString()), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return SaveResult.Ok;
    }

    /// <summary>A specific problem with the input, or null; <paramref name="hosts"/> are the normalised probe allow-list entries.</summary>
    public static string? Validate(PlatformSettingsInput input, out List<string> hosts)
    {
        ArgumentNullException.ThrowIfNull(input);
        hosts = [];
        if (input.MaxRotationIntervalDays < RotationPolicy.MinIntervalDays || input.MaxRotationIntervalDays > RotationPolicy.MaxIntervalDays)
        {
            return $"The maximum rotation interval must be between {RotationPolicy.MinIntervalDays} and {RotationPolicy.MaxIntervalDays} days.";
        }

        if (input.DefaultRotationIntervalDays > input.MaxRotationIntervalDays)
        {
            return $"The default rotation interval ({input.DefaultRotationIntervalDays} days) cannot exceed the maximum ({input.MaxRotationIntervalDays} days).";
        }

        var policy = new RotationPolicy(input.DefaultRotationIntervalDays, input.ReminderLeadDays, input.GracePeriodDays);
        if (RotationPolicyRules.Validate(policy, input.MaxRotationIntervalDays) is { } problem)
        {
            return problem;
        }

        var problems = new List<string>();
        foreach (var raw in input.ProbeAllowedHosts.Where(h => !string.IsNullOrWhiteSpace(h)))
        {
            if (ProbeAllowListEntry.TryParse(raw, out var entry) is { } invalid)
            {
                problems.Add(invalid);
            }
            else if (!hosts.Contains(entry!.Stored))
            {
                hosts.Add(entry.Stored);
            }
        }

        if (problems.Count > 0)
        {
            // Every entry that is wrong, each named, so that one save fixes them all.
            return string.Join("\n", problems);
        }

        if (hosts.Count > MaxProbeHosts)
        {
            return $"At most {MaxProbeHosts} probe allow-list entries are allowed.";
        }

        return System.Text.Json.JsonSerializer.Serialize(hosts).Length > PlatformSettings.ProbeAllowedHostsMaxLength
            ? $"The probe allow-list is too long (at most {PlatformSettings.ProbeAllowedHostsMaxLength.ToString(CultureInfo.InvariantCulture)} characters in all)."
            : null;
    }

    internal static async Task<PlatformSettings> LoadAsync(PortalDbContext db, bool tracking, CancellationToken cancellationToken)
    {
        var query = tracking ? db.PlatformSettings : db.PlatformSettings.AsNoTracking();
        var settings = await query.FirstOrDefaultAsync(s => s.Id == PlatformSettings.SingletonId, cancellationToken);
        if (settings is null)
        {
            settings = new PlatformSettings();
            if (tracking)
            {
                db.PlatformSettings.Add(settings);
            }
        }

        return settings;
    }
}
