using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Tenants;

namespace TenantPortal.Web.Data.Configurations;

internal sealed class ReconciliationStateConfiguration : IEntityTypeConfiguration<ReconciliationState>
{
    public void Configure(EntityTypeBuilder<ReconciliationState> builder)
    {
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.SweepAfterTenantId).HasMaxLength(Tenant.SlugMaxLength).IsUnicode(false);
    }
}
