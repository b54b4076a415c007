using TenantPortal.Web.Infrastructure.Background;
using Microsoft.Extensions.Options;

namespace TenantPortal.Web.Features.Notifications;

/// <summary>
/// Runs <see cref="NotificationDispatcher.DispatchDueAsync"/> at start-up, then every
/// <see cref="NotificationDispatchOptions.Interval"/> (for retries and other instances' deliveries) and whenever this
/// instance commits new deliveries (<see cref="NotificationWakeUp"/>).
/// </summary>
public sealed partial class NotificationDispatchWorker(
    IServiceScopeFactory scopes,
    TimeProvider time,
    NotificationWakeUp wakeUp,
    IOptions<NotificationDispatchOptions> options,
    ILogger<NotificationDispatchWorker> logger) : PeriodicWorker(scopes, time, logger)
{
    /// <summary>Raised after each pass (tests wait on it instead of sleeping).</summary>
    public event Action<DispatchReport>? PassCompleted;

    protected override bool Enabled => options.Value.Enabled;

    protected override TimeSpan Interval => options.Value.Interval;

    protected override Func<CancellationToken, Task> WakeUp => wakeUp.WaitAsync;

    protected override async Task RunOnceAsync(IServiceProvider scopedServices, CancellationToken cancellationToken)
    {
        var report = await scopedServices.GetRequiredService<NotificationDispatcher>().DispatchDueAsync(cancellationToken);
        PassCompleted?.Invoke(report);
    }

    protected override void OnPassFailed(Exception exception) => LogPassFailed(Logger, exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "A notification dispatch pass failed; the next one runs at the usual interval")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
