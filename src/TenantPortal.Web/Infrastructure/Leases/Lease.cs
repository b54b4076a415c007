namespace TenantPortal.Web.Infrastructure.Leases;

/// <summary>A named lease so that one portal instance at a time runs a background job.</summary>
public sealed class Lease
{
    public required string Name { get; init; }

    public required string Holder { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}
