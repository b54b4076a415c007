using TenantPortal.Web.Infrastructure.Background;
using Microsoft.Extensions.Options;

namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>Runs reconciliation at start-up and then periodically.</summary>
public sealed partial class ApiKeyReconciliationWorker(
    IServiceScopeFactory scopes,
    TimeProvider time,
    IOptions<ReconciliationOptions> options,
    ILogger<ApiKeyReconciliationWorker> logger) : PeriodicWorker(scopes, time, logger)
{
    /// <summary>Raised after each pass (tests wait on it instead of sleeping).</summary>
    public event Action<ReconciliationReport>? PassCompleted;

    protected override bool Enabled => options.Value.Enabled;

    protected override TimeSpan Interval => options.Value.Interval;

    protected override async Task RunOnceAsync(IServiceProvider scopedServices, CancellationToken cancellationToken)
    {
        var report = await scopedServices.GetRequiredService<ApiKeyReconciler>().ReconcileAllAsync(cancellationToken);
        PassCompleted?.Invoke(report);
    }

    protected override void OnPassFailed(Exception exception) => LogPassFailed(Logger, exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "A reconciliation pass failed; the next one runs at the usual interval")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
