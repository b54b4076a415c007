using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.KeyHealth;

namespace TenantPortal.Web.Data.Configurations;

internal sealed class KeyUsageConfiguration : IEntityTypeConfiguration<KeyUsage>
{
    public void Configure(EntityTypeBuilder<KeyUsage> builder)
    {
        builder.HasKey(u => u.ApiKeyVersionId);
        builder.Property(u => u.ApiKeyVersionId).ValueGeneratedNever();
        builder.Property(u => u.Revision).IsConcurrencyToken();
        // The usage goes with its version (a purge or rename removes the version rows).
        // Support's list of keys being rejected: the open incidents only.
        builder.HasIndex(u => u.IncidentStartedAt).HasFilter("[IncidentStartedAt] IS NOT NULL AND [IncidentEndedAt] IS NULL");
        builder.Ignore(u => u.InIncident);
        builder.HasOne<ApiKeyVersion>().WithOne().HasForeignKey<KeyUsage>(u => u.ApiKeyVersionId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class KeyUsageBatchConfiguration : IEntityTypeConfiguration<KeyUsageBatch>
{
    public void Configure(EntityTypeBuilder<KeyUsageBatch> builder)
    {
        builder.HasKey(b => b.BatchId);
        builder.Property(b => b.BatchId).ValueGeneratedNever();
        builder.Property(b => b.Client).HasMaxLength(KeyUsageBatch.ClientMaxLength).IsUnicode(false);
        builder.HasIndex(b => b.ExpiresAt);
    }
}
