using System.ComponentModel.DataAnnotations;

namespace TenantPortal.Web.Features.KeyHealth;

public sealed class KeyHealthOptions
{
    public const string SectionName = "KeyHealth";

    /// <summary>A current version the backend has not used for this long (or since it was set) is shown as stale.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "365.00:00:00", ErrorMessage = "KeyHealth:StaleAfter must be between 1 and 365 days.")]
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromDays(30);

    /// <summary>A rejection this long after the previous one (with no success reported between) starts a new incident, and so a new notice.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00", ErrorMessage = "KeyHealth:IncidentQuietPeriod must be between 1 minute and 7 days.")]
    public TimeSpan IncidentQuietPeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// When the grace period of a previous version ends and the backend used that version within this window, the
    /// contacts are told before it is disabled (or it is kept, when the platform setting says to wait).
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00", ErrorMessage = "KeyHealth:PreviousInUseWindow must be between 1 minute and 1 day.")]
    public TimeSpan PreviousInUseWindow { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>How long a batch id is remembered, so that a retry of the batch is answered without adding its counts twice.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "90.00:00:00", ErrorMessage = "KeyHealth:BatchRetention must be between 1 hour and 90 days.")]
    public TimeSpan BatchRetention { get; set; } = TimeSpan.FromDays(7);
}
