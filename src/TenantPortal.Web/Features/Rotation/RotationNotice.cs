namespace TenantPortal.Web.Features.Rotation;

/// <summary>
/// One thing the portal told a tenant: about one key version (a reminder at a lead time, the due date passing, a
/// revocation), or that its verification probe's URL changed. Unique per (tenant, version, kind, lead days), so each is
/// decided once whatever restarts; a probe change has a <see cref="StoreVersionId"/> of its own (see <see cref="RotationNotices.ProbeChanged"/>).
/// </summary>
public sealed class RotationNotice
{
    public long Id { get; init; }

    public required string TenantId { get; init; }

    /// <summary>The key version the notice is about; for <see cref="RotationNoticeKind.ProbeChanged"/>, an id of the change.</summary>
    public required string StoreVersionId { get; init; }

    /// <summary>The key version to name in a message or the audit trail; null for a notice that is not about one.</summary>
    public string? KeyVersion => Kind == RotationNoticeKind.ProbeChanged ? null : StoreVersionId;

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

    /// <summary>The tenant's verification probe URL was set, changed or removed: a new key goes there before it is stored.</summary>
    ProbeChanged,

    /// <summary>The provider is rejecting the current key (once per version and incident; LeadDays is the incident's number, DueAt its first rejection).</summary>
    KeyRejected,

    /// <summary>A previous version's grace ended while the backend still used it; it is being disabled (DueAt: its last use).</summary>
    PreviousStillUsed,

    /// <summary>A previous version's grace ended while the backend still used it; it is kept enabled until the backend stops (DueAt: its last use).</summary>
    PreviousKeptWhileUsed,
}
