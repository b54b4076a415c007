namespace TenantPortal.Web.Infrastructure.Paging;

/// <summary>One page of rows, read in the database, and how many rows match in all.</summary>
public sealed record PagedResult<T>(IReadOnlyList<T> Items, int TotalCount)
{
    /// <summary>More rows match than <see cref="TotalCount"/> says (the count was capped).</summary>
    public bool HasMore { get; init; }
}
