using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Web.Features.Audit;

public sealed class AuditRetentionOptions
{
    public const string SectionName = "Audit:Retention";

    public bool Enabled { get; set; } = true;

    /// <summary>Events older than this are purged; a checkpoint keeps what remains verifiable.</summary>
    public int Days { get; set; } = 400;

    public TimeSpan Interval { get; set; } = TimeSpan.FromDays(1);
}

public sealed record AuditPurgeReport(int ChainsCut, int EventsPurged);

/// <summary>
/// The only path that deletes audit rows, and it is audited itself: per chain, in one transaction, it records a
/// checkpoint (the sequence and hash at the cut), appends an "Audit.Purged" event to that chain, and deletes the
/// events up to the cut. Verification then starts from the checkpoint.
/// </summary>
public sealed partial class AuditRetention(
    IDbContextFactory<PortalDbContext> contexts,
    AuditTrail audit,
    TimeProvider time,
    IOptions<AuditRetentionOptions> options,
    ILogger<AuditRetention> logger)
{
    public async Task<AuditPurgeReport> PurgeAsync(CancellationToken cancellationToken)
    {
        var cutBefore = time.GetUtcNow().AddDays(-options.Value.Days);
        List<string> chains;
        await using (var db = contexts.CreateDbContext())
        {
            chains = await db.AuditEvents.AsNoTracking().Where(e => e.OccurredAt < cutBefore)
                .Select(e => e.ChainId).Distinct().ToListAsync(cancellationToken);
        }

        var purged = 0;
        foreach (var chainId in chains)
        {
            purged += await PurgeChainAsync(chainId, cutBefore, cancellationToken);
        }

        LogPurged(logger, purged, chains.Count, cutBefore);
        return new AuditPurgeReport(chains.Count, purged);
    }

    private async Task<int> PurgeChainAsync(string chainId, DateTimeOffset cutBefore, CancellationToken cancellationToken)
    {
        // SQL Server's retrying execution strategy refuses a bare user transaction: the strategy runs the whole unit,
        // each retry in a fresh context.
        await using var probe = contexts.CreateDbContext();
        return await probe.Database.CreateExecutionStrategy().ExecuteAsync(
            (chainId, cutBefore), (_, state, ct) => PurgeChainOnceAsync(state.chainId, state.cutBefore, ct), null, cancellationToken);
    }

    private async Task<int> PurgeChainOnceAsync(string chainId, DateTimeOffset cutBefore, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var last = await db.AuditEvents.AsNoTracking()
            .Where(e => e.ChainId == chainId && e.OccurredAt < cutBefore)
            .OrderByDescending(e => e.Sequence)
            .Select(e => new { e.Sequence, e.Hash })
            .FirstAsync(cancellationToken);

        db.AuditCheckpoints.Add(new AuditCheckpoint
        {
            ChainId = chainId, Sequence = last.Sequence, Hash = last.Hash, CutBefore = cutBefore, CreatedAt = time.GetUtcNow(),
        });
        await AuditTrail.ChainAsync(db, audit.Create(PortalActor.System, AuditActions.AuditPurged, AuditOutcome.Succeeded,
            chainId == AuditChains.Platform ? null : chainId,
            reason: $"Events up to {last.Sequence} (before {cutBefore:yyyy-MM-dd}) purged; checkpoint {last.Hash[..16]}",
            chainId: chainId), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);

        var deleted = await db.AuditEvents.Where(e => e.ChainId == chainId && e.Sequence <= last.Sequence).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit retention purged {Events} event(s) from {Chains} chain(s) older than {CutBefore}")]
    private static partial void LogPurged(ILogger logger, int events, int chains, DateTimeOffset cutBefore);
}
