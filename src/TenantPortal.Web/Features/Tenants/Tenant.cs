namespace TenantPortal.Web.Features.Tenants;

/// <summary>A customer of the SaaS whose API key the portal holds.</summary>
public sealed class Tenant
{
    public const int SlugMaxLength = SecretStore.SecretName.MaxTenantIdLength;
    public const int DefaultRotationIntervalDays = 90;

    /// <summary>The slug: part of the secret name <c>tenant-&lt;id&gt;-api-key</c>.</summary>
    public required string Id { get; init; }

    public required string DisplayName { get; set; }

    public int RotationIntervalDays { get; set; } = DefaultRotationIntervalDays;

    public DateTimeOffset CreatedAt { get; init; }

    public List<TenantDirectory> Directories { get; init; } = [];

    public bool IsManagedFrom(Guid entraTenantId) => Directories.Any(d => d.EntraTenantId == entraTenantId);
}

/// <summary>An Entra ID tenant (<c>tid</c>) whose users act for a portal tenant.</summary>
public sealed class TenantDirectory
{
    public Guid EntraTenantId { get; init; }

    public required string TenantId { get; init; }
}
