using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.ApiKeys.Api;
using TenantPortal.Web.Features.KeyHealth;
using TenantPortal.Web.Features.Notifications;
using TenantPortal.Web.Features.Platform;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.Infrastructure.Leases;

namespace TenantPortal.Web.Data;

/// <summary>
/// Metadata only: tenants, key versions and the audit trail. No column can hold a key value. The Data Protection key
/// ring is here too, encrypted with a certificate kept outside the database (outside Development).
/// Each provider has its own subclass so that its migrations stay apart.
/// </summary>
public abstract class PortalDbContext(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<Tenant> Tenants => Set<Tenant>();

    public DbSet<TenantDirectory> TenantDirectories => Set<TenantDirectory>();

    public DbSet<TenantContact> TenantContacts => Set<TenantContact>();

    public DbSet<RetiredTenantId> RetiredTenantIds => Set<RetiredTenantId>();

    public DbSet<PlatformSettings> PlatformSettings => Set<PlatformSettings>();

    public DbSet<RotationNotice> RotationNotices => Set<RotationNotice>();

    public DbSet<NotificationDelivery> NotificationDeliveries => Set<NotificationDelivery>();

    public DbSet<Lease> Leases => Set<Lease>();

    public DbSet<ReconciliationState> ReconciliationStates => Set<ReconciliationState>();

    public DbSet<ApiKeyVersion> ApiKeyVersions => Set<ApiKeyVersion>();

    public DbSet<ApiIdempotencyRecord> ApiIdempotencyRecords => Set<ApiIdempotencyRecord>();

    public DbSet<KeyUsage> KeyUsages => Set<KeyUsage>();

    public DbSet<KeyUsageBatch> KeyUsageBatches => Set<KeyUsageBatch>();

    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    public DbSet<AuditChainHead> AuditChainHeads => Set<AuditChainHead>();

    public DbSet<AuditCheckpoint> AuditCheckpoints => Set<AuditCheckpoint>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<FingerprintKey> FingerprintKeys => Set<FingerprintKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PortalDbContext).Assembly);
}

public sealed class SqlitePortalDbContext(DbContextOptions<SqlitePortalDbContext> options) : PortalDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        // Names compare and sort case-insensitively, as SQL Server's default collation does: a name search is then a
        // range on the name index (SQLite's LIKE is case-insensitive and uses an index only of this collation).
        modelBuilder.Entity<Tenant>().Property(t => t.DisplayName).UseCollation("NOCASE");
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot compare or order DateTimeOffset text; store it as a sortable integer instead.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}

public sealed class SqlServerPortalDbContext(DbContextOptions<SqlServerPortalDbContext> options) : PortalDbContext(options);
