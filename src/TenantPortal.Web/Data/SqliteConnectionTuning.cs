using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace TenantPortal.Web.Data;

/// <summary>
/// Per-connection SQLite settings for the embedded default. With write-ahead logging, <c>synchronous=NORMAL</c>
/// keeps the file consistent after any crash and syncs at checkpoints rather than at every commit; a power cut
/// can lose the last commits. Checkpoints run in the background (<see cref="SqliteWalCheckpointer"/>); a commit
/// checkpoints by itself only past <see cref="AutoCheckpointPages"/>, if that falls behind. Production uses SQL Server.
/// </summary>
internal sealed class SqliteConnectionTuning : DbConnectionInterceptor
{
    /// <summary>About 40 MB of log: over a second of the submit benchmark's back-to-back submits.</summary>
    public const int AutoCheckpointPages = 10_000;

    /// <summary>How long a statement waits for another connection's write lock before SQLite answers "busy".</summary>
    public const int BusyTimeoutMilliseconds = 5000;

    private static readonly string Pragmas =
        $"PRAGMA synchronous=NORMAL; PRAGMA busy_timeout={BusyTimeoutMilliseconds.ToString(CultureInfo.InvariantCulture)}; PRAGMA wal_autocheckpoint={AutoCheckpointPages.ToString(CultureInfo.InvariantCulture)};";

    // A pooled connection keeps its settings, so only a newly opened database handle needs them.
    private readonly ConditionalWeakTable<object, object> _tuned = [];

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (IsTuned(connection))
        {
            return;
        }

        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
        MarkTuned(connection);
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (IsTuned(connection))
        {
            return;
        }

        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
        MarkTuned(connection);
    }

    private bool IsTuned(DbConnection connection) => connection is SqliteConnection { Handle: { } handle } && _tuned.TryGetValue(handle, out _);

    private void MarkTuned(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle })
        {
            _tuned.AddOrUpdate(handle, handle);
        }
    }
}
