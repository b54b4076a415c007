using TenantPortal.Web.Infrastructure.Background;
using Microsoft.Extensions.Options;

namespace TenantPortal.Web.Features.Audit;

/// <summary>Runs the retention purge daily.</summary>
public sealed partial class AuditRetentionWorker(
    IServiceScopeFactory scopes,
    TimeProvider time,
    IOptions<AuditRetentionOptions> options,
    ILogger<AuditRetentionWorker> logger) : PeriodicWorker(scopes, time, logger)
{
    protected override bool Enabled => options.Value.Enabled;

    protected override TimeSpan Interval => options.Value.Interval;

    // The first purge waits a full interval rather than running on every start-up.
    protected override bool RunsAtStart => false;

    protected override Task RunOnceAsync(IServiceProvider scopedServices, CancellationToken cancellationToken) =>
        scopedServices.GetRequiredService<AuditRetention>().PurgeAsync(cancellationToken);

    protected override void OnPassFailed(Exception exception) => LogFailed(Logger, exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit retention purge failed; nothing was deleted for the chain that failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
