namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>
/// Where reconciliation stands, in one row, so that whichever instance holds the lease next (after a restart or a
/// deployment) goes on from here: the full sweep's cursor, and how far the search for writes in doubt has got.
/// </summary>
public sealed class ReconciliationState
{
    public const int SingletonId = 1;

    public int Id { get; init; } = SingletonId;

    /// <summary>Every key change whose "requested" row is older than this has been settled (or has an outcome).</summary>
    public DateTimeOffset InDoubtCheckedFrom { get; set; }

    /// <summary>When the current or last sweep started (at first, when the schedule was created): the next is due an interval later.</summary>
    public DateTimeOffset SweepStartedAt { get; set; }

    public bool SweepInProgress { get; set; }

    /// <summary>The sweep's cursor: tenants up to this id (ordinal order) are done; null before the first.</summary>
    public string? SweepAfterTenantId { get; set; }

    public DateTimeOffset? LastSweepCompletedAt { get; set; }

    public int SweepTenantsChecked { get; set; }

    public int SweepVersionsRestored { get; set; }

    public int SweepVersionsMissing { get; set; }

    public int SweepTenantsFailed { get; set; }
}
