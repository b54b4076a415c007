using TenantPortal.Web.Features.Platform;
using TenantPortal.Web.Infrastructure.Text;

namespace TenantPortal.Web.Features.Rotation;

/// <summary>What a valid rotation policy looks like, for the platform defaults and for each tenant.</summary>
public static class RotationPolicyRules
{
    // The messages are worded in the caller's UI culture (RotationPolicyRules.resx, .ja.resx beside this file).
    private static readonly ResourceTexts Texts = new(typeof(RotationPolicyRules));

    /// <summary>A specific problem with <paramref name="policy"/> in the caller's language, or null when it is valid within <paramref name="maxIntervalDays"/>.</summary>
    public static string? Validate(RotationPolicy policy, int maxIntervalDays)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.IntervalDays < RotationPolicy.MinIntervalDays || policy.IntervalDays > maxIntervalDays)
        {
            return Texts.Format("IntervalRange", RotationPolicy.MinIntervalDays, maxIntervalDays, policy.IntervalDays);
        }

        if (policy.ReminderLeadDays.Count > RotationPolicy.MaxReminderLeads)
        {
            return Texts.Format("TooManyLeads", RotationPolicy.MaxReminderLeads);
        }

        foreach (var lead in policy.ReminderLeadDays.Where(d => d < 1 || d >= policy.IntervalDays))
        {
            return Texts.Format("LeadRange", policy.IntervalDays, lead);
        }

        if (policy.ReminderLeadDays.Distinct().Count() != policy.ReminderLeadDays.Count)
        {
            return Texts.Format("LeadTwice");
        }

        if (policy.GracePeriodDays < 0 || policy.GracePeriodDays > RotationPolicy.MaxGracePeriodDays)
        {
            return Texts.Format("GraceRange", RotationPolicy.MaxGracePeriodDays, policy.GracePeriodDays);
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
            ? Texts.Format("GraceOverPlatform", platform.GracePeriodDays)
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
