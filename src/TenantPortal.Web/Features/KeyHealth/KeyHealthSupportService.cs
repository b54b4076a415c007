using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Web.Features.KeyHealth;

/// <summary>The three key health lists support reads.</summary>
public enum KeyHealthProblem
{
    /// <summary>The provider is rejecting the current key: its latest incident is open (no success reported since it began).</summary>
    Rejected,

    /// <summary>The current key was not used by the backend for <see cref="KeyHealthOptions.StaleAfter"/> (counted from when it was set, if never).</summary>
    Stale,

    /// <summary>A previous version the backend used after its grace period ended (kept while used, or used from a cached copy after it was disabled).</summary>
    PreviousUsedAfterGrace,
}

/// <summary>One row of a key health list: the tenant, the version and what the backend reported. Metadata only.</summary>
public sealed record KeyHealthListRow(
    string TenantId,
    string TenantName,
    string Version,
    ApiKeyVersionStatus Status,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? IncidentStartedAt,
    long IncidentRejections,
    DateTimeOffset? GraceEndedAt)
{
    public string ShortVersion => Version.Length > 8 ? Version[..8] : Version;
}

/// <summary>Where a page ended: its last row's tenant and version.</summary>
public sealed record KeyHealthCursor(string TenantId, string Version);

/// <summary>A page of a list, in (tenant id, version) order; <see cref="NextAfter"/> continues after its last row, null on the last page.</summary>
public sealed record KeyHealthListPage(KeyHealthProblem Problem, IReadOnlyList<KeyHealthListRow> Rows, KeyHealthCursor? NextAfter, DateTimeOffset At);

/// <summary>How many tenants each list holds, counted up to <see cref="KeyHealthSupportService.CountLimit"/>.</summary>
public sealed record KeyHealthCounts(int Rejected, int Stale, int PreviousUsedAfterGrace)
{
    public int Count(KeyHealthProblem problem) => problem switch
    {
        KeyHealthProblem.Rejected => Rejected,
        KeyHealthProblem.Stale => Stale,
        _ => PreviousUsedAfterGrace,
    };
}

