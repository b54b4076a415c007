using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace TenantPortal.Web.Data;

/// <summary>
/// Queues this process's SQLite writers in order before they ask SQLite for its one write lock: transactions, and the
/// statements that write outside one (a SaveChanges of a single statement, <c>ExecuteUpdate</c>, <c>ExecuteDelete</c>:
/// SQLite runs each in an implicit transaction of its own).
/// <para>
/// Every transaction EF Core begins on SQLite is <c>BEGIN IMMEDIATE</c>: it takes the database's single write lock at
/// once. Writers that find it taken wait in SQLite's busy handler, which sleeps and polls (1, 2, 5 … then every 100 ms)
/// with no queue: under a steady stream of short writes a waiting writer can miss the lock for a second or more while
/// newer ones take it (the API submit benchmark measured a p99 of 640 ms and a maximum of 1.7 s just waiting for BEGIN).
/// Here a writer waits on a first-come, first-served semaphore instead and is handed the lock the moment the previous
/// writer of this process commits or rolls back, so SQLite never has two of them contending.
/// </para>
/// <para>
/// The gate is released when the transaction commits, rolls back, fails or is disposed (EF Core's TransactionDisposed
/// event, through <c>LogTo</c>: see <see cref="OnTransactionDisposed"/>), when BEGIN itself fails, and as a last resort
/// when its connection starts another transaction, closes or is disposed. A writer waits at most <see cref="MaxWait"/>,
/// SQLite's own busy timeout, and then asks SQLite regardless: a transaction that waits inside itself for another
/// writer of this process is refused with SQLite's "database is locked" after twice the busy timeout (the wait here,
/// then SQLite's own) instead of waiting forever. Other processes on the same file (a second portal instance, a tool) are
/// not queued here and contend through SQLite's busy handler as before. SQL Server needs none of this.
/// </para>
/// </summary>
internal sealed class SqliteWriterGate : IDbTransactionInterceptor, IDbConnectionInterceptor, IDbCommandInterceptor, IDisposable
{
    /// <summary>As long as SQLite's busy handler would wait (<c>PRAGMA busy_timeout</c> in <see cref="SqliteConnectionTuning"/>).</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(SqliteConnectionTuning.BusyTimeoutMilliseconds);

    private readonly SemaphoreSlim _writer = new(1, 1);
    // EF Core's id of each connection whose transaction holds the gate, or of each statement that writes outside a
    // transaction; removed once, however many of the events below arrive.
    private readonly ConcurrentDictionary<Guid, byte> _holders = new();

    /// <summary>Whether a writer of this process holds the gate.</summary>
    public bool IsHeld => _writer.CurrentCount == 0;

    /// <summary>Raised when a writer finds the gate held and starts waiting (tests wait on it instead of sleeping).</summary>
    public event Action? Queued;

    public async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        Release(eventData.ConnectionId);
        if (!await EnterAsync(cancellationToken))
        {
            return result;
        }

