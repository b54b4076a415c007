using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace TenantPortal.Web.Data;

/// <summary>
/// Per-connection SQLite settings for the embedded default. With write-ahead logging, <c>synchronous=NORMAL</c>
/// keeps the file consistent after any crash and syncs at checkpoints rather than at every commit; a power cut
/// can lose the last commits. Production uses SQL Server.
/// </summary>
internal sealed class SqliteConnectionTuning : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;";

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }
}
