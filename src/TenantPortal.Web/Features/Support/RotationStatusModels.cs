namespace TenantPortal.Web.Features.Support;

public enum RotationStatusSort
{
    /// <summary>By the current version's due date (most overdue first), then the tenants without one by name.</summary>
    DueDate,
    Name,

    /// <summary>By status in <see cref="TenantKeyStatus"/> order; within a status by due date, or by name where there is none.</summary>
    Status,
}

/// <summary>What the rotation status list shows: filters, sort and the page to read (null: the first).</summary>
public sealed record RotationStatusFilter(
    string? Search = null,
    TenantKeyStatus? Status = null,
    DateTimeOffset? DueFrom = null,
    DateTimeOffset? DueBefore = null,
    RotationStatusSort Sort = RotationStatusSort.DueDate,
    bool Descending = false)
{
    /// <summary>A due window selects tenants by their current version's due date: only keyed tenants have one.</summary>
    public bool HasDueWindow => DueFrom is not null || DueBefore is not null;
}

/// <summary>
/// Where a page starts: after this row of that segment. Opaque to pages, which hand back what the previous page
/// returned; a forged one only selects other rows of the same filtered list.
/// </summary>
public sealed record RotationStatusCursor(int Segment, DateTimeOffset? DueAt, string? Name, string TenantId);

public sealed record RotationStatusQuery(RotationStatusFilter Filter, int PageSize = 25, RotationStatusCursor? After = null);

public sealed record TenantRotationRow(
    string TenantId,
    string TenantName,
    TenantKeyStatus Status,
    DateTimeOffset? LastRotatedAt,
    DateTimeOffset? DueAt,
    int VersionCount)
{
    /// <summary>Versions whose metadata and store disagree (missing from the store, or enabled in it though disabled here).</summary>
    public int DriftCount { get; init; }

    public DateTimeOffset? OffboardedAt { get; init; }

    public int? KeyAgeDays(DateTimeOffset now) => LastRotatedAt is { } at && Status != TenantKeyStatus.Offboarded ? (int)(now - at).TotalDays : null;
}

/// <summary>One page of the list, and where the next one starts (null: this is the last).</summary>
public sealed record RotationStatusPageResult(IReadOnlyList<TenantRotationRow> Items, RotationStatusCursor? Next)
{
    /// <summary>Why the query was refused (a search or window that cannot run); no rows then.</summary>
    public string? Problem { get; init; }

    public static RotationStatusPageResult Refused(string problem) => new([], null) { Problem = problem };
}

/// <summary>How many tenants a filtered list holds, up to <see cref="SupportService.CountLimit"/> for a search or due window.</summary>
public sealed record RotationStatusCount(int Total, bool HasMore)
{
    public string? Problem { get; init; }
}