        // BEGIN runs here so that a BEGIN that fails (another process kept the lock past the busy timeout, a cancelled
        // token) gives the gate back: EF Core raises no event for it.
        try
        {
            var transaction = await connection.BeginTransactionAsync(eventData.IsolationLevel, cancellationToken);
            _holders[eventData.ConnectionId] = 0;
            return InterceptionResult<DbTransaction>.SuppressWithResult(transaction);
        }
        catch
        {
            _writer.Release();
            throw;
        }
    }

    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        Release(eventData.ConnectionId);
        if (!Enter())
        {
            return result;
        }

        try
        {
            var transaction = connection.BeginTransaction(eventData.IsolationLevel);
            _holders[eventData.ConnectionId] = 0;
            return InterceptionResult<DbTransaction>.SuppressWithResult(transaction);
        }
        catch
        {
            _writer.Release();
            throw;
        }
    }

    /// <summary>For <c>LogTo</c>: the one event this gate needs that no interceptor sees.</summary>
    public static bool IsTransactionDisposed(EventId id, LogLevel level) => id.Id == RelationalEventId.TransactionDisposed.Id;

    /// <summary>
    /// A transaction disposed without a commit or a rollback (a failed SaveChanges, an early return): EF Core raises no
    /// interceptor event for it, and a pooled context going back to its pool closes its connection without one either.
    /// </summary>
    public void OnTransactionDisposed(EventData eventData)
    {
        if (eventData is TransactionEventData transaction)
        {
            Release(transaction.ConnectionId);
        }
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData.ConnectionId);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.ConnectionId);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData.ConnectionId);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.ConnectionId);
        return Task.CompletedTask;
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Release(eventData.ConnectionId);

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.ConnectionId);
        return Task.CompletedTask;
    }

    public InterceptionResult ConnectionClosing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Release(eventData.ConnectionId);
        return result;
    }

    public ValueTask<InterceptionResult> ConnectionClosingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Release(eventData.ConnectionId);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult ConnectionDisposing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Release(eventData.ConnectionId);
        return result;
    }

    public ValueTask<InterceptionResult> ConnectionDisposingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Release(eventData.ConnectionId);
        return ValueTask.FromResult(result);
    }

    public async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        await EnterForAsync(command, eventData, cancellationToken);
        return result;
    }

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        EnterFor(command, eventData);
        return result;
    }

    public async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await EnterForAsync(command, eventData, cancellationToken);
        return result;
    }

    public InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        EnterFor(command, eventData);
        return result;
    }

    public async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result,
        CancellationToken cancellationToken = default)
    {
        await EnterForAsync(command, eventData, cancellationToken);
        return result;
    }

    public InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        EnterFor(command, eventData);
        return result;
    }

    public int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Release(eventData.CommandId);
        return result;
    }

    public ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Release(eventData.CommandId);
        return ValueTask.FromResult(result);
    }

    public object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        Release(eventData.CommandId);
        return result;
    }

    public ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        Release(eventData.CommandId);
        return ValueTask.FromResult(result);
    }

    // A statement read through a data reader (SaveChanges's single INSERT, UPDATE … RETURNING) ends, and SQLite commits
    // its implicit transaction, when the reader is closed.
    public InterceptionResult DataReaderClosing(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        Release(eventData.CommandId);
        return result;
    }

    public ValueTask<InterceptionResult> DataReaderClosingAsync(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        Release(eventData.CommandId);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        Release(eventData.CommandId);
        return result;
    }

    public void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Release(eventData.CommandId);

    public Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.CommandId);
        return Task.CompletedTask;
    }

    public void CommandCanceled(DbCommand command, CommandEndEventData eventData) => Release(eventData.CommandId);

    public Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.CommandId);
        return Task.CompletedTask;
    }

    public void Dispose() => _writer.Dispose();

    /// <summary>
    /// Whether <paramref name="command"/> writes in SQLite's own implicit transaction: outside an explicit one, and
    /// beginning with a statement that writes. EF Core runs SaveChanges's single statement (it begins no transaction
    /// for one), ExecuteUpdate and ExecuteDelete so; queries begin with SELECT (or PRAGMA, WITH …).
    /// </summary>
    internal static bool WritesOutsideATransaction(DbCommand command)
    {
        if (command.Transaction is not null)
        {
            return false;
        }

        var text = command.CommandText.AsSpan().TrimStart();
        foreach (var verb in WritingVerbs)
        {
            if (text.StartsWith(verb, StringComparison.OrdinalIgnoreCase) && (text.Length == verb.Length || !char.IsLetterOrDigit(text[verb.Length])))
            {
                return true;
            }
        }

        return false;
    }

    private static readonly string[] WritingVerbs = ["INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER"];

    private async ValueTask EnterForAsync(DbCommand command, CommandEventData eventData, CancellationToken cancellationToken)
    {
        if (WritesOutsideATransaction(command) && await EnterAsync(cancellationToken))
        {
            _holders[eventData.CommandId] = 0;
        }
    }

    private void EnterFor(DbCommand command, CommandEventData eventData)
    {
        if (WritesOutsideATransaction(command) && Enter())
        {
            _holders[eventData.CommandId] = 0;
        }
    }

    /// <summary>True when this writer now holds the gate; false when it waited <see cref="MaxWait"/> in vain.</summary>
    private async ValueTask<bool> EnterAsync(CancellationToken cancellationToken)
    {
        if (_writer.Wait(0, cancellationToken))
        {
            return true;
        }

        Queued?.Invoke();
        return await _writer.WaitAsync(MaxWait, cancellationToken);
    }

    private bool Enter()
    {
        if (_writer.Wait(0))
        {
            return true;
        }

        Queued?.Invoke();
        return _writer.Wait(MaxWait);
    }

    private void Release(Guid connectionId)
    {
        if (_holders.TryRemove(connectionId, out _))
        {
            _writer.Release();
        }
    }
}
