namespace TenantPortal.Web.Features.Rotation;

/// <summary>How often a tenant's key is rotated, when its contacts are reminded, and how long the previous version lives on.</summary>
public sealed record RotationPolicy(int IntervalDays, IReadOnlyList<int> ReminderLeadDays, int GracePeriodDays)
{
    public const int DefaultIntervalDays = 90;
    public const int DefaultGracePeriodDays = 7;
    public const int MinIntervalDays = 1;
    public const int MaxIntervalDays = 365;
    public const int MaxGracePeriodDays = 90;
    public const int MaxReminderLeads = 8;

    public static IReadOnlyList<int> DefaultReminderLeadDays { get; } = [30, 14, 7, 1];

    public static RotationPolicy Default { get; } = new(DefaultIntervalDays, DefaultReminderLeadDays, DefaultGracePeriodDays);
}
