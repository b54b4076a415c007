namespace TenantPortal.Web.Infrastructure.Paging;

/// <summary>One page of rows, read in the database, and how many rows match in all.</summary>
public sealed record PagedResult<T>(IReadOnlyList<T> Items, int TotalCount)
{
    /// <summary>More rows match than <see cref="TotalCount"/> says (the count was capped).</summary>
    public bool HasMore { get; init; }

    /// <summary>Why the query was refused (e.g. a search longer than its limit); no rows then.</summary>
    public string? Problem { get; init; }
}

public static class PagedResult
{
    /// <summary>No rows, and why the query was refused.</summary>
    public static PagedResult<T> Refused<T>(string problem) => new([], 0) { Problem = problem };
}
