using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TenantPortal.Web.Features.Tenants;

namespace TenantPortal.Web.Data.Configurations;

internal sealed class TenantConfiguration : IEntityTypeConfiguration<Tenant>
{
    public void Configure(EntityTypeBuilder<Tenant> builder)
    {
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).HasMaxLength(Tenant.SlugMaxLength).IsUnicode(false);
        builder.Property(t => t.DisplayName).HasMaxLength(200);
        builder.HasIndex(t => t.DisplayName);
        builder.HasMany(t => t.Directories).WithOne().HasForeignKey(d => d.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TenantDirectoryConfiguration : IEntityTypeConfiguration<TenantDirectory>
{
    public void Configure(EntityTypeBuilder<TenantDirectory> builder)
    {
        // One Entra tenant acts for exactly one portal tenant.
        builder.HasKey(d => d.EntraTenantId);
        builder.Property(d => d.EntraTenantId).ValueGeneratedNever();
        builder.Property(d => d.TenantId).HasMaxLength(Tenant.SlugMaxLength).IsUnicode(false);
    }
}
