using System.Data.Common;
using Microsoft.Extensions.Options;
using TenantPortal.Web.Infrastructure.Background;
using TenantPortal.Web.Infrastructure.Leases;

namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>
/// Runs <see cref="ReconciliationScheduler.RunPassAsync"/> at start-up and then <see cref="ReconciliationOptions.PassInterval"/>
/// after the end of each pass. Every instance runs it; only the lease holder's passes do anything. On shutdown the
/// lease is given up, so another instance goes on at its next pass rather than when the lease lapses.
/// </summary>
public sealed partial class ApiKeyReconciliationWorker(
    IServiceScopeFactory scopes,
    TimeProvider time,
    IOptions<ReconciliationOptions> options,
    Leases leases,
    LeaseHolder instance,
    ILogger<ApiKeyReconciliationWorker> logger) : PeriodicWorker(scopes, time, logger)
{
    /// <summary>Raised after each pass (tests wait on it instead of sleeping).</summary>
    public event Action<ReconciliationPassReport>? PassCompleted;

    protected override bool Enabled => options.Value.Enabled;

    protected override TimeSpan Interval => options.Value.PassInterval;

    protected override bool CountsIntervalFromPassEnd => true;

    protected override async Task RunOnceAsync(IServiceProvider scopedServices, CancellationToken cancellationToken)
    {
        var report = await scopedServices.GetRequiredService<ReconciliationScheduler>().RunPassAsync(cancellationToken);
        PassCompleted?.Invoke(report);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!options.Value.Enabled)
        {
            return;
        }

        try
        {
            await leases.ReleaseAsync(ReconciliationScheduler.LeaseName, instance.Id, cancellationToken);
        }
        catch (Exception ex) when (ex is DbException or OperationCanceledException or ObjectDisposedException)
        {
            // The lease lapses on its own.
            LogReleaseFailed(Logger, ex);
        }
    }

    protected override void OnPassFailed(Exception exception) => LogPassFailed(Logger, exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "A reconciliation pass failed; the next one runs at the usual interval")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not give up the reconciliation lease at shutdown; it lapses on its own")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception);
}
