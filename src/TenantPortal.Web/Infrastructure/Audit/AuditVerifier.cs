using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Data;

namespace TenantPortal.Web.Infrastructure.Audit;

/// <summary>The outcome of re-computing one chain: intact, or the first link that is broken and how.</summary>
public sealed record ChainVerification(string ChainId, long EventsChecked, long? FirstBrokenSequence, string? Problem)
{
    public bool IsIntact => FirstBrokenSequence is null;
}

/// <summary>
/// Walks a chain from its latest checkpoint (or the start) in sequence order, streaming from the database, and
/// names the first broken link: a changed row, a missing or inserted one, rows out of order, or rows cut off the end.
/// </summary>
public sealed class AuditVerifier(IDbContextFactory<PortalDbContext> contexts)
{
    public async Task<ChainVerification> VerifyAsync(string chainId, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var checkpoint = await db.AuditCheckpoints.AsNoTracking()
            .Where(c => c.ChainId == chainId).OrderByDescending(c => c.Sequence).FirstOrDefaultAsync(cancellationToken);
        var expected = (checkpoint?.Sequence ?? 0) + 1;
        var previousHash = checkpoint?.Hash ?? AuditChains.Genesis;
        long checkedCount = 0;

        var events = db.AuditEvents.AsNoTracking()
            .Where(e => e.ChainId == chainId && e.Sequence >= expected)
            .OrderBy(e => e.Sequence)
            .AsAsyncEnumerable();
        await foreach (var e in events.WithCancellation(cancellationToken))
        {
            if (e.Sequence != expected)
            {
                return new(chainId, checkedCount, expected, $"Event {expected} is missing: the chain jumps to {e.Sequence}.");
            }

            if (!string.Equals(e.PreviousHash, previousHash, StringComparison.Ordinal))
            {
                return new(chainId, checkedCount, e.Sequence, $"Event {e.Sequence} does not link to the event before it (inserted, removed or reordered rows).");
            }

            if (!string.Equals(AuditHash.Compute(e), e.Hash, StringComparison.Ordinal))
            {
                return new(chainId, checkedCount, e.Sequence, $"Event {e.Sequence} was changed after it was written: its hash does not match its content.");
            }

            previousHash = e.Hash;
            expected++;
            checkedCount++;
        }

        var head = await db.AuditChainHeads.AsNoTracking().FirstOrDefaultAsync(h => h.ChainId == chainId, cancellationToken);
        var last = expected - 1;
        if (head is not null && (head.Sequence != last || !string.Equals(head.Hash, previousHash, StringComparison.Ordinal)))
        {
            return new(chainId, checkedCount, last + 1,
                $"The chain ends at event {last} but its head records event {head.Sequence}: events were removed from the end.");
        }

        return new(chainId, checkedCount, null, null);
    }

    /// <summary>Every chain that has a head, in id order.</summary>
    public async Task<IReadOnlyList<string>> ChainIdsAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return await db.AuditChainHeads.AsNoTracking().OrderBy(h => h.ChainId).Select(h => h.ChainId).ToListAsync(cancellationToken);
    }
}
