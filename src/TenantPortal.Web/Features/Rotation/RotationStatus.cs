namespace TenantPortal.Web.Features.Rotation;

public enum RotationStatus
{
    NotSet,
    Ok,
    DueSoon,
    Overdue,
    Revoked,
}

/// <summary>Due dates, "due soon" and reminder moments of a key version under a rotation policy.</summary>
public static class RotationSchedule
{
    /// <summary>The "due soon" window when a policy has no reminder lead times.</summary>
    public static readonly TimeSpan DefaultDueSoonWindow = TimeSpan.FromDays(14);

    public static DateTimeOffset DueAt(DateTimeOffset createdAt, int rotationIntervalDays) => createdAt.AddDays(rotationIntervalDays);

    /// <summary>A version is due soon from its first reminder on: the due date less the longest lead time.</summary>
    public static DateTimeOffset DueSoonAt(DateTimeOffset dueAt, IReadOnlyCollection<int> reminderLeadDays) =>
        reminderLeadDays.Count == 0 ? dueAt - DefaultDueSoonWindow : dueAt.AddDays(-reminderLeadDays.Max());

    /// <summary>
    /// The next moment after <paramref name="now"/> when the monitor has something to say about a version due at
    /// <paramref name="dueAt"/>: the next reminder, else the due date itself (which may already have passed: overdue).
    /// </summary>
    public static DateTimeOffset NextNoticeAt(DateTimeOffset dueAt, IEnumerable<int> reminderLeadDays, DateTimeOffset now)
    {
        var upcoming = reminderLeadDays.Select(d => dueAt.AddDays(-d)).Where(t => t > now).DefaultIfEmpty(dueAt).Min();
        return upcoming;
    }

    /// <summary>The reminder due at <paramref name="now"/>: the shortest lead time whose moment has come; null when none has.</summary>
    public static int? DueReminder(DateTimeOffset dueAt, IEnumerable<int> reminderLeadDays, DateTimeOffset now) =>
        reminderLeadDays.Where(d => dueAt.AddDays(-d) <= now).Select(d => (int?)d).DefaultIfEmpty(null).Min();

    public static RotationStatus StatusOf(DateTimeOffset? currentDueAt, DateTimeOffset? dueSoonAt, bool hasRevokedVersion, DateTimeOffset now) =>
        currentDueAt switch
        {
            null when hasRevokedVersion => RotationStatus.Revoked,
            null => RotationStatus.NotSet,
            { } due when now >= due => RotationStatus.Overdue,
            { } due when now >= (dueSoonAt ?? due - DefaultDueSoonWindow) => RotationStatus.DueSoon,
            _ => RotationStatus.Ok,
        };
}
