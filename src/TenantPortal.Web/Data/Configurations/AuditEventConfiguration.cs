using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Audit;

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
        builder.Property(e => e.Action).HasMaxLength(AuditEvent.ActionMaxLength).IsUnicode(false);
        builder.Property(e => e.Outcome).HasConversion<string>().HasMaxLength(16).IsUnicode(false);
        builder.Property(e => e.SecretName).HasMaxLength(127).IsUnicode(false);
        builder.Property(e => e.KeyVersion).HasMaxLength(64).IsUnicode(false);
        builder.Property(e => e.Reason).HasMaxLength(AuditEvent.ReasonMaxLength);
        builder.Property(e => e.Changes).HasMaxLength(AuditEvent.ChangesMaxLength);
        builder.Property(e => e.CorrelationId).HasMaxLength(64).IsUnicode(false);
        builder.Property(e => e.ClientIp).HasMaxLength(45).IsUnicode(false);
        builder.Property(e => e.UserAgent).HasMaxLength(512);
        builder.Property(e => e.Channel).HasMaxLength(AuditChannels.MaxLength).IsUnicode(false);

        builder.Property(e => e.ChainId).HasMaxLength(Tenant.SlugMaxLength).IsUnicode(false);
        builder.Property(e => e.PreviousHash).HasMaxLength(64).IsUnicode(false).IsFixedLength();
        builder.Property(e => e.Hash).HasMaxLength(64).IsUnicode(false).IsFixedLength();

        // No fork: one event per position in a chain.
        builder.HasIndex(e => new { e.ChainId, e.Sequence }).IsUnique();
        builder.HasIndex(e => new { e.TenantId, e.OccurredAt });
        builder.HasIndex(e => e.OccurredAt);
        builder.HasIndex(e => new { e.Action, e.OccurredAt });
        // A change's rows are found by correlation id: its outcome for a "requested" row (reconciliation's writes in doubt).
        builder.HasIndex(e => e.CorrelationId);
        // A tenant's timeline (Features/Support): denials concerning it, and its directories' sign-ins.
        builder.HasIndex(e => new { e.TenantId, e.Outcome, e.OccurredAt });
        builder.HasIndex(e => new { e.ActorTenantId, e.Action, e.OccurredAt });
    }
}

internal sealed class AuditChainHeadConfiguration : IEntityTypeConfiguration<AuditChainHead>
{
    public void Configure(EntityTypeBuilder<AuditChainHead> builder)
    {
        builder.HasKey(h => h.ChainId);
        builder.Property(h => h.ChainId).HasMaxLength(Tenant.SlugMaxLength).IsUnicode(false);
        builder.Property(h => h.Sequence).IsConcurrencyToken();
        builder.Property(h => h.Hash).HasMaxLength(64).IsUnicode(false).IsFixedLength();
    }
}

internal sealed class AuditCheckpointConfiguration : IEntityTypeConfiguration<AuditCheckpoint>
{
    public void Configure(EntityTypeBuilder<AuditCheckpoint> builder)
    {
        builder.HasKey(c => new { c.ChainId, c.Sequence });
        builder.Property(c => c.ChainId).HasMaxLength(Tenant.SlugMaxLength).IsUnicode(false);
        builder.Property(c => c.Hash).HasMaxLength(64).IsUnicode(false).IsFixedLength();
    }
}
