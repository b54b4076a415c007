namespace TenantPortal.Web.Features.Tenants;

/// <summary>
/// A tenant id freed by a rename. The audit trail keeps its rows and its hash chain under the id that wrote them, so
/// the id is never given to another tenant: a tenant onboarded under it would read the old tenant's history and
/// continue its chain. Staff still read that history under the old id.
/// </summary>
public sealed class RetiredTenantId
{
    public required string Id { get; init; }

    /// <summary>The id the tenant moved to; null for an id found retired when this record began (its chain outlived its tenant).</summary>
    public string? RenamedTo { get; init; }

    public DateTimeOffset RetiredAt { get; init; }
}
