using TenantPortal.Web.Features.Rotation;

namespace TenantPortal.Web.Features.Platform;

/// <summary>Platform-wide rotation defaults and limits, and the origins a verification probe may call. One row.</summary>
public sealed class PlatformSettings
{
    public const int SingletonId = 1;

    /// <summary>The allow-list is stored as one bounded text column (as JSON).</summary>
    public const int ProbeAllowedHostsMaxLength = 500;

    public int Id { get; init; } = SingletonId;

    public int DefaultRotationIntervalDays { get; set; } = RotationPolicy.DefaultIntervalDays;

    /// <summary>No tenant's interval may exceed this; tenant admins may tighten, never loosen beyond it.</summary>
    public int MaxRotationIntervalDays { get; set; } = RotationPolicy.MaxIntervalDays;

    public List<int> ReminderLeadDays { get; set; } = [.. RotationPolicy.DefaultReminderLeadDays];

    public int GracePeriodDays { get; set; } = RotationPolicy.DefaultGracePeriodDays;

    /// <summary>
    /// The origins (and path prefixes) a tenant's verification probe may call, in <see cref="ProbeAllowListEntry.Stored"/>
    /// form: a bare host is <c>https://host:443/</c>, as every entry was before entries became origins. The column keeps its name.
    /// </summary>
    public List<string> ProbeAllowedHosts { get; set; } = [];

    /// <summary>
    /// At the end of a grace period, a previous version the backend still used within <c>KeyHealth:PreviousInUseWindow</c>
    /// is kept enabled (the contacts told, once) until the backend stops using it, instead of being disabled after the notice.
    /// </summary>
    public bool KeepPreviousWhileInUse { get; set; }

    public DateTimeOffset? UpdatedAt { get; set; }

    public RotationPolicy DefaultPolicy => new(DefaultRotationIntervalDays, ReminderLeadDays, GracePeriodDays);
}
