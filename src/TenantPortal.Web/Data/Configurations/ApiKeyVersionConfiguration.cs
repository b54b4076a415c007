using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Tenants;

namespace TenantPortal.Web.Data.Configurations;

internal sealed class ApiKeyVersionConfiguration : IEntityTypeConfiguration<ApiKeyVersion>
{
    public void Configure(EntityTypeBuilder<ApiKeyVersion> builder)
    {
        builder.HasKey(v => v.Id);
        builder.Property(v => v.Status).HasField("_status");
        builder.Property(v => v.TenantId).HasMaxLength(Tenant.SlugMaxLength).IsUnicode(false);
        builder.Property(v => v.StoreVersionId).HasMaxLength(64).IsUnicode(false);
        builder.Property(v => v.Status).HasConversion<string>().HasMaxLength(16).IsUnicode(false);
        builder.Property(v => v.CreatedByName).HasMaxLength(200);
        builder.Property(v => v.MaskedHint).HasMaxLength(8);
        builder.Property(v => v.Fingerprint).HasMaxLength(24).IsUnicode(false);

        builder.HasOne<Tenant>().WithMany().HasForeignKey(v => v.TenantId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(v => new { v.TenantId, v.StoreVersionId }).IsUnique();
        builder.Property(v => v.RevokeReason).HasMaxLength(ApiKeyService.RevokeReasonMaxLength);
        builder.HasIndex(v => new { v.TenantId, v.CreatedAt });

        // The rotation monitor's sweeps: work proportional to what is due, not to the number of tenants.
        builder.HasIndex(v => v.NextNoticeAt);
        builder.HasIndex(v => v.GraceEndsAt);

        // The support console (Features/Support): current versions by due date, with the "due soon" moment, for the
        // dashboard's counts and the rotation status list's due-date order; revoked versions, few, apart; versions by
        // creation for the rotations chart; the "whose key is this?" lookup; and what reconciliation flagged.
        builder.HasIndex(v => new { v.ExpiresAt, v.TenantId, v.DueSoonAt }, "IX_ApiKeyVersions_CurrentDue")
            .HasFilter("[Status] = 'Current'");
        builder.HasIndex(v => v.TenantId, "IX_ApiKeyVersions_Revoked")
            .HasFilter("[Status] = 'Revoked'");
        builder.HasIndex(v => v.CreatedAt);
        builder.HasIndex(v => v.Fingerprint);
        builder.HasIndex(v => v.MissingFromStoreSince).HasFilter("[MissingFromStoreSince] IS NOT NULL");
        builder.HasIndex(v => v.StillEnabledInStoreSince).HasFilter("[StillEnabledInStoreSince] IS NOT NULL");

        // At most one current version per tenant, whatever races between two submits. Both SQLite and
        // SQL Server accept bracket-quoted identifiers, so one filter serves both providers.
        builder.HasIndex(v => v.TenantId)
            .HasDatabaseName("IX_ApiKeyVersions_OneCurrentPerTenant")
            .IsUnique()
            .HasFilter("[Status] = 'Current'");
    }
}
