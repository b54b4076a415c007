using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TenantPortal.Web.Features.Audit;
using TenantPortal.Web.Features.Tenants;

namespace TenantPortal.Web.Data.Configurations;

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.HasKey(e => e.Id);
        builder.Property(e => e.ActorName).HasMaxLength(200);
        builder.Property(e => e.ActorRole).HasMaxLength(100).IsUnicode(false);
        // No foreign key: a denied attempt names a tenant that may not exist, and the trail outlives tenants.
        builder.Property(e => e.TenantId).HasMaxLength(Tenant.SlugMaxLength);
        builder.Property(e => e.Action).HasMaxLength(64).IsUnicode(false);
        builder.Property(e => e.Outcome).HasConversion<string>().HasMaxLength(16).IsUnicode(false);
        builder.Property(e => e.SecretName).HasMaxLength(127).IsUnicode(false);
        builder.Property(e => e.KeyVersion).HasMaxLength(64).IsUnicode(false);
        builder.Property(e => e.Reason).HasMaxLength(200);
        builder.Property(e => e.CorrelationId).HasMaxLength(64).IsUnicode(false);
        builder.Property(e => e.ClientIp).HasMaxLength(45).IsUnicode(false);
        builder.Property(e => e.UserAgent).HasMaxLength(512);

        builder.HasIndex(e => new { e.TenantId, e.OccurredAt });
        builder.HasIndex(e => e.OccurredAt);
    }
}
