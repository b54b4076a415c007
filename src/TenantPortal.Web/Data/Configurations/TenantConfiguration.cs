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
        builder.Property(t => t.DisplayName).HasMaxLength(Tenant.DisplayNameMaxLength);
        // Lists by name with the id breaking ties, read in index order and continued from the last row (keyset).
        builder.HasIndex(t => new { t.DisplayName, t.Id });
        // Only the offboarded few: an index of every tenant's NULL would lure SQLite's planner away from the name index
        // for "not offboarded", which is nearly everyone.
        builder.HasIndex(t => t.OffboardedAt).HasFilter("[OffboardedAt] IS NOT NULL");
        builder.Property(t => t.ReminderLeadDays).HasMaxLength(200);
        builder.Property(t => t.OffboardReason).HasMaxLength(Tenant.OffboardReasonMaxLength);
        builder.Property(t => t.WebhookUrl).HasMaxLength(VerificationProbe.UrlMaxLength);
        builder.Property(t => t.WebhookSigningKeyProtected).HasMaxLength(512).IsUnicode(false);
        builder.Property(t => t.KeyLockHolder).HasMaxLength(200).IsUnicode(false);
        builder.Ignore(t => t.Policy);
        builder.Ignore(t => t.IsOffboarded);
        builder.OwnsOne(t => t.Probe, probe =>
        {
            probe.Property<string>("TenantId").HasMaxLength(Tenant.SlugMaxLength).IsUnicode(false);
            probe.Property(p => p.Method).HasMaxLength(8).IsUnicode(false);
            probe.Property(p => p.Url).HasMaxLength(VerificationProbe.UrlMaxLength);
            probe.Property(p => p.HeaderName).HasMaxLength(100).IsUnicode(false);
            probe.Property(p => p.HeaderPrefix).HasMaxLength(50);
        });
        builder.HasMany(t => t.Directories).WithOne().HasForeignKey(d => d.TenantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(t => t.Contacts).WithOne().HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TenantContactConfiguration : IEntityTypeConfiguration<TenantContact>
{
    public void Configure(EntityTypeBuilder<TenantContact> builder)
    {
        builder.HasKey(c => c.Id);
        builder.Property(c => c.TenantId).HasMaxLength(Tenant.SlugMaxLength).IsUnicode(false);
        builder.Property(c => c.Email).HasMaxLength(TenantContact.EmailMaxLength);
        builder.Property(c => c.Language).HasMaxLength(8).IsUnicode(false);
        builder.HasIndex(c => new { c.TenantId, c.Email }).IsUnique();
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
