using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TenantPortal.Web.Features.ApiKeys;

namespace TenantPortal.Web.Data.Configurations;

internal sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<DataProtectionKey>
{
    public void Configure(EntityTypeBuilder<DataProtectionKey> builder)
    {
        // Data Protection names each key "key-<guid>"; unique, so two instances importing the file key ring at once
        // cannot both add it.
        builder.Property(k => k.FriendlyName).HasMaxLength(100);
        builder.HasIndex(k => k.FriendlyName).IsUnique();
    }
}

internal sealed class FingerprintKeyConfiguration : IEntityTypeConfiguration<FingerprintKey>
{
    public void Configure(EntityTypeBuilder<FingerprintKey> builder)
    {
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Id).HasMaxLength(32).IsUnicode(false);
        // 32 bytes protected by Data Protection, in base64: about 140 characters.
        builder.Property(k => k.ProtectedKey).HasMaxLength(256).IsUnicode(false);
    }
}
