using Microsoft.EntityFrameworkCore;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Tests.Data;

/// <summary>
/// The inspection pass detects a save's changes once, for the inspectors and the save itself: what is written, and what
/// the next save detects, must not change.
/// </summary>
public sealed class SaveChangesInspectionTests : IAsyncLifetime
{
    private PortalServices _portal = null!;

    public async Task InitializeAsync() => _portal = await PortalServices.StartAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task SaveChanges_PropertiesSetOnTheEntity_AreWritten_AndDetectionIsAutomaticAgainAfterwards()
    {
        await using (var db = _portal.CreateDbContext())
        {
            var tenant = await db.Tenants.SingleAsync(t => t.Id == "contoso");
            tenant.DisplayName = "Contoso One";
            Assert.Equal(1, await db.SaveChangesAsync());

            Assert.True(db.ChangeTracker.AutoDetectChangesEnabled);
            tenant.GracePeriodDays = 3;
            Assert.Equal(EntityState.Modified, db.Entry(tenant).State);
            Assert.Equal(1, await db.SaveChangesAsync());
        }

        await using var check = _portal.CreateDbContext();
        var saved = await check.Tenants.AsNoTracking().SingleAsync(t => t.Id == "contoso");
        Assert.Equal(("Contoso One", 3), (saved.DisplayName, saved.GracePeriodDays));
    }

    [Fact]
    public async Task SaveChanges_AfterTheAppendOnlyGuardRefusedASave_StillDetectsAndWritesTheNextChange()
    {
        var audit = _portal.Get<AuditTrail>();
        await audit.AppendAsync(audit.Create(PortalActor.System, "Test.Inspection", AuditOutcome.Succeeded, "contoso"), default);
        await using (var db = _portal.CreateDbContext())
        {
            var row = await db.AuditEvents.FirstAsync();
            row.GetType().GetProperty("Reason")!.SetValue(row, "rewritten");
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
            Assert.Contains("append-only", refused.Message, StringComparison.Ordinal);

            db.ChangeTracker.Clear();
            Assert.True(db.ChangeTracker.AutoDetectChangesEnabled);
            var tenant = await db.Tenants.SingleAsync(t => t.Id == "fabrikam");
            tenant.DisplayName = "Fabrikam Two";
            Assert.Equal(1, await db.SaveChangesAsync());
        }

        await using var check = _portal.CreateDbContext();
        Assert.Equal("Fabrikam Two", (await check.Tenants.AsNoTracking().SingleAsync(t => t.Id == "fabrikam")).DisplayName);
    }

    [Fact]
    public async Task SaveChanges_WithDetectionSwitchedOffByTheCaller_WritesOnlyWhatWasDetected_AndLeavesItOff()
    {
        await using (var db = _portal.CreateDbContext())
        {
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            var tenant = await db.Tenants.SingleAsync(t => t.Id == "contoso");
            tenant.DisplayName = "Never detected";

            Assert.Equal(0, await db.SaveChangesAsync());
            Assert.False(db.ChangeTracker.AutoDetectChangesEnabled);
        }

        await using var check = _portal.CreateDbContext();
        Assert.NotEqual("Never detected", (await check.Tenants.AsNoTracking().SingleAsync(t => t.Id == "contoso")).DisplayName);
    }
}
