using Microsoft.EntityFrameworkCore;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Audit;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.Audit;

public sealed class AuditRetentionTests : IAsyncLifetime
{
    private PortalServices _portal = null!;

    public async Task InitializeAsync()
    {
        _portal = await PortalServices.StartAsync();
        var keys = _portal.Get<ApiKeyService>();
        await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue("sk_live_retention_old_0001"), default);
        await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue("sk_live_retention_old_0002"), default);
        _portal.Time.Advance(TimeSpan.FromDays(401));
        await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue("sk_live_retention_new_0003"), default);
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task PurgeAsync_OldEvents_AreRemovedAndTheRestStillVerifiesFromTheCheckpoint()
    {
        var report = await _portal.Get<AuditRetention>().PurgeAsync(default);

        Assert.Equal(new AuditPurgeReport(1, 4), report);
        await using var db = _portal.CreateDbContext();
        var remaining = await db.AuditEvents.Where(e => e.ChainId == "contoso").OrderBy(e => e.Sequence).ToListAsync();
        Assert.Equal([5L, 6L, 7L], remaining.Select(e => e.Sequence));
        Assert.Equal(AuditActions.AuditPurged, remaining[^1].Action);
        var checkpoint = await db.AuditCheckpoints.SingleAsync();
        Assert.Equal(4, checkpoint.Sequence);
        Assert.Equal(remaining[0].PreviousHash, checkpoint.Hash);
        Assert.True((await _portal.Get<AuditVerifier>().VerifyAsync("contoso", default)).IsIntact);
    }

    [Fact]
    public async Task PurgeAsync_ThenTampering_IsStillDetected()
    {
        await _portal.Get<AuditRetention>().PurgeAsync(default);
        await using (var db = _portal.CreateDbContext())
        {
            await db.Database.ExecuteSqlRawAsync("UPDATE AuditEvents SET Reason = 'x' WHERE ChainId = 'contoso' AND Sequence = 5");
        }

        var result = await _portal.Get<AuditVerifier>().VerifyAsync("contoso", default);

        Assert.Equal(5, result.FirstBrokenSequence);
    }

    [Fact]
    public async Task PurgeAsync_NothingOldEnough_ChangesNothing()
    {
        await _portal.Get<AuditRetention>().PurgeAsync(default);

        var second = await _portal.Get<AuditRetention>().PurgeAsync(default);

        Assert.Equal(new AuditPurgeReport(0, 0), second);
    }
}
