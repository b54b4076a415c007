using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TenantPortal.Web.Features.ApiKeys.Api;
using TenantPortal.Web.Features.Tenants;

namespace TenantPortal.Web.Data.Configurations;

internal sealed class ApiIdempotencyRecordConfiguration : IEntityTypeConfiguration<ApiIdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<ApiIdempotencyRecord> builder)
    {
        builder.HasKey(r => r.Id);
        builder.Property(r => r.TenantId).HasMaxLength(Tenant.SlugMaxLength);
        builder.Property(r => r.Client).HasMaxLength(ApiIdempotencyRecord.ClientMaxLength).IsUnicode(false);
        builder.Property(r => r.Key).HasMaxLength(ApiIdempotencyRecord.KeyMaxLength).IsUnicode(false);
        builder.Property(r => r.RequestFingerprint).HasMaxLength(128).IsUnicode(false);
        builder.Property(r => r.StoredVersion).HasMaxLength(64).IsUnicode(false);
        builder.Property(r => r.ReplacedVersion).HasMaxLength(64).IsUnicode(false);

        // One record per key per app per tenant: two first attempts racing cannot both insert.
        builder.HasIndex(r => new { r.TenantId, r.Client, r.Key }).IsUnique();
        builder.HasIndex(r => r.ExpiresAt);
    }
}
