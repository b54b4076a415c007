using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TenantPortal.Web.Data;
using TenantPortal.Web.Infrastructure.Telemetry;

namespace TenantPortal.Web.Infrastructure.Audit;

/// <summary>
/// One writer per process for standalone audit appends, committing whatever is waiting in one transaction (group
/// commit). Each caller still waits until its own event is committed, so an operation never proceeds on an append
/// that failed. Appends that belong to another transaction (a version record and its "succeeded" event) do not come
/// here: they call <see cref="AuditTrail.ChainAsync"/> in their own context, and the chain head's concurrency token
/// orders the two kinds of writers (and several portal instances) safely. The queue is bounded
/// (<see cref="AuditOptions.QueueCapacity"/>): when it is full an append is refused at once, not queued or awaited, so a
/// flood cannot grow memory without bound and the callers fail closed as for any other unavailable audit trail.
/// </summary>
public sealed partial class AuditAppender : IAsyncDisposable
{
    private const int MaxBatch = 256;
    private const int Attempts = 10;

    private readonly IDbContextFactory<PortalDbContext> _contexts;
    private readonly ILogger<AuditAppender> _logger;
    private readonly PortalMetrics _metrics;
    private readonly Channel<Pending> _queue;
    private readonly int _capacity;
    private readonly Task _writer;
    private volatile bool _stopped;

    public AuditAppender(IDbContextFactory<PortalDbContext> contexts, IOptions<AuditOptions> options, PortalMetrics metrics, ILogger<AuditAppender> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _contexts = contexts;
        _metrics = metrics;
        _logger = logger;
        _capacity = options.Value.QueueCapacity;
        // Wait mode makes TryWrite answer false when full (DropWrite would claim success and lose the event).
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(_capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _writer = Task.Run(WriteAsync);
    }

    public static string QueueFullMessage(int capacity) =>
        $"The audit trail is refusing new events: {capacity} appends are already waiting to be written.";

    /// <summary>Completes when the event is committed; throws <see cref="AuditUnavailableException"/> when it cannot be.</summary>
    public Task AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        var pending = new Pending(auditEvent);
        if (!_queue.Writer.TryWrite(pending))
        {
            if (_stopped)
            {
                throw new AuditUnavailableException(new InvalidOperationException("The audit writer has stopped."));
            }

            LogQueueFull(_logger, _capacity, auditEvent.Action, auditEvent.Outcome, auditEvent.TenantId, auditEvent.CorrelationId);
            throw new AuditUnavailableException(QueueFullMessage(_capacity));
        }

        // Cancelling stops the wait, not the append: an event already queued is still recorded.
        return TimedAsync(pending.Done.Task, Stopwatch.GetTimestamp()).WaitAsync(cancellationToken);
    }

    private async Task TimedAsync(Task committed, long started)
    {
        try
        {
            await committed;
            _metrics.AuditAppended(Stopwatch.GetElapsedTime(started), committed: true);
        }
        catch (AuditUnavailableException)
        {
            _metrics.AuditAppended(Stopwatch.GetElapsedTime(started), committed: false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopped = true;
        _queue.Writer.TryComplete();
        await _writer;
    }

    private async Task WriteAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            if (!await TryCommitAsync(batch) && batch.Count > 1)
            {
                // Isolate whatever made the group fail, so that one bad event does not take the others with it.
                foreach (var pending in batch)
                {
                    await TryCommitAsync([pending]);
                }
            }
        }
    }

    private async Task<bool> TryCommitAsync(List<Pending> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var db = _contexts.CreateDbContext();
                // One connection for the read and the commit, and one read for every head the group touches;
                // ChainAsync then finds them in the change tracker.
                await db.Database.OpenConnectionAsync();
                var chainIds = batch.Select(p => p.Event.ChainId).Distinct().ToList();
                await db.AuditChainHeads.Where(h => chainIds.Contains(h.ChainId)).LoadAsync();
                foreach (var pending in batch)
                {
                    pending.Attempt = attempt == 1 ? pending.Event : pending.Event.Unchained();
                    await AuditTrail.ChainAsync(db, pending.Attempt, CancellationToken.None);
                }

                await db.SaveChangesAsync();
                foreach (var pending in batch)
                {
                    pending.Done.TrySetResult();
                }

                return true;
            }
            catch (DbUpdateException) when (attempt < Attempts)
            {
                // Another writer moved a chain head: link the group again.
            }
            catch (Exception ex)
            {
                // Whatever failed (a refused statement, or SQL Server's retrying strategy giving up after an outage with
                // RetryLimitExceededException), it fails this group and this process's one writer goes on: an exception
                // left to escape would end the writer, and every later append would wait for ever. A group is split to
                // find the one event a statement refused; a database that did not answer fails the whole group at once,
                // rather than each of its events after a retry cycle of its own.
                if (batch.Count > 1 && ex is DbUpdateException or InvalidOperationException)
                {
                    return false;
                }

                foreach (var pending in batch)
                {
                    LogAppendFailed(_logger, ex, pending.Event.Action, pending.Event.Outcome, pending.Event.TenantId, pending.Event.CorrelationId);
                    pending.Done.TrySetException(new AuditUnavailableException(ex));
                }

                return true;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not append audit event {Action} ({Outcome}) for tenant {TenantId}, correlation {CorrelationId}")]
    private static partial void LogAppendFailed(ILogger logger, Exception exception, string action, AuditOutcome outcome, string? tenantId, string correlationId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit queue full ({Capacity} waiting): refused {Action} ({Outcome}) for tenant {TenantId}, correlation {CorrelationId}")]
    private static partial void LogQueueFull(ILogger logger, int capacity, string action, AuditOutcome outcome, string? tenantId, string correlationId);

    private sealed class Pending(AuditEvent auditEvent)
    {
        public AuditEvent Event { get; } = auditEvent;

        public AuditEvent Attempt { get; set; } = auditEvent;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
