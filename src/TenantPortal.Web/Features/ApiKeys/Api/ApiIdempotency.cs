using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TenantPortal.Web.Data;

namespace TenantPortal.Web.Features.ApiKeys.Api;

/// <summary>What <see cref="ApiIdempotency.BeginAsync"/> decided for a PUT carrying an <c>Idempotency-Key</c>.</summary>
public abstract record IdempotencyClaim
{
    /// <summary>First use of the key (or one abandoned mid-way): run the submit, then complete or release the record.</summary>
    public sealed record Began(long RecordId) : IdempotencyClaim;

    /// <summary>The key's submit succeeded before: answer with what it stored, store nothing.</summary>
    public sealed record Replay(ApiKeySubmitResponse Response) : IdempotencyClaim;

    /// <summary>The key was used with another value.</summary>
    public sealed record Reused : IdempotencyClaim;

    /// <summary>The key's first request is still running.</summary>
    public sealed record InProgress : IdempotencyClaim;

    /// <summary>The key's first request wrote to the store but could not record the version; reconciliation will.</summary>
    public sealed record InDoubt : IdempotencyClaim;
}

/// <summary>
/// <c>Idempotency-Key</c> for the PUT of a key, per tenant and client app, kept for <see cref="Retention"/>: a retry
/// with the same key and value gets the first answer and stores no second version; the same key with another value is
/// refused. A failed submit releases its key (a retry runs again: nothing was stored). A record left by a request that
/// died mid-way is taken over once it is older than the key lock's lease, after which that request cannot still write.
/// </summary>
public sealed class ApiIdempotency(IDbContextFactory<PortalDbContext> contexts, TimeProvider time, IOptions<KeyLockOptions> locks)
{
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    public async Task<IdempotencyClaim> BeginAsync(string tenantId, string client, string key, string fingerprint, CancellationToken cancellationToken)
    {
        var abandonedAfter = locks.Value.Duration + locks.Value.Wait;
        for (var attempt = 1; ; attempt++)
        {
            var now = time.GetUtcNow();
            await using var db = contexts.CreateDbContext();
            await db.ApiIdempotencyRecords.Where(r => r.TenantId == tenantId && r.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
            var existing = await db.ApiIdempotencyRecords.AsNoTracking()
                .FirstOrDefaultAsync(r => r.TenantId == tenantId && r.Client == client && r.Key == key, cancellationToken);
            if (existing is null)
            {
                var record = new ApiIdempotencyRecord
                {
                    TenantId = tenantId, Client = client, Key = key, RequestFingerprint = fingerprint, CreatedAt = now, ExpiresAt = now + Retention,
                };
                db.ApiIdempotencyRecords.Add(record);
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                    return new IdempotencyClaim.Began(record.Id);
                }
                catch (DbUpdateException) when (attempt < 3)
                {
                    continue; // the same key's other first attempt inserted it: decide against that one
                }
            }

            if (existing.RequestFingerprint != fingerprint)
            {
                return new IdempotencyClaim.Reused();
            }

            if (existing.StoredVersion is { } stored)
            {
                var version = await db.ApiKeyVersions.AsNoTracking()
                    .FirstOrDefaultAsync(v => v.TenantId == tenantId && v.StoreVersionId == stored, cancellationToken);
                if (version is not null)
                {
                    return new IdempotencyClaim.Replay(ApiKeySubmitResponse.From(tenantId, ApiKeyVersionSummary.From(version), existing.ReplacedVersion));
                }

                // Written to the store, not yet recorded: a second write would store the value twice.
                return new IdempotencyClaim.InDoubt();
            }

            if (existing.CreatedAt > now - abandonedAfter)
            {
                return new IdempotencyClaim.InProgress();
            }

            // Only one retry takes over an abandoned record: the one whose update still finds it as it was read.
            var taken = await db.ApiIdempotencyRecords
                .Where(r => r.Id == existing.Id && r.CreatedAt == existing.CreatedAt && r.StoredVersion == null)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.CreatedAt, now), cancellationToken);
            if (taken == 1)
            {
                return new IdempotencyClaim.Began(existing.Id);
            }

            if (attempt >= 3)
            {
                return new IdempotencyClaim.InProgress();
            }
        }
    }

    public async Task CompleteAsync(long recordId, string storedVersion, string? replacedVersion)
    {
        await using var db = contexts.CreateDbContext();
        await db.ApiIdempotencyRecords.Where(r => r.Id == recordId)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.StoredVersion, storedVersion).SetProperty(r => r.ReplacedVersion, replacedVersion), CancellationToken.None);
    }

    public async Task ReleaseAsync(long recordId)
    {
        await using var db = contexts.CreateDbContext();
        await db.ApiIdempotencyRecords.Where(r => r.Id == recordId && r.StoredVersion == null).ExecuteDeleteAsync(CancellationToken.None);
    }
}
