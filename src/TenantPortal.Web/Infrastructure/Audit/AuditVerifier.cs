using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Data;
using TenantPortal.Web.Infrastructure.Text;

namespace TenantPortal.Web.Infrastructure.Audit;

/// <summary>
/// Walks a chain from its latest checkpoint (or the start) in sequence order, streaming from the database, and
/// names the first broken link: a changed row, a missing or inserted one, rows out of order, or rows cut off the end.
/// </summary>
// The class comes first: the SDK names AuditVerifier.resx after the first type in this file.
public sealed class AuditVerifier(IDbContextFactory<PortalDbContext> contexts)
{
    internal static readonly ResourceTexts Texts = new(typeof(AuditVerifier));

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
                return ChainVerification.Broken(chainId, checkedCount, expected, ChainBreak.Missing, e.Sequence);
            }

            if (!string.Equals(e.PreviousHash, previousHash, StringComparison.Ordinal))
            {
                return ChainVerification.Broken(chainId, checkedCount, e.Sequence, ChainBreak.Unlinked);
            }

            if (!string.Equals(AuditHash.Compute(e), e.Hash, StringComparison.Ordinal))
            {
                return ChainVerification.Broken(chainId, checkedCount, e.Sequence, ChainBreak.Changed);
            }

            previousHash = e.Hash;
            expected++;
            checkedCount++;
        }

        var head = await db.AuditChainHeads.AsNoTracking().FirstOrDefaultAsync(h => h.ChainId == chainId, cancellationToken);
        var last = expected - 1;
        if (head is not null && (head.Sequence != last || !string.Equals(head.Hash, previousHash, StringComparison.Ordinal)))
        {
            return ChainVerification.Broken(chainId, checkedCount, last + 1, ChainBreak.CutOff, head.Sequence);
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

/// <summary>How a chain is broken at its first broken link.</summary>
public enum ChainBreak
{
    /// <summary>The event is missing: the chain jumps past it.</summary>
    Missing,

    /// <summary>The event does not link to the one before it (rows inserted, removed or reordered).</summary>
    Unlinked,

    /// <summary>The event's hash does not match its content.</summary>
    Changed,

    /// <summary>Events were removed from the end: the head records a later one.</summary>
    CutOff,
}

/// <summary>
/// The outcome of re-computing one chain: intact, or the first link that is broken and how. <see cref="Problem"/> is
/// English (the audit trail, the JSON answer, operators); <see cref="ProblemText"/> words it in the reader's language.
/// </summary>
public sealed record ChainVerification(string ChainId, long EventsChecked, long? FirstBrokenSequence, string? Problem)
{
    public bool IsIntact => FirstBrokenSequence is null;

    [JsonIgnore]
    public ChainBreak? Break { get; private init; }

    /// <summary>The other event a break names: where a gap jumps to, the event a cut-off chain's head records.</summary>
    [JsonIgnore]
    public long? OtherSequence { get; private init; }

    /// <summary>The problem in the current UI culture; null when the chain is intact.</summary>
    public string? ProblemText() =>
        Break is { } kind ? AuditVerifier.Texts.Format(kind.ToString(), Arguments()) : Problem;

    internal static ChainVerification Broken(string chainId, long eventsChecked, long firstBroken, ChainBreak kind, long? other = null)
    {
        var verification = new ChainVerification(chainId, eventsChecked, firstBroken, null) { Break = kind, OtherSequence = other };
        return verification with { Problem = AuditVerifier.Texts.FormatIn(CultureInfo.InvariantCulture, kind.ToString(), verification.Arguments()) };
    }

    // {0} the first broken event, {1} the other event, {2} the last event before the break.
    private object[] Arguments() => [FirstBrokenSequence!.Value, OtherSequence ?? 0, FirstBrokenSequence.Value - 1];
}
