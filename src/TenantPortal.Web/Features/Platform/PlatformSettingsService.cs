using System.Globalization;
using System.Resources;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Web.Features.Platform;

/// <summary>Platform-wide rotation defaults and limits. Everyone reads them (the defaults apply to them); only platform admins change them.</summary>
public sealed class PlatformSettingsService(
    IDbContextFactory<PortalDbContext> contexts,
    IAuthorizationService authorization,
    AuditTrail audit,
    TimeProvider time)
{
    public const int MaxProbeHosts = 20;

    // The messages are worded in the caller's UI culture (PlatformSettingsService.resx, .ja.resx beside this file).
    private static readonly ResourceManager Texts = new(typeof(PlatformSettingsService));

    internal static string Text(string key, params object[] arguments) =>
        string.Format(CultureInfo.CurrentCulture, Texts.GetString(key, CultureInfo.CurrentUICulture)!, arguments);

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
            return Text("MaxIntervalRange", RotationPolicy.MinIntervalDays, RotationPolicy.MaxIntervalDays);
        }

        if (input.DefaultRotationIntervalDays > input.MaxRotationIntervalDays)
        {
            return Text("DefaultAboveMax", input.DefaultRotationIntervalDays, input.MaxRotationIntervalDays);
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
            return Text("TooManyHosts", MaxProbeHosts);
        }

        return System.Text.Json.JsonSerializer.Serialize(hosts).Length > PlatformSettings.ProbeAllowedHostsMaxLength
            ? Text("HostsTooLong", PlatformSettings.ProbeAllowedHostsMaxLength)
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

    /// <summary>Worded in the caller's UI culture.</summary>
    public static SaveResult NotFound => new(false, PlatformSettingsService.Text("NotFound"));

    public static SaveResult Invalid(string problem) => new(false, problem);
}
