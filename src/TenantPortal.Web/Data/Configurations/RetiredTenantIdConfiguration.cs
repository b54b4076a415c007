using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TenantPortal.Web.Features.Tenants;

namespace TenantPortal.Web.Data.Configurations;

internal sealed class RetiredTenantIdConfiguration : IEntityTypeConfiguration<RetiredTenantId>
{
    public void Configure(EntityTypeBuilder<RetiredTenantId> builder)
    {
        // No foreign key to Tenants: the id it moved to may move again, and the reservation outlives both.
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).HasMaxLength(Tenant.SlugMaxLength).IsUnicode(false);
        builder.Property(r => r.RenamedTo).HasMaxLength(Tenant.SlugMaxLength).IsUnicode(false);
    }
}
