using TenantPortal.Web.Infrastructure.Background;
using Microsoft.Extensions.Options;

namespace TenantPortal.Web.Features.Rotation;

/// <summary>Runs the rotation monitor on a timer (from <see cref="TimeProvider"/>), once at start-up and then every interval.</summary>
public sealed partial class RotationMonitorWorker(
    IServiceScopeFactory scopes,
    TimeProvider time,
    IOptions<RotationMonitorOptions> options,
    ILogger<RotationMonitorWorker> logger) : PeriodicWorker(scopes, time, logger)
{
    protected override bool Enabled => options.Value.Enabled;

    protected override TimeSpan Interval => options.Value.Interval;

    protected override Task RunOnceAsync(IServiceProvider scopedServices, CancellationToken cancellationToken) =>
        scopedServices.GetRequiredService<RotationMonitor>().SweepAsync(cancellationToken);

    protected override void OnPassFailed(Exception exception) => LogSweepFailed(Logger, exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rotation monitor sweep failed; it runs again at the next interval")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
