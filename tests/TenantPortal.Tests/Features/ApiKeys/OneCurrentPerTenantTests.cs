using Microsoft.EntityFrameworkCore;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;

namespace TenantPortal.Tests.Features.ApiKeys;

/// <summary>
/// The one-Current-per-tenant index against the order EF Core writes a save in. A submit's commit saves the demotion of
/// the old Current row and the insert of its successor in one save (<see cref="KeyCommit.AddAfterDemotions"/>): that
/// holds only because EF Core runs a table's updates before its inserts, whatever order the code made the changes in.
/// </summary>
public sealed class OneCurrentPerTenantTests : IAsyncLifetime
{
    private PortalServices _portal = null!;

    public async Task InitializeAsync()
    {
        _portal = await PortalServices.StartAsync();
        await using var db = _portal.CreateDbContext();
        db.ApiKeyVersions.Add(Row("v1"));
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task ASecondCurrentRowBesideOneStillCurrent_IsRefusedByTheIndex_AndNothingIsWritten()
    {
        await using (var db = _portal.CreateDbContext())
        {
            db.ApiKeyVersions.Add(Row("v2"));
            var refused = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
            Assert.Contains("UNIQUE constraint failed", refused.InnerException?.Message, StringComparison.Ordinal);
        }

        Assert.Equal([("v1", ApiKeyVersionStatus.Current)], await StatusesAsync());
    }

    [Theory]
    [InlineData(false)] // as the commit does it: the demotion first, then the new row
    [InlineData(true)]  // the new row added before the demotion is made
    public async Task OneSave_DemotingTheCurrentRowAndInsertingItsSuccessor_LeavesExactlyOneCurrent(bool addFirst)
    {
        await using (var db = _portal.CreateDbContext())
        {
            var successor = Row("v2");
            if (addFirst)
            {
                db.ApiKeyVersions.Add(successor);
            }

            var current = await db.ApiKeyVersions.SingleAsync(v => v.StoreVersionId == "v1");
            current.MoveTo(KeyEvent.Submit, ApiKeyVersionStatus.Previous, PortalServices.Start);
            if (!addFirst)
            {
                db.ApiKeyVersions.Add(successor);
            }

            await db.SaveChangesAsync();
        }

        Assert.Equal([("v1", ApiKeyVersionStatus.Previous), ("v2", ApiKeyVersionStatus.Current)], await StatusesAsync());
    }

    private async Task<List<(string, ApiKeyVersionStatus)>> StatusesAsync()
    {
        await using var db = _portal.CreateDbContext();
        return (await db.ApiKeyVersions.Where(v => v.TenantId == "contoso").OrderBy(v => v.StoreVersionId).ToListAsync())
            .Select(v => (v.StoreVersionId, v.Status)).ToList();
    }

    private static ApiKeyVersion Row(string version) => new()
    {
        TenantId = "contoso",
        StoreVersionId = version,
        Status = ApiKeyVersionStatus.Current,
        CreatedAt = PortalServices.Start,
        StatusChangedAt = PortalServices.Start,
        CreatedByName = "Adele Vance",
        MaskedHint = "••••0001",
        Fingerprint = "fp-" + version,
    };
}
