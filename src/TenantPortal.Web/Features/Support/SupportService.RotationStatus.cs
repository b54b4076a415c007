using System.Runtime.CompilerServices;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Text;

namespace TenantPortal.Web.Features.Support;

/// <summary>
/// The rotation status list: keyset (seek) paging in the database. A sort is a fixed sequence of segments, each read
/// in the order of one index — current versions by (due date, tenant id) on <c>IX_ApiKeyVersions_CurrentDue</c>,
/// tenants by (name, id) on <c>IX_Tenants_DisplayName_Id</c> — and a page continues from the last row it showed, so a
/// later page costs what the first does. Filters narrow a segment; a sparse one (revoked, active without a due date)
/// is read from its own index and sorted, a search from the name and id indexes.
/// </summary>
public sealed partial class SupportService
{
    private const int ExportBatch = 500;

    /// <summary>Up to this many matching versions, a keyed status read by name is read from the versions and sorted.</summary>
    public const int SparseLimit = 2000;

    /// <summary>One page of the filtered list; null when the user may not see it.</summary>
    public async Task<RotationStatusPageResult?> GetRotationStatusPageAsync(ClaimsPrincipal user, RotationStatusQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!await IsStaffAsync(user, SupportAuditActions.Overview, "rotation status overview", cancellationToken))
        {
            return null;
        }

        if (Validate(query.Filter) is { } refused)
        {
            return RotationStatusPageResult.Refused(refused);
        }

        var now = time.GetUtcNow();
        var segments = Segments(query.Filter, now);
        if (query.After is { } after && (after.Segment < 0 || after.Segment >= segments.Count))
        {
            return RotationStatusPageResult.Refused(texts["CursorNotInList"]);
        }

