namespace TenantPortal.Web.Features.Rotation;

public enum RotationStatus
{
    NotSet,
    Ok,
    DueSoon,
    Overdue,
    Revoked,
}

public static class RotationSchedule
{
    /// <summary>A key is "due soon" this long before its rotation date (until per-tenant reminder policy exists).</summary>
    public static readonly TimeSpan DueSoonWindow = TimeSpan.FromDays(14);

    public static DateTimeOffset DueAt(DateTimeOffset createdAt, int rotationIntervalDays) => createdAt.AddDays(rotationIntervalDays);

    public static RotationStatus StatusOf(DateTimeOffset? currentDueAt, bool hasRevokedVersion, DateTimeOffset now) => currentDueAt switch
    {
        null when hasRevokedVersion => RotationStatus.Revoked,
        null => RotationStatus.NotSet,
        { } due when now >= due => RotationStatus.Overdue,
        { } due when now >= due - DueSoonWindow => RotationStatus.DueSoon,
        _ => RotationStatus.Ok,
    };
}
