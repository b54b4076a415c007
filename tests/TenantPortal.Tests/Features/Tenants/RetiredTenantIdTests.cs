using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.Audit;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Tests.Features.Tenants;

/// <summary>
/// The audit trail keeps a tenant's rows and hash chain under the id that wrote them. An id freed by a rename is
/// therefore retired: no tenant onboarded or renamed later takes it, so none reads the old tenant's history or
/// continues its chain, and staff still read that history under the old id.
/// </summary>
public sealed class RetiredTenantIdTests : IAsyncLifetime
{
    private static readonly Guid AcmeTid = Guid.Parse("ac3e0000-0000-4000-8000-000000000030");
    private static readonly Guid NewcomerTid = Guid.Parse("ac3e0000-0000-4000-8000-000000000031");
    private PortalServices _portal = null!;

    private TenantService Tenants => _portal.Get<TenantService>();

    public async Task InitializeAsync() => _portal = await PortalServices.StartAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private static TenantInput Input(string id, Guid tid, string name = "Acme Corp") =>
        new(id, name, [tid.ToString()], [new ContactInput("ops@acme.example", "en")], RotationPolicy.Default);

    [Fact]
    public async Task Rename_RetiresTheOldId_SoNeitherOnboardingNorAnotherRenameTakesIt_AndStaffStillReadItsHistory()
    {
        Assert.True((await Tenants.OnboardAsync(TestPersonas.PlatformAdmin, Input("acme", AcmeTid), default)).Succeeded);
        var admin = TestPersonas.With(AcmeTid, TestPersonas.TenantAdminRole);
        Assert.True((await Tenants.UpdateContactsAsync(admin, "acme", [new("security@acme.example", "en")], default)).Succeeded);
        var renamed = await Tenants.UpdateAsync(TestPersonas.PlatformAdmin, "acme", Input("acme-eu", AcmeTid), default);
        Assert.True(renamed.Succeeded, renamed.Message);

        var onboardAgain = await Tenants.OnboardAsync(TestPersonas.PlatformAdmin, Input("acme", NewcomerTid, "Acme Newcomer"), default);
        var renameOnto = await Tenants.UpdateAsync(TestPersonas.PlatformAdmin, "fabrikam",
            new TenantInput("acme", "Fabrikam Inc", [Web.Auth.Development.DevelopmentPersonas.FabrikamEntraTenantId.ToString()], [], RotationPolicy.Default), default);

        var expected = $"The id \"acme\" cannot be used again: it belonged to a tenant renamed to \"acme-eu\" on {PortalServices.Start:yyyy-MM-dd}, "
            + "and its audit history stays under that id. Choose another id.";
        Assert.Equal(TenantChangeOutcome.Invalid, onboardAgain.Outcome);
        Assert.Equal(expected, onboardAgain.Message);
        Assert.Equal(TenantChangeOutcome.Invalid, renameOnto.Outcome);
        Assert.Equal(expected, renameOnto.Message);
        Assert.Null(await Tenants.GetAsync(TestPersonas.PlatformAdmin, "acme", default));
        Assert.NotNull(await Tenants.GetAsync(TestPersonas.PlatformAdmin, "fabrikam", default));

        await using (var db = _portal.CreateDbContext())
        {
            var retired = await db.RetiredTenantIds.SingleAsync();
            Assert.Equal(("acme", "acme-eu", PortalServices.Start), (retired.Id, retired.RenamedTo, retired.RetiredAt));
            // Acme's chain ends where the rename left it: nothing was appended under the old id since.
            var head = await db.AuditChainHeads.SingleAsync(h => h.ChainId == "acme");
            Assert.Equal(await db.AuditEvents.CountAsync(e => e.ChainId == "acme"), head.Sequence);
        }

        // The old history stays readable by staff under the old id, and its chain intact.
        var audit = _portal.Get<AuditService>();
        var history = await audit.GetPageAsync(TestPersonas.SupportReader, new AuditQuery(0, 50, new AuditFilter(TenantId: "acme")), default);
        Assert.Contains(history!.Items, r => r.Action == AuditActions.TenantContactsUpdate);
        Assert.True((await audit.VerifyAsync(TestPersonas.SupportReader, "acme", default))!.IsIntact);
    }

    [Fact]
    public async Task Seeding_DoesNotBringBackASeededTenantsRetiredId()
    {
        var renamed = await Tenants.UpdateAsync(TestPersonas.PlatformAdmin, "northwind",
            new TenantInput("northwind-traders", "Northwind Traders", [], [], RotationPolicy.Default), default);
        Assert.True(renamed.Succeeded, renamed.Message);

        // The seeder runs at every start in Development: run it again, as a restart would.
        await _portal.Get<IEnumerable<IHostedService>>().OfType<DevelopmentTenantSeeder>().Single().StartAsync(default);

        Assert.Null(await Tenants.GetAsync(TestPersonas.PlatformAdmin, "northwind", default));
        Assert.NotNull(await Tenants.GetAsync(TestPersonas.PlatformAdmin, "northwind-traders", default));
    }
}
