using TenantPortal.Web.Features.Platform;

namespace TenantPortal.Web.Features.Rotation;

/// <summary>What a valid rotation policy looks like, for the platform defaults and for each tenant.</summary>
public static class RotationPolicyRules
{
    /// <summary>A specific problem with <paramref name="policy"/>, or null when it is valid within <paramref name="maxIntervalDays"/>.</summary>
    public static string? Validate(RotationPolicy policy, int maxIntervalDays)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.IntervalDays < RotationPolicy.MinIntervalDays || policy.IntervalDays > maxIntervalDays)
        {
            return $"The rotation interval must be between {RotationPolicy.MinIntervalDays} and {maxIntervalDays} days; {policy.IntervalDays} is not.";
        }

        if (policy.ReminderLeadDays.Count > RotationPolicy.MaxReminderLeads)
        {
            return $"At most {RotationPolicy.MaxReminderLeads} reminder lead times are allowed.";
        }

        foreach (var lead in policy.ReminderLeadDays.Where(d => d < 1 || d >= policy.IntervalDays))
        {
            return $"Each reminder lead time must be at least 1 day and shorter than the {policy.IntervalDays}-day interval; {lead} is not.";
        }

        if (policy.ReminderLeadDays.Distinct().Count() != policy.ReminderLeadDays.Count)
        {
            return "Each reminder lead time may appear only once.";
        }

        if (policy.GracePeriodDays < 0 || policy.GracePeriodDays > RotationPolicy.MaxGracePeriodDays)
        {
            return $"The grace period must be between 0 and {RotationPolicy.MaxGracePeriodDays} days; {policy.GracePeriodDays} is not.";
        }

        return null;
    }

    /// <summary>
    /// A tenant admin may tighten the policy the platform gives, never loosen it: an interval within the platform
    /// maximum and a grace period no longer than the platform's.
    /// </summary>
    public static string? ValidateForTenantAdmin(RotationPolicy policy, PlatformSettings platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        if (Validate(policy, platform.MaxRotationIntervalDays) is { } problem)
        {
            return problem;
        }

        return policy.GracePeriodDays > platform.GracePeriodDays
            ? $"The grace period cannot be longer than the platform's {platform.GracePeriodDays} days."
            : null;
    }

    /// <summary>
    /// Parses "30, 14, 7, 1" into lead times, largest first; null when a part is not a whole number, with that part
    /// (cut to 20 characters) for the caller's message.
    /// </summary>
    public static IReadOnlyList<int>? ParseLeadDays(string? text, out string? notANumber)
    {
        notANumber = null;
        var parts = (text ?? "").Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var leads = new List<int>(parts.Length);
        foreach (var part in parts)
        {
            if (!int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var days))
            {
                notANumber = part.Length > 20 ? part[..20] + "…" : part;
                return null;
            }

            leads.Add(days);
        }

        return leads.OrderDescending().ToList();
    }

    public static string Format(IEnumerable<int> leadDays) => string.Join(", ", leadDays.OrderDescending());
}
