namespace TenantPortal.Web.Infrastructure.Background;

/// <summary>
/// A background loop: one pass at start-up (unless <see cref="RunsAtStart"/> is false), then one every
/// <see cref="Interval"/> on the <see cref="TimeProvider"/>'s clock, each pass in its own service scope. A pass that
/// fails is logged and the next one runs as usual; only shutdown ends the loop.
/// </summary>
public abstract partial class PeriodicWorker(IServiceScopeFactory scopes, TimeProvider time, ILogger logger) : BackgroundService
{
    /// <summary>Read once, when the worker starts; a disabled worker never runs a pass.</summary>
    protected abstract bool Enabled { get; }

    /// <summary>Read once, when the worker starts.</summary>
    protected abstract TimeSpan Interval { get; }

    protected virtual bool RunsAtStart => true;

    /// <summary>
    /// Completes when a pass is wanted before the interval is up; null (the default) for a worker on the timer alone.
    /// A worker that can be woken counts its interval from the end of each pass instead of on a fixed beat, so a woken
    /// pass is not followed straight away by a timed one.
    /// </summary>
    protected virtual Func<CancellationToken, Task>? WakeUp => null;

    /// <summary>
    /// True to count the interval from the end of each pass rather than keep a fixed beat (always so for a worker that
    /// can be woken): passes are then never closer than <see cref="Interval"/>, however long one takes.
    /// </summary>
    protected virtual bool CountsIntervalFromPassEnd => WakeUp is not null;

    /// <summary>The worker's own logger, for its <see cref="OnPassFailed"/> message.</summary>
    protected ILogger Logger { get; } = logger;

    protected abstract Task RunOnceAsync(IServiceProvider scopedServices, CancellationToken cancellationToken);

    /// <summary>Logs a pass that failed; override to word it for the job.</summary>
    protected virtual void OnPassFailed(Exception exception) => LogPassFailed(Logger, exception);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }

        var interval = Interval;
        if (CountsIntervalFromPassEnd)
        {
            var wakeUp = WakeUp;
            await RunAtStartAsync(stoppingToken);
            while (await WaitForIntervalOrWakeUpAsync(interval, wakeUp, stoppingToken))
            {
                await RunPassAsync(stoppingToken);
            }

            return;
        }

        // Created before the first pass, so the beat does not drift by however long that pass takes.
        using var timer = new PeriodicTimer(interval, time);
        await RunAtStartAsync(stoppingToken);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await RunPassAsync(stoppingToken);
        }
    }

    private async Task RunAtStartAsync(CancellationToken stoppingToken)
    {
        if (RunsAtStart)
        {
            await RunPassAsync(stoppingToken);
        }
    }

    private async Task RunPassAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await RunOnceAsync(scope.ServiceProvider, stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // Anything but shutdown, a timeout inside the pass included, is logged and the loop goes on.
            OnPassFailed(ex);
        }
    }

    /// <summary>False once the worker is stopping.</summary>
    private async Task<bool> WaitForIntervalOrWakeUpAsync(TimeSpan interval, Func<CancellationToken, Task>? wakeUp, CancellationToken stoppingToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var elapsed = Task.Delay(interval, time, wait.Token);
        await (wakeUp is null ? Task.WhenAny(elapsed) : Task.WhenAny(elapsed, wakeUp(wait.Token)));
        await wait.CancelAsync();
        return !stoppingToken.IsCancellationRequested;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A background pass failed; the next one runs at the usual interval")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
