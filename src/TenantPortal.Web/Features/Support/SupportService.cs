using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.Infrastructure.Paging;
using TenantPortal.Web.Infrastructure.Text;

namespace TenantPortal.Web.Features.Support;

public sealed record TenantRotationRow(
    string TenantId,
    string TenantName,
    RotationStatus Status,
    DateTimeOffset? LastRotatedAt,
    DateTimeOffset? DueAt,
    int VersionCount)
{
    /// <summary>Versions whose metadata and store disagree (missing from the store, or enabled in it though disabled here).</summary>
    public int DriftCount { get; init; }

    public int? KeyAgeDays(DateTimeOffset now) => LastRotatedAt is { } at ? (int)(now - at).TotalDays : null;
}

public sealed record RotationStatusQuery(
    int Page,
    int PageSize,
    string? Search = null,
    RotationStatusSort Sort = RotationStatusSort.TenantName,
    bool Descending = false,
    RotationStatus? Status = null);

public enum RotationStatusSort
{
    TenantName,
    TenantId,
    LastRotatedAt,
    DueAt,
}

/// <summary>Rotation status across all tenants for support readers and platform admins: metadata only, paged in the database.</summary>
public sealed class SupportService(
    IDbContextFactory<PortalDbContext> contexts,
    IAuthorizationService authorization,
    AuditTrail audit,
    TimeProvider time)
{
    public const int MaxPageSize = 100;

    /// <summary>One page of tenants with their key status; null when the user may not see the overview.</summary>
    public async Task<PagedResult<TenantRotationRow>?> GetRotationStatusPageAsync(ClaimsPrincipal user, RotationStatusQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!(await authorization.AuthorizeAsync(user, PortalPolicies.StatusOverview)).Succeeded)
        {
            await audit.TryAppendAsync(audit.Create(PortalActor.From(user), AuditActions.SupportOverview, AuditOutcome.Denied, tenantId: null,
                reason: "Not permitted: rotation status overview"), cancellationToken);
            return null;
        }

        if (TextRules.CheckSearch(query.Search, "The search") is { } refused)
        {
            return PagedResult.Refused<TenantRotationRow>(refused);
        }

        var pageSize = Math.Clamp(query.PageSize, 1, MaxPageSize);
        var page = Math.Max(query.Page, 0);

        await using var db = contexts.CreateDbContext();
        var rows = db.Tenants.AsNoTracking().Select(t => new
        {
            t.Id,
            t.DisplayName,
            t.RotationIntervalDays,
            Current = db.ApiKeyVersions
                .Where(v => v.TenantId == t.Id && v.Status == ApiKeyVersionStatus.Current)
                .Select(v => new { v.CreatedAt, v.ExpiresAt, v.DueSoonAt })
                .FirstOrDefault(),
            HasRevoked = db.ApiKeyVersions.Any(v => v.TenantId == t.Id && v.Status == ApiKeyVersionStatus.Revoked),
            VersionCount = db.ApiKeyVersions.Count(v => v.TenantId == t.Id),
            DriftCount = db.ApiKeyVersions.Count(v => v.TenantId == t.Id && (v.MissingFromStoreSince != null || v.StillEnabledInStoreSince != null)),
        });

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var term = query.Search.Trim();
            rows = rows.Where(r => r.Id.Contains(term) || r.DisplayName.Contains(term));
        }

        // The same rules as RotationSchedule.StatusOf, as a database filter so that paging stays in the database.
        var now = time.GetUtcNow();
        rows = query.Status switch
        {
            RotationStatus.NotSet => rows.Where(r => r.Current == null && !r.HasRevoked),
            RotationStatus.Revoked => rows.Where(r => r.Current == null && r.HasRevoked),
            RotationStatus.Overdue => rows.Where(r => r.Current != null && r.Current.ExpiresAt <= now),
            RotationStatus.DueSoon => rows.Where(r => r.Current != null && r.Current.ExpiresAt > now && r.Current.DueSoonAt <= now),
            RotationStatus.Ok => rows.Where(r => r.Current != null && r.Current.ExpiresAt > now && (r.Current.DueSoonAt == null || r.Current.DueSoonAt > now)),
            _ => rows,
        };

        var total = await rows.CountAsync(cancellationToken);
        rows = (query.Sort, query.Descending) switch
        {
            (RotationStatusSort.TenantId, false) => rows.OrderBy(r => r.Id),
            (RotationStatusSort.TenantId, true) => rows.OrderByDescending(r => r.Id),
            (RotationStatusSort.LastRotatedAt, false) => rows.OrderBy(r => r.Current!.CreatedAt).ThenBy(r => r.Id),
            (RotationStatusSort.LastRotatedAt, true) => rows.OrderByDescending(r => r.Current!.CreatedAt).ThenBy(r => r.Id),
            (RotationStatusSort.DueAt, false) => rows.OrderBy(r => r.Current!.ExpiresAt).ThenBy(r => r.Id),
            (RotationStatusSort.DueAt, true) => rows.OrderByDescending(r => r.Current!.ExpiresAt).ThenBy(r => r.Id),
            (_, true) => rows.OrderByDescending(r => r.DisplayName).ThenBy(r => r.Id),
            _ => rows.OrderBy(r => r.DisplayName).ThenBy(r => r.Id),
        };

        var items = await rows.Skip(page * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        return new PagedResult<TenantRotationRow>(
            items.Select(r =>
            {
                DateTimeOffset? dueAt = r.Current is null ? null : r.Current.ExpiresAt ?? RotationSchedule.DueAt(r.Current.CreatedAt, r.RotationIntervalDays);
                return new TenantRotationRow(r.Id, r.DisplayName, RotationSchedule.StatusOf(dueAt, r.Current?.DueSoonAt, r.HasRevoked, now),
                    r.Current?.CreatedAt, dueAt, r.VersionCount) { DriftCount = r.DriftCount };
            }).ToList(),
            total);
    }
}