        await using var db = contexts.CreateDbContext();
        var pageSize = Math.Clamp(query.PageSize, 1, MaxPageSize);
        var (rows, next) = await ReadAsync(db, segments, query.Filter, query.After, pageSize, now, cancellationToken);
        return new RotationStatusPageResult(rows, next);
    }

    /// <summary>
    /// How many tenants the filtered list holds: exact for a status (or none), capped at <see cref="CountLimit"/> for a
    /// search or a due window. Apart from the pages, which never wait for it. Null when the user may not see the list.
    /// </summary>
    public async Task<RotationStatusCount?> CountRotationStatusAsync(ClaimsPrincipal user, RotationStatusFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (!await IsStaffAsync(user, SupportAuditActions.Overview, "rotation status overview", cancellationToken))
        {
            return null;
        }

        if (Validate(filter) is { } refused)
        {
            return new RotationStatusCount(0, false) { Problem = refused };
        }

        var now = time.GetUtcNow();
        await using var db = contexts.CreateDbContext();
        var (total, hasMore) = await CountAsync(db, Segments(filter, now), filter, now, cancellationToken);
        return new RotationStatusCount(total, hasMore);
    }

    /// <summary>
    /// Every row of the filtered list in its order, read a batch at a time (memory stays flat whatever the number of
    /// tenants); null when the user may not export it. The export is audited before the first row is read.
    /// </summary>
    public async Task<RotationStatusExport?> ExportRotationStatusAsync(ClaimsPrincipal user, RotationStatusFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (!await IsStaffAsync(user, SupportAuditActions.Exported, "rotation status export", cancellationToken))
        {
            return null;
        }

        if (Validate(filter) is { } refused)
        {
            return new RotationStatusExport(null, refused);
        }

        await audit.AppendAsync(audit.Create(Auth.PortalActor.From(user), SupportAuditActions.Exported, Infrastructure.Audit.AuditOutcome.Succeeded,
            tenantId: null, reason: $"csv; {Describe(filter)}"), cancellationToken);
        var now = time.GetUtcNow();
        return new RotationStatusExport(StreamAsync(filter, now, cancellationToken), null) { At = now };
    }

    private async IAsyncEnumerable<TenantRotationRow> StreamAsync(RotationStatusFilter filter, DateTimeOffset now, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var segments = Segments(filter, now);
        RotationStatusCursor? after = null;
        do
        {
            // A context per batch: nothing accumulates in a change tracker or a connection across the export.
            await using var db = contexts.CreateDbContext();
            var (rows, next) = await ReadAsync(db, segments, filter, after, ExportBatch, now, cancellationToken);
            foreach (var row in rows)
            {
                yield return row;
            }

            after = next;
        }
        while (after is not null);
    }

    private string? Validate(RotationStatusFilter filter)
    {
        if (filter.Status is { } undefined && !Enum.IsDefined(undefined))
        {
            return texts["NoSuchStatus", (int)undefined];
        }

        if (TextRules.CheckSearch(filter.Search, TextRules.Subjects.Search) is { } search)
        {
            return search;
        }

        if (filter.DueFrom is { } from && filter.DueBefore is { } before && before <= from)
        {
            return texts["DueWindowBackwards", before.UtcDateTime, from.UtcDateTime];
        }

        if (filter.HasDueWindow && filter.Status is { } status && !TenantKeyStatuses.IsKeyed(status))
        {
            return texts["StatusHasNoDueDate", TenantKeyStatuses.DisplayName(status)];
        }

        return null;
    }

    internal static string Describe(RotationStatusFilter filter)
    {
        var parts = new List<string> { $"sort={filter.Sort}{(filter.Descending ? " desc" : "")}" };
        if (filter.Status is { } status)
        {
            parts.Add($"status={status}");
        }

        if (filter.DueFrom is { } from)
        {
            parts.Add($"dueFrom={from:O}");
        }

        if (filter.DueBefore is { } before)
        {
            parts.Add($"dueBefore={before:O}");
        }

        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            var term = filter.Search.Trim();
            parts.Add($"search={(term.Length > 40 ? term[..40] + "…" : term)}");
        }

        return string.Join("; ", parts);
    }

    private static async Task<(List<TenantRotationRow> Rows, RotationStatusCursor? Next)> ReadAsync(
        PortalDbContext db, IReadOnlyList<Segment> segments, RotationStatusFilter filter, RotationStatusCursor? after, int pageSize, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var keys = new List<(int Segment, RowKey Row)>(pageSize + 1);
        var searched = Searched(db, filter.Search);
        for (var i = after?.Segment ?? 0; i < segments.Count && keys.Count <= pageSize; i++)
        {
            var segment = segments[i];
            var rows = await RowsAsync(db, segment, searched, cancellationToken);
            if (after is not null && i == after.Segment)
            {
                rows = Seek(rows, segment.OrderedBy, filter.Descending, after);
            }

            var read = await Order(rows, segment.OrderedBy, filter.Descending).Take(pageSize + 1 - keys.Count).ToListAsync(cancellationToken);
            keys.AddRange(read.Select(r => (i, r)));
        }

        RotationStatusCursor? next = null;
        if (keys.Count > pageSize)
        {
            var (segment, last) = keys[pageSize - 1];
            next = new RotationStatusCursor(segment, last.DueAt, last.TenantName, last.TenantId);
            keys.RemoveRange(pageSize, keys.Count - pageSize);
        }

        return (await DetailAsync(db, keys.Select(k => k.Row).ToList(), now, cancellationToken), next);
    }

    /// <summary>
    /// A segment's rows. A keyed status read by name is walked along the name index and each tenant's current version
    /// checked, which finds a page quickly while the status is common; when at most <see cref="SparseLimit"/> versions
    /// have it, they are read from the due-date index and sorted instead.
    /// </summary>
    private static async Task<IQueryable<RowKey>> RowsAsync(PortalDbContext db, Segment segment, IQueryable<Tenant>? searched, CancellationToken cancellationToken)
    {
        if (segment.Sparse is { } sparse && segment.Versions is { } versions
            && await versions(db).Take(SparseLimit + 1).CountAsync(cancellationToken) <= SparseLimit)
        {
            return sparse(db, searched);
        }

        return segment.Rows(db, searched);
    }

    /// <summary>The page's tenants' current versions, version counts, drift and revocations, in two queries over their ids.</summary>
    private static async Task<List<TenantRotationRow>> DetailAsync(PortalDbContext db, List<RowKey> rows, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        var ids = rows.Select(r => r.TenantId).ToList();
        var details = await db.ApiKeyVersions.AsNoTracking()
            .Where(v => ids.Contains(v.TenantId))
            .GroupBy(v => v.TenantId)
            .Select(g => new
            {
                TenantId = g.Key,
                Versions = g.Count(),
                Drift = g.Count(v => v.MissingFromStoreSince != null || v.StillEnabledInStoreSince != null),
                Revoked = g.Count(v => v.Status == ApiKeyVersionStatus.Revoked),
            })
            .ToDictionaryAsync(d => d.TenantId, cancellationToken);
        var current = await db.ApiKeyVersions.AsNoTracking()
            .Where(v => v.Status == ApiKeyVersionStatus.Current && ids.Contains(v.TenantId))
            .Select(v => new { v.TenantId, v.CreatedAt, v.ExpiresAt, v.DueSoonAt })
            .ToDictionaryAsync(v => v.TenantId, cancellationToken);

        return rows.Select(r =>
        {
            var detail = details.GetValueOrDefault(r.TenantId);
            var key = current.GetValueOrDefault(r.TenantId);
            var status = TenantKeyStatuses.Of(r.OffboardedAt is not null, key is not null, key?.ExpiresAt, key?.DueSoonAt, detail?.Revoked > 0, now);
            return new TenantRotationRow(r.TenantId, r.TenantName, status, key?.CreatedAt, key?.ExpiresAt, detail?.Versions ?? 0)
            {
                DriftCount = detail?.Drift ?? 0,
                OffboardedAt = r.OffboardedAt,
            };
        }).ToList();
    }

    private static async Task<(int Total, bool HasMore)> CountAsync(
        PortalDbContext db, IReadOnlyList<Segment> segments, RotationStatusFilter filter, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(filter.Search) && !filter.HasDueWindow)
        {
            return (await CountStatusAsync(db, filter.Status, now, cancellationToken), false);
        }

        var total = 0;
        var searched = Searched(db, filter.Search);
        foreach (var segment in segments)
        {
            var rows = await RowsAsync(db, segment, searched, cancellationToken);
            total += await rows.Take(CountLimit + 1 - total).CountAsync(cancellationToken);
            if (total > CountLimit)
            {
                return (CountLimit, true);
            }
        }

        return (total, false);
    }

    /// <summary>
    /// Exactly how many tenants have <paramref name="status"/> (null: all), each from its own index: a range of the current
    /// versions' due-date index for a keyed status, the revoked or offboarded tenants' partial indexes; "not set" is what
    /// is left of all the others.
    /// </summary>
    private static async Task<int> CountStatusAsync(PortalDbContext db, TenantKeyStatus? status, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var current = db.ApiKeyVersions.Where(v => v.Status == ApiKeyVersionStatus.Current);
        var offboarded = db.Tenants.Where(t => t.OffboardedAt != null);
        switch (status)
        {
            case null:
                return await db.Tenants.CountAsync(cancellationToken);
            case TenantKeyStatus.Offboarded:
                return await offboarded.CountAsync(cancellationToken);
            case TenantKeyStatus.Revoked:
                return await UnkeyedTenants(db, null, TenantKeyStatus.Revoked).CountAsync(cancellationToken);
            case TenantKeyStatus.NotSet:
                return (await CountByStatusAsync(db, now, cancellationToken))[TenantKeyStatus.NotSet];
            case { } keyed:
                var dated = current.Where(v => v.ExpiresAt != null).Where(TenantKeyStatuses.DueIn(keyed, now));
                var undated = current.Where(v => v.ExpiresAt == null && keyed == TenantKeyStatus.Active);
                // An offboarded tenant's current version (offboarding disables them all: normally none) does not count.
                var stray = offboarded.Join(current, t => t.Id, v => v.TenantId, (t, v) => v)
                    .Where(v => v.ExpiresAt == null ? keyed == TenantKeyStatus.Active : dated.Any(d => d.Id == v.Id));
                return await dated.CountAsync(cancellationToken) + await undated.CountAsync(cancellationToken) - await stray.CountAsync(cancellationToken);
        }
    }

    /// <summary>The segments a filter and sort read, in order; descending reverses the order within each segment, and the
    /// sequence for the status sort.</summary>
    private static List<Segment> Segments(RotationStatusFilter filter, DateTimeOffset now)
    {
        var window = filter.HasDueWindow;
        TenantKeyStatus[] statuses = filter.Status is { } only ? [only] : Enum.GetValues<TenantKeyStatus>();
        var segments = new List<Segment>();
        switch (filter.Sort)
        {
            case RotationStatusSort.Name:
                segments.Add(filter.Status switch
                {
                    null when !window => NameSegment((db, searched) => Tenants(db, searched)),
                    null => KeyedByName(null, filter, now),
                    { } s when TenantKeyStatuses.IsKeyed(s) => KeyedByName(s, filter, now),
                    { } s => NameSegment((db, searched) => UnkeyedTenants(db, searched, s)),
                });
                break;

            case RotationStatusSort.Status:
                foreach (var s in filter.Descending ? statuses.Reverse() : statuses)
                {
                    segments.AddRange(StatusSegments(s, filter, now));
                }

                break;

            default:
                if (statuses.Any(TenantKeyStatuses.IsKeyed))
                {
                    segments.Add(DueSegment((db, searched) => CurrentVersions(db, searched, filter.Status, filter, now)));
                }

                Segment? rest = filter.Status switch
                {
                    null => NameSegment((db, searched) => TenantsWithoutDueDate(db, searched)),
                    TenantKeyStatus.Active => NameSegment((db, searched) => ActiveWithoutDueDate(db, searched)),
                    { } s when TenantKeyStatuses.IsKeyed(s) => null,
                    { } s => NameSegment((db, searched) => UnkeyedTenants(db, searched, s)),
                };
                if (!window && rest is not null)
                {
                    segments.Add(rest);
                }

                break;
        }

        return segments;
    }

    private static IEnumerable<Segment> StatusSegments(TenantKeyStatus status, RotationStatusFilter filter, DateTimeOffset now)
    {
        if (TenantKeyStatuses.IsKeyed(status))
        {
            var withDueDate = DueSegment((db, searched) => CurrentVersions(db, searched, status, filter, now));
            var without = status == TenantKeyStatus.Active && !filter.HasDueWindow
                ? NameSegment((db, searched) => ActiveWithoutDueDate(db, searched))
                : null;
            IEnumerable<Segment?> both = filter.Descending ? [without, withDueDate] : [withDueDate, without];
            return both.OfType<Segment>();
        }

        return filter.HasDueWindow ? [] : [NameSegment((db, searched) => UnkeyedTenants(db, searched, status))];
    }

    private static Segment DueSegment(Func<PortalDbContext, IQueryable<Tenant>?, IQueryable<RowKey>> rows) => new(SegmentOrder.DueDate, rows);

    private static Segment NameSegment(Func<PortalDbContext, IQueryable<Tenant>?, IQueryable<RowKey>> rows) => new(SegmentOrder.Name, rows);

    /// <summary>Tenants whose current version has a due date in a keyed status (or any) and the window, by name.</summary>
    private static Segment KeyedByName(TenantKeyStatus? status, RotationStatusFilter filter, DateTimeOffset now) =>
        new(SegmentOrder.Name, (db, searched) =>
        {
            var versions = WithDueDate(db, status, filter, now);
            return Project((searched ?? db.Tenants).Where(t => t.OffboardedAt == null && versions.Any(v => v.TenantId == t.Id)));
        })
        {
            Versions = db => WithDueDate(db, status, filter, now),
            Sparse = (db, searched) =>
            {
                var versions = WithDueDate(db, status, filter, now);
                return Project((searched ?? db.Tenants).Where(t => versions.Select(v => v.TenantId).Contains(t.Id) && t.OffboardedAt == null));
            },
        };

    /// <summary>Current versions with a recorded due date, in one keyed status (or any), within the due window; read by due
    /// date, or from the search's tenants when there is a search.</summary>
    private static IQueryable<RowKey> CurrentVersions(PortalDbContext db, IQueryable<Tenant>? searched, TenantKeyStatus? status, RotationStatusFilter filter, DateTimeOffset now)
    {
        var versions = WithDueDate(db, status, filter, now);
        if (searched is not null)
        {
            var ids = searched.Select(t => t.Id);
            versions = versions.Where(v => ids.Contains(v.TenantId));
        }

        return from v in versions
               join t in db.Tenants on v.TenantId equals t.Id
               where t.OffboardedAt == null
               select new RowKey { TenantId = v.TenantId, TenantName = t.DisplayName, DueAt = v.ExpiresAt };
    }

    private static IQueryable<ApiKeyVersion> WithDueDate(PortalDbContext db, TenantKeyStatus? status, RotationStatusFilter filter, DateTimeOffset now)
    {
        var versions = db.ApiKeyVersions.Where(v => v.Status == ApiKeyVersionStatus.Current && v.ExpiresAt != null);
        if (status is { } s)
        {
            versions = versions.Where(TenantKeyStatuses.DueIn(s, now));
        }

        if (filter.DueFrom is { } from)
        {
            versions = versions.Where(v => v.ExpiresAt >= from);
        }

        if (filter.DueBefore is { } before)
        {
            versions = versions.Where(v => v.ExpiresAt < before);
        }

        return versions;
    }

    private static IQueryable<RowKey> Tenants(PortalDbContext db, IQueryable<Tenant>? searched) => Project(searched ?? db.Tenants);

    /// <summary>For the due-date sort, after the keyed tenants: everyone without a recorded due date, by name.</summary>
    private static IQueryable<RowKey> TenantsWithoutDueDate(PortalDbContext db, IQueryable<Tenant>? searched)
    {
        var dated = db.ApiKeyVersions.Where(v => v.Status == ApiKeyVersionStatus.Current && v.ExpiresAt != null);
        return Project((searched ?? db.Tenants).Where(t => t.OffboardedAt != null || !dated.Any(v => v.TenantId == t.Id)));
    }

    /// <summary>Rare (a current version recovered from the store without <c>exp</c>): read from the due-date index's NULL range, then sorted.</summary>
    private static IQueryable<RowKey> ActiveWithoutDueDate(PortalDbContext db, IQueryable<Tenant>? searched)
    {
        var undated = db.ApiKeyVersions.Where(v => v.Status == ApiKeyVersionStatus.Current && v.ExpiresAt == null).Select(v => v.TenantId);
        return Project((searched ?? db.Tenants).Where(t => undated.Contains(t.Id) && t.OffboardedAt == null));
    }

    private static IQueryable<RowKey> UnkeyedTenants(PortalDbContext db, IQueryable<Tenant>? searched, TenantKeyStatus status)
    {
        var current = db.ApiKeyVersions.Where(v => v.Status == ApiKeyVersionStatus.Current);
        var revoked = db.ApiKeyVersions.Where(v => v.Status == ApiKeyVersionStatus.Revoked);
        var tenants = searched ?? db.Tenants;
        return Project(status switch
        {
            TenantKeyStatus.Offboarded => tenants.Where(t => t.OffboardedAt != null),
            // Few, so read from the revoked versions' own index and sorted, rather than by walking every name.
            TenantKeyStatus.Revoked => tenants.Where(t => revoked.Select(v => v.TenantId).Contains(t.Id)
                && t.OffboardedAt == null && !current.Any(v => v.TenantId == t.Id)),
            TenantKeyStatus.NotSet => tenants.Where(t => t.OffboardedAt == null
                && !current.Any(v => v.TenantId == t.Id) && !revoked.Any(v => v.TenantId == t.Id)),
            _ => throw new ArgumentOutOfRangeException(nameof(status), status, "A keyed status is read from the current versions."),
        });
    }

    private static IQueryable<RowKey> Project(IQueryable<Tenant> tenants) =>
        tenants.Select(t => new RowKey { TenantId = t.Id, TenantName = t.DisplayName, OffboardedAt = t.OffboardedAt });

    /// <summary>The tenants a search finds: a name prefix (case-insensitive) or an id prefix, each a range on its index; null for no search.</summary>
    private static IQueryable<Tenant>? Searched(PortalDbContext db, string? search)
    {
        if (string.IsNullOrWhiteSpace(search))
        {
            return null;
        }

        var term = search.Trim();
        var pattern = EscapeLike(term) + "%";
        var id = term.ToLowerInvariant();
        if (!id.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-'))
        {
            return db.Tenants.Where(t => EF.Functions.Like(t.DisplayName, pattern, "\\"));
        }

        if (db is SqlitePortalDbContext)
        {
            // Ids are compared as bytes on SQLite, and every id character sorts below U+007F: a range on the primary key.
            var end = id + "\u007f";
            return db.Tenants.Where(t => EF.Functions.Like(t.DisplayName, pattern, "\\") || (t.Id.CompareTo(id) >= 0 && t.Id.CompareTo(end) < 0));
        }

        var idPattern = id + "%";
        return db.Tenants.Where(t => EF.Functions.Like(t.DisplayName, pattern, "\\") || EF.Functions.Like(t.Id, idPattern));
    }

    private static string EscapeLike(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal).Replace("[", "\\[", StringComparison.Ordinal);

    /// <summary>Rows after the cursor in the segment's order. The first term alone is a range on the index; the second only
    /// breaks ties, so the database seeks instead of scanning.</summary>
    private static IQueryable<RowKey> Seek(IQueryable<RowKey> rows, SegmentOrder order, bool descending, RotationStatusCursor after)
    {
        var id = after.TenantId;
        if (order == SegmentOrder.DueDate)
        {
            var due = after.DueAt ?? DateTimeOffset.MinValue;
            return descending
                ? rows.Where(r => r.DueAt <= due && (r.DueAt < due || r.TenantId.CompareTo(id) < 0))
                : rows.Where(r => r.DueAt >= due && (r.DueAt > due || r.TenantId.CompareTo(id) > 0));
        }

        var name = after.Name ?? "";
        return descending
            ? rows.Where(r => r.TenantName.CompareTo(name) <= 0 && (r.TenantName.CompareTo(name) < 0 || r.TenantId.CompareTo(id) < 0))
            : rows.Where(r => r.TenantName.CompareTo(name) >= 0 && (r.TenantName.CompareTo(name) > 0 || r.TenantId.CompareTo(id) > 0));
    }

    private static IQueryable<RowKey> Order(IQueryable<RowKey> rows, SegmentOrder order, bool descending) => (order, descending) switch
    {
        (SegmentOrder.DueDate, false) => rows.OrderBy(r => r.DueAt).ThenBy(r => r.TenantId),
        (SegmentOrder.DueDate, true) => rows.OrderByDescending(r => r.DueAt).ThenByDescending(r => r.TenantId),
        (_, false) => rows.OrderBy(r => r.TenantName).ThenBy(r => r.TenantId),
        _ => rows.OrderByDescending(r => r.TenantName).ThenByDescending(r => r.TenantId),
    };

    private enum SegmentOrder
    {
        DueDate,
        Name,
    }

    /// <summary>
    /// One stretch of a sorted list, read in one index's order; <see cref="Sparse"/>, when set, is the same rows read from
    /// <see cref="Versions"/>' index and sorted, for when those versions are few.
    /// </summary>
    private sealed record Segment(SegmentOrder OrderedBy, Func<PortalDbContext, IQueryable<Tenant>?, IQueryable<RowKey>> Rows)
    {
        public Func<PortalDbContext, IQueryable<ApiKeyVersion>>? Versions { get; init; }

        public Func<PortalDbContext, IQueryable<Tenant>?, IQueryable<RowKey>>? Sparse { get; init; }
    }

    /// <summary>What a page reads per tenant to order and seek; the rest comes from <see cref="DetailAsync"/>.</summary>
    private sealed class RowKey
    {
        public required string TenantId { get; init; }

        public required string TenantName { get; init; }

        public DateTimeOffset? OffboardedAt { get; init; }

        public DateTimeOffset? DueAt { get; init; }
    }
}

/// <summary>An export the user may have: its rows, or why its filter was refused.</summary>
public sealed record RotationStatusExport(IAsyncEnumerable<TenantRotationRow>? Rows, string? Problem)
{
    /// <summary>The moment the export's statuses and key ages are told at.</summary>
    public DateTimeOffset At { get; init; }
}
