using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Tests.Data;

public sealed class SqliteTuningTests : IAsyncLifetime
{
    private PortalServices _portal = null!;

    public async Task InitializeAsync() => _portal = await PortalServices.StartAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task PortalConnections_KeepTheirSettingsWhenThePoolHandsThemOutAgain()
    {
        for (var i = 0; i < 3; i++)
        {
            await using var db = _portal.CreateDbContext();
            await db.Database.OpenConnectionAsync();

            Assert.Equal("wal", await PragmaAsync<string>(db, "journal_mode"));
            Assert.Equal(1, await PragmaAsync<long>(db, "synchronous"));
            Assert.Equal(5000, await PragmaAsync<long>(db, "busy_timeout"));
            Assert.Equal(SqliteConnectionTuning.AutoCheckpointPages, await PragmaAsync<long>(db, "wal_autocheckpoint"));
        }
    }

    [Fact]
    public async Task Checkpointer_RunsInTheBackgroundAndCopiesTheWholeLogIntoTheDatabase()
    {
        var checkpointer = _portal.Get<SqliteWalCheckpointer>();
        Assert.Contains(checkpointer, _portal.Services.GetServices<IHostedService>());
        // Stopped for the rest of the test, so that its next beat cannot copy the log between the appends and the check.
        await checkpointer.StopAsync(default);
        var audit = _portal.Get<AuditTrail>();
        for (var i = 0; i < 20; i++)
        {
            await audit.AppendAsync(audit.Create(PortalActor.System, "Test.Write", AuditOutcome.Succeeded, "contoso"), default);
        }

        var (logPages, checkpointedPages) = await checkpointer.CheckpointAsync(default);

        // Not "logPages > 0": another test class clearing the process-wide connection pool closes this database's last
        // connection, and SQLite then copies and removes the log itself. Whatever the log holds, it is all copied.
        Assert.Equal(logPages, checkpointedPages);
    }

    private static async Task<T> PragmaAsync<T>(PortalDbContext db, string name)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"PRAGMA {name};";
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
