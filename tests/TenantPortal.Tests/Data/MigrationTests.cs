using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Infrastructure;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Tests.Data;

public class MigrationTests
{
    [Fact]
    public async Task SqliteMigrations_ApplyOnFirstStartAndMatchTheModel()
    {
        await using var portal = await PortalServices.StartAsync();
        await using var db = portal.CreateDbContext();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.False(db.Database.HasPendingModelChanges(), "The model changed without a SQLite migration: run dotnet ef migrations add.");
        Assert.True(File.Exists(portal.DatabaseFile));
        Assert.Equal(3, await db.Tenants.CountAsync());
    }

    [Fact]
    public async Task RetiredTenantIdsMigration_ReservesIdsWhoseChainOutlivedTheirTenant()
    {
        await using var portal = await PortalServices.StartAsync();
        var audit = portal.Get<AuditTrail>();
        // A rename before the reservation table existed: the old id's chain stays, with no tenant of that id.
        await audit.AppendAsync(audit.Create(PortalActor.System, AuditActions.TenantUpdate, AuditOutcome.Succeeded, "renamed-long-ago"), default);
        await audit.AppendAsync(audit.Create(PortalActor.System, AuditActions.TenantUpdate, AuditOutcome.Succeeded, "contoso"), default);
        await audit.AppendAsync(audit.Create(PortalActor.System, AuditActions.SupportOverview, AuditOutcome.Succeeded, tenantId: null), default);
        await using var db = portal.CreateDbContext();
        var migrator = db.GetService<IMigrator>();

        await migrator.MigrateAsync("20261201080849_KeyLockAndStoreDrift");
        await migrator.MigrateAsync();

        var retired = await db.RetiredTenantIds.AsNoTracking().SingleAsync();
        Assert.Equal("renamed-long-ago", retired.Id);
        Assert.Null(retired.RenamedTo);
        Assert.Equal(PortalServices.Start, retired.RetiredAt);
    }

    [Fact]
    public void SqlServerMigrations_MatchTheModelAndScriptTheSchema()
    {
        using var db = new SqlServerPortalDbContext(new DbContextOptionsBuilder<SqlServerPortalDbContext>()
            .UseSqlServer("Server=(none);Database=TenantPortal").Options);

        Assert.False(db.Database.HasPendingModelChanges(), "The model changed without a SQL Server migration: run dotnet ef migrations add.");
        var script = db.GetService<IMigrator>().GenerateScript();
        Assert.Contains("CREATE TABLE [ApiKeyVersions]", script, StringComparison.Ordinal);
        Assert.Contains("CREATE UNIQUE INDEX [IX_ApiKeyVersions_OneCurrentPerTenant]", script, StringComparison.Ordinal);
        Assert.Contains("WHERE [Status] = 'Current'", script, StringComparison.Ordinal);
        Assert.Contains("[CreatedAt] datetimeoffset NOT NULL", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Schema_HasNoColumnThatCouldHoldAKeyValue()
    {
        using var db = new SqlServerPortalDbContext(new DbContextOptionsBuilder<SqlServerPortalDbContext>()
            .UseSqlServer("Server=(none);Database=TenantPortal").Options);

        // Every text column is bounded well below what an API key may be (8 KB), and none is named like a value. The one
        // exception is Data Protection's own: a key of the ring as XML, encrypted with the certificate (about 3 KB), which
        // the portal never writes anything into.
        var columns = db.Model.GetEntityTypes().SelectMany(e => e.GetProperties()).ToList();
        Assert.All(columns.Where(p => p.ClrType == typeof(string) && !(p.DeclaringType.ClrType == typeof(DataProtectionKey) && p.Name == nameof(DataProtectionKey.Xml))),
            p => Assert.InRange(p.GetMaxLength() ?? int.MaxValue, 1, 512));
        Assert.DoesNotContain(columns, p => p.Name.Contains("Value", StringComparison.OrdinalIgnoreCase)
            || p.Name.Contains("Secret", StringComparison.OrdinalIgnoreCase) && p.Name != "SecretName");
    }
}
