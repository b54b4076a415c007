namespace TenantPortal.Web.Features.Notifications;

/// <summary>The delivery worker (<c>Notifications:Dispatch</c>).</summary>
public sealed class NotificationDispatchOptions
{
    public const string SectionName = "Notifications:Dispatch";

    /// <summary>Run the background worker. Tests switch it off and call the dispatcher themselves.</summary>
    public bool Enabled { get; set; } = true;

    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Deliveries claimed per query.</summary>
    public int BatchSize { get; set; } = 10;

    /// <summary>Attempts before a delivery is marked failed.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>
    /// How long a claimed delivery stays with the instance that claimed it. If that instance stops mid-send, another
    /// picks the delivery up after this; it must exceed the longest send (outbound or SMTP timeout).
    /// </summary>
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Waits after the 1st, 2nd, 3rd and later failed attempts.</summary>
    public static IReadOnlyList<TimeSpan> RetryDelays { get; } =
        [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2)];

    /// <summary>Attempts after which a delivery the receiver refused (a 4xx, a redirect, a refused recipient) is given up.</summary>
    public const int RejectedAttemptLimit = 2;

    public static TimeSpan RetryDelayAfter(int attempts) => RetryDelays[Math.Clamp(attempts - 1, 0, RetryDelays.Count - 1)];
}