/// <summary>
/// Key health across tenants for support readers and platform admins, read-only: keys the provider is rejecting, stale
/// keys, previous versions still used after their grace. Anyone else (a tenant admin included, whatever tenant they
/// name) gets null, and the denial is audited on the platform chain as for the other support views. Lists are keyset
/// paged by tenant id; counts stop at <see cref="CountLimit"/>.
/// </summary>
public sealed class KeyHealthSupportService(
    IDbContextFactory<PortalDbContext> contexts,
    IAuthorizationService authorization,
    AuditTrail audit,
    IOptions<KeyHealthOptions> options,
    TimeProvider time)
{
    public const int MaxPageSize = 100;
    public const int CountLimit = 10_000;

    public async Task<KeyHealthCounts?> GetCountsAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!await IsStaffAsync(user, "key health counts", cancellationToken))
        {
            return null;
        }

        var now = time.GetUtcNow();
        await using var db = contexts.CreateDbContext();
        return new KeyHealthCounts(
            await CountAsync(Query(db, KeyHealthProblem.Rejected, now), cancellationToken),
            await CountAsync(Query(db, KeyHealthProblem.Stale, now), cancellationToken),
            await CountAsync(Query(db, KeyHealthProblem.PreviousUsedAfterGrace, now), cancellationToken));
    }

    /// <param name="after">Where the previous page ended; null for the first page.</param>
    public async Task<KeyHealthListPage?> GetPageAsync(ClaimsPrincipal user, KeyHealthProblem problem, KeyHealthCursor? after, int pageSize, CancellationToken cancellationToken)
    {
        if (!await IsStaffAsync(user, "key health list", cancellationToken))
        {
            return null;
        }

        if (!Enum.IsDefined(problem))
        {
            throw new ArgumentOutOfRangeException(nameof(problem), problem, "Unknown key health list.");
        }

        var now = time.GetUtcNow();
        var take = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = contexts.CreateDbContext();
        var query = Query(db, problem, now);
        if (after is not null)
        {
            var (tenantId, version) = (after.TenantId, after.Version);
            query = query.Where(r => r.TenantId.CompareTo(tenantId) > 0 || (r.TenantId == tenantId && r.Version.CompareTo(version) > 0));
        }

        var rows = await query.OrderBy(r => r.TenantId).ThenBy(r => r.Version).Take(take + 1).ToListAsync(cancellationToken);
        var next = rows.Count > take ? new KeyHealthCursor(rows[take - 1].TenantId, rows[take - 1].Version) : null;
        return new KeyHealthListPage(problem, rows.Take(take).Select(r => r.ToRow()).ToList(), next, now);
    }

    private IQueryable<Row> Query(PortalDbContext db, KeyHealthProblem problem, DateTimeOffset now)
    {
        var staleBefore = now - options.Value.StaleAfter;
        var rows =
            from v in db.ApiKeyVersions.AsNoTracking()
            join t in db.Tenants.AsNoTracking() on v.TenantId equals t.Id
            join u in db.KeyUsages.AsNoTracking() on v.Id equals u.ApiKeyVersionId into usage
            from u in usage.DefaultIfEmpty()
            where t.OffboardedAt == null
            select new { v, t, u };
        rows = problem switch
        {
            KeyHealthProblem.Rejected => rows.Where(r => r.v.Status == ApiKeyVersionStatus.Current && r.u != null
                && r.u.IncidentStartedAt != null && r.u.IncidentEndedAt == null),
            KeyHealthProblem.Stale => rows.Where(r => r.v.Status == ApiKeyVersionStatus.Current
                && (r.u == null || r.u.LastUsedAt == null ? r.v.CreatedAt <= staleBefore : r.u.LastUsedAt <= staleBefore)),
            _ => rows.Where(r => r.u != null && r.u.LastUsedAt != null && (
                (r.v.Status == ApiKeyVersionStatus.Previous && r.v.GraceEndsAt != null && r.v.GraceEndsAt <= now && r.u.LastUsedAt > r.v.GraceEndsAt)
                || (r.v.Status == ApiKeyVersionStatus.Superseded && r.v.DisabledInStoreAt != null && r.u.LastUsedAt > r.v.DisabledInStoreAt))),
        };
        // A member-initialised row, so that the keyset's ordering and filter translate (a record's constructor would not).
        return rows.Select(r => new Row
        {
            TenantId = r.t.Id,
            TenantName = r.t.DisplayName,
            Version = r.v.StoreVersionId,
            Status = r.v.Status,
            LastUsedAt = r.u == null ? null : r.u.LastUsedAt,
            IncidentStartedAt = r.u == null ? null : r.u.IncidentStartedAt,
            IncidentRejections = r.u == null ? 0 : r.u.IncidentRejections,
            GraceEndedAt = r.v.Status == ApiKeyVersionStatus.Superseded ? r.v.DisabledInStoreAt : r.v.GraceEndsAt,
        });
    }

    private static Task<int> CountAsync(IQueryable<Row> query, CancellationToken cancellationToken) =>
        query.Take(CountLimit).CountAsync(cancellationToken);

    private sealed class Row
    {
        public required string TenantId { get; init; }

        public required string TenantName { get; init; }

        public required string Version { get; init; }

        public ApiKeyVersionStatus Status { get; init; }

        public DateTimeOffset? LastUsedAt { get; init; }

        public DateTimeOffset? IncidentStartedAt { get; init; }

        public long IncidentRejections { get; init; }

        public DateTimeOffset? GraceEndedAt { get; init; }

        public KeyHealthListRow ToRow() => new(TenantId, TenantName, Version, Status, LastUsedAt, IncidentStartedAt, IncidentRejections, GraceEndedAt);
    }

    private async Task<bool> IsStaffAsync(ClaimsPrincipal user, string what, CancellationToken cancellationToken)
    {
        if ((await authorization.AuthorizeAsync(user, PortalPolicies.StatusOverview)).Succeeded)
        {
            return true;
        }

        await audit.TryAppendDenialAsync(audit.Create(PortalActor.From(user), KeyHealthAuditActions.SupportViewed, AuditOutcome.Denied, tenantId: null,
            reason: $"Not permitted: {what}", chainId: AuditChains.Platform), cancellationToken);
        return false;
    }
}
