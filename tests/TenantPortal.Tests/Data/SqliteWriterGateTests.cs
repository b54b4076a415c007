using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.Tenants;

namespace TenantPortal.Tests.Data;

/// <summary>The portal's SQLite writers wait in line in the process, not in SQLite's sleeping busy handler.</summary>
public sealed class SqliteWriterGateTests : IAsyncLifetime
{
    private PortalServices _portal = null!;
    private SqliteWriterGate _gate = null!;

    public async Task InitializeAsync()
    {
        _portal = await PortalServices.StartAsync();
        _gate = _portal.Get<SqliteWriterGate>();
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task WritersThatFindTheGateHeld_CommitInTheOrderTheyArrived()
    {
        await using var first = _portal.CreateDbContext();
        await using var held = await first.Database.BeginTransactionAsync();
        Assert.True(_gate.IsHeld);

        // Each writer is queued before the next one starts. SQLite's busy handler alone would let whichever
        // polled first after the commit win, typically the newest (its first sleeps are the shortest).
        var writers = new List<Task>();
        foreach (var id in new[] { "gate-a", "gate-b", "gate-c", "gate-d" })
        {
            var queued = Signal();
            writers.Add(AddTenantAsync(id));
            await queued;
        }

        Assert.All(writers, w => Assert.False(w.IsCompleted));
        await held.CommitAsync();
        await Task.WhenAll(writers);

        Assert.Equal(["gate-a", "gate-b", "gate-c", "gate-d"], await InsertionOrderAsync());
        Assert.False(_gate.IsHeld);
    }

    [Fact]
    public async Task AStatementThatWritesOutsideATransaction_WaitsItsTurnAndGivesTheGateBack()
    {
        await AddTenantAsync("gate-a");
        await using var first = _portal.CreateDbContext();
        var held = await first.Database.BeginTransactionAsync();

        var queued = Signal();
        var update = RenameAsync("gate-a", "Renamed");
        await queued;
        Assert.False(update.IsCompleted);

        await held.CommitAsync();
        await held.DisposeAsync();
        Assert.Equal(1, await update);
        Assert.False(_gate.IsHeld);
        await using var db = _portal.CreateDbContext();
        Assert.Equal("Renamed", await db.Tenants.Where(t => t.Id == "gate-a").Select(t => t.DisplayName).SingleAsync());
    }

    [Fact]
    public async Task ATransactionDisposedWithoutACommit_RollsBackAndGivesTheGateBack()
    {
        await using (var db = _portal.CreateDbContext())
        {
            await using var abandoned = await db.Database.BeginTransactionAsync();
            db.Tenants.Add(NewTenant("gate-a"));
            await db.SaveChangesAsync();
            Assert.True(_gate.IsHeld);
        }

        Assert.False(_gate.IsHeld);
        await AddTenantAsync("gate-b");
        Assert.Equal(["gate-b"], await InsertionOrderAsync());
    }

    [Fact]
    public async Task ASaveThatFails_GivesTheGateBack()
    {
        await AddTenantAsync("gate-a");

        var failed = await Assert.ThrowsAsync<DbUpdateException>(() => AddTenantAsync("gate-a"));

        Assert.Equal(19, Assert.IsType<SqliteException>(failed.InnerException).SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.False(_gate.IsHeld);
        await AddTenantAsync("gate-b");
        Assert.Equal(["gate-a", "gate-b"], await InsertionOrderAsync());
    }

    [Fact]
    public async Task ASaveThatFailsInItsOwnTransaction_OnAConnectionKeptOpen_GivesTheGateBack()
    {
        await AddTenantAsync("gate-a");

        // Two statements, so SaveChanges begins a transaction; it fails on the second and EF Core disposes the
        // transaction without a rollback event, and the pooled context's reset closes the connection without one either.
        await using (var db = _portal.CreateDbContext())
        {
            await db.Database.OpenConnectionAsync();
            db.Tenants.AddRange(NewTenant("gate-b"), NewTenant("gate-a"));
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
            Assert.False(_gate.IsHeld);
        }

        Assert.False(_gate.IsHeld);
        await AddTenantAsync("gate-c");
        Assert.Equal(["gate-a", "gate-c"], await InsertionOrderAsync());
    }

    [Fact]
    public async Task ATransactionRolledBack_GivesTheGateBackAtOnce()
    {
        await using var db = _portal.CreateDbContext();
        await db.Database.OpenConnectionAsync();
        await using var rolledBack = await db.Database.BeginTransactionAsync();
        Assert.True(_gate.IsHeld);

        await rolledBack.RollbackAsync();

        // The connection is still open: the rollback itself gave the gate back.
        Assert.False(_gate.IsHeld);
    }

    private Task Signal()
    {
        var queued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnQueued()
        {
            _gate.Queued -= OnQueued;
            queued.TrySetResult();
        }

        _gate.Queued += OnQueued;
        return queued.Task;
    }

    private static Tenant NewTenant(string id) => new() { Id = id, DisplayName = id, CreatedAt = DateTimeOffset.UnixEpoch };

    private async Task AddTenantAsync(string id)
    {
        await using var db = _portal.CreateDbContext();
        db.Tenants.Add(NewTenant(id));
        await db.SaveChangesAsync();
    }

    private async Task<int> RenameAsync(string id, string name)
    {
        await using var db = _portal.CreateDbContext();
        return await db.Tenants.Where(t => t.Id == id).ExecuteUpdateAsync(u => u.SetProperty(t => t.DisplayName, name));
    }

    private async Task<List<string>> InsertionOrderAsync()
    {
        await using var db = _portal.CreateDbContext();
        return await db.Database.SqlQueryRaw<string>("SELECT Id AS Value FROM Tenants WHERE Id LIKE 'gate-%' ORDER BY rowid").ToListAsync();
    }
}
