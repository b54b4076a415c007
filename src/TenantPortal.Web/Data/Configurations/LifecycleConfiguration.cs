using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TenantPortal.Web.Features.Notifications;
using TenantPortal.Web.Features.Platform;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Leases;

namespace TenantPortal.Web.Data.Configurations;

internal sealed class PlatformSettingsConfiguration : IEntityTypeConfiguration<PlatformSettings>
{
    public void Configure(EntityTypeBuilder<PlatformSettings> builder)
    {
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.ReminderLeadDays).HasMaxLength(200);
        builder.Property(s => s.ProbeAllowedHosts).HasMaxLength(PlatformSettings.ProbeAllowedHostsMaxLength);
        builder.Ignore(s => s.DefaultPolicy);
    }
}

internal sealed class RotationNoticeConfiguration : IEntityTypeConfiguration<RotationNotice>
{
    public void Configure(EntityTypeBuilder<RotationNotice> builder)
    {
        builder.HasKey(n => n.Id);
        builder.Property(n => n.TenantId).HasMaxLength(Tenant.SlugMaxLength).IsUnicode(false);
        builder.Property(n => n.StoreVersionId).HasMaxLength(64).IsUnicode(false);
        builder.Property(n => n.Kind).HasConversion<string>().HasMaxLength(24).IsUnicode(false);
        // Each reminder once per version and lead time, whatever the restarts or the number of instances.
        builder.HasIndex(n => new { n.TenantId, n.StoreVersionId, n.Kind, n.LeadDays }).IsUnique();
        builder.HasIndex(n => new { n.TenantId, n.CreatedAt });
    }
}

internal sealed class NotificationDeliveryConfiguration : IEntityTypeConfiguration<NotificationDelivery>
{
    public void Configure(EntityTypeBuilder<NotificationDelivery> builder)
    {
        builder.HasKey(d => d.Id);
        builder.HasOne<RotationNotice>().WithMany().HasForeignKey(d => d.NoticeId).OnDelete(DeleteBehavior.Restrict);
        builder.Property(d => d.TenantId).HasMaxLength(Tenant.SlugMaxLength).IsUnicode(false);
        builder.Property(d => d.Channel).HasConversion<string>().HasMaxLength(16).IsUnicode(false);
        builder.Property(d => d.Target).HasMaxLength(TenantContact.EmailMaxLength);
        builder.Property(d => d.Language).HasMaxLength(8).IsUnicode(false);
        builder.Property(d => d.Status).HasConversion<string>().HasMaxLength(16).IsUnicode(false);
        builder.Property(d => d.LastError).HasMaxLength(500);
        builder.Property(d => d.LastErrorCode).HasMaxLength(500);
        builder.HasIndex(d => new { d.Status, d.NextAttemptAt });
        builder.HasIndex(d => new { d.TenantId, d.CreatedAt });
        // The support dashboard's failing deliveries: given up lately, and retrying.
        builder.HasIndex(d => new { d.Status, d.LastAttemptAt });
    }
}

internal sealed class LeaseConfiguration : IEntityTypeConfiguration<Lease>
{
    public void Configure(EntityTypeBuilder<Lease> builder)
    {
        builder.HasKey(l => l.Name);
        builder.Property(l => l.Name).HasMaxLength(64).IsUnicode(false);
        builder.Property(l => l.Holder).HasMaxLength(200).IsUnicode(false);
        builder.Property(l => l.ExpiresAt).IsConcurrencyToken();
    }
}
