namespace TenantPortal.Web.Features.Rotation;

/// <summary>
/// One thing the rotation monitor told a tenant about one key version: a reminder at a lead time, the due date
/// passing, a revocation. Unique per (tenant, version, kind, lead days), so each is decided once whatever restarts.
/// </summary>
public sealed class RotationNotice
{
    public long Id { get; init; }

    public required string TenantId { get; init; }

    public required string StoreVersionId { get; init; }

    public RotationNoticeKind Kind { get; init; }

    /// <summary>The reminder's lead time in days; 0 for other kinds.</summary>
    public int LeadDays { get; init; }

    /// <summary>The version's due date when the notice was decided.</summary>
    public DateTimeOffset? DueAt { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

public enum RotationNoticeKind
{
    Reminder,
    Overdue,
    Revoked,
    Rotated,
    PreviousDisabled,
}
