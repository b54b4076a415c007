using System.Runtime.CompilerServices;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.Infrastructure.Paging;
using TenantPortal.Web.Infrastructure.Text;

namespace TenantPortal.Web.Features.Audit;

public sealed record AuditFilter(
    string? TenantId = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    string? Action = null,
    AuditOutcome? Outcome = null,
    string? Actor = null)
{
    /// <summary>Null when the filter may run; otherwise why not, with the limit (an exact tenant id or action, a "contains" actor).</summary>
    public string? Validate() =>
        TextRules.CheckSearch(TenantId, TextRules.Subjects.TenantFilter, Tenant.SlugMaxLength)
        ?? TextRules.CheckSearch(Action, TextRules.Subjects.ActionFilter, AuditEvent.ActionMaxLength)
        ?? TextRules.CheckSearch(Actor, TextRules.Subjects.ActorFilter);
}

/// <summary>An export the user may have: its rows, or why its filter was refused.</summary>
public sealed record AuditExport(IAsyncEnumerable<AuditRow>? Rows, string? Problem);

public enum AuditSort
{
    OccurredAt,
    TenantId,
    Action,
    Outcome,
}

public sealed record AuditQuery(int Page, int PageSize, AuditFilter Filter, AuditSort Sort = AuditSort.OccurredAt, bool Descending = true);

/// <summary>One audit row as shown and exported, hashes included so a tenant can verify its slice offline.</summary>
[CsvHelper.CsvRecord]
public sealed partial record AuditRow(
    DateTimeOffset OccurredAt,
    string? TenantId,
    string Action,
    AuditOutcome Outcome,
    string? ActorName,
    string ActorRole,
    Guid? ActorTenantId,
    Guid? ActorObjectId,
    string? SecretName,
    string? KeyVersion,
    string? Reason,
    string? Changes,
    string? ClientIp,
    string? UserAgent,
    string? Channel,
    string CorrelationId,
    string ChainId,
    long Sequence,
    string PreviousHash,
    string Hash);

/// <summary>
/// Reading the audit trail. Tenant admins see their own tenant's events only; support readers and platform
/// admins see all. Viewing, exporting and verifying are themselves audited.
/// </summary>
public sealed class AuditService(
    IDbContextFactory<PortalDbContext> contexts,
    IAuthorizationService authorization,
    AuditTrail audit,
    AuditVerifier verifier)
{
    public const int MaxPageSize = 100;

    /// <summary>Counting stops here: the first page of a million-row trail stays fast; filters (or the export) reach further.</summary>
    public const int CountLimit = 10_000;

    /// <summary>How much of a filter's free text (tenant, action, actor) an audit reason repeats.</summary>
    public const int FilterTextInReason = 40;

    public async Task<PagedResult<AuditRow>?> GetPageAsync(ClaimsPrincipal user, AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var scope = await ScopeAsync(user, query.Filter.TenantId, cancellationToken);
        if (scope is null)
        {
            return null;
        }

        if (query.Filter.Validate() is { } refused)
        {
            return PagedResult.Refused<AuditRow>(refused);
        }

        await using var db = contexts.CreateDbContext();
        var rows = Filter(db, scope, query.Filter);
        var total = await rows.Take(CountLimit + 1).CountAsync(cancellationToken);
        rows = (query.Sort, query.Descending) switch
        {
            (AuditSort.TenantId, false) => rows.OrderBy(e => e.TenantId).ThenByDescending(e => e.Id),
            (AuditSort.TenantId, true) => rows.OrderByDescending(e => e.TenantId).ThenByDescending(e => e.Id),
            (AuditSort.Action, false) => rows.OrderBy(e => e.Action).ThenByDescending(e => e.Id),
            (AuditSort.Action, true) => rows.OrderByDescending(e => e.Action).ThenByDescending(e => e.Id),
            (AuditSort.Outcome, false) => rows.OrderBy(e => e.Outcome).ThenByDescending(e => e.Id),
            (AuditSort.Outcome, true) => rows.OrderByDescending(e => e.Outcome).ThenByDescending(e => e.Id),
            (_, false) => rows.OrderBy(e => e.OccurredAt).ThenBy(e => e.Id),
            _ => rows.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id),
        };
        var pageSize = Math.Clamp(query.PageSize, 1, MaxPageSize);
        var items = await Project(rows.Skip(Math.Max(query.Page, 0) * pageSize).Take(pageSize)).ToListAsync(cancellationToken);

        if (query.Page == 0)
        {
            var subject = await SubjectAsync(query.Filter.TenantId, cancellationToken);
            await audit.AppendAsync(audit.Create(PortalActor.From(user), AuditActions.AuditViewed, AuditOutcome.Succeeded, subject.TenantId,
                reason: Describe(query.Filter), chainId: subject.ChainId), cancellationToken);
        }

        return new PagedResult<AuditRow>(items, Math.Min(total, CountLimit)) { HasMore = total > CountLimit };
    }

    /// <summary>
    /// The filtered rows, oldest first, streamed from the database, or why the filter was refused; null when the user
    /// may not see them.
    /// </summary>
    public async Task<AuditExport?> ExportAsync(ClaimsPrincipal user, AuditFilter filter, string format, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var scope = await ScopeAsync(user, filter.TenantId, cancellationToken);
        if (scope is null)
        {
            return null;
        }

        if (filter.Validate() is { } refused)
        {
            return new AuditExport(null, refused);
        }

        // Recorded before the first byte leaves: an export that cannot be audited does not happen.
        var subject = await SubjectAsync(filter.TenantId, cancellationToken);
        await audit.AppendAsync(audit.Create(PortalActor.From(user), AuditActions.AuditExported, AuditOutcome.Succeeded, subject.TenantId,
            reason: $"{format}; {Describe(filter)}", chainId: subject.ChainId), cancellationToken);
        return new AuditExport(StreamAsync(scope, filter, cancellationToken), null);
    }

    /// <summary>Verifies one chain; tenant admins only their own tenant's. Null when not permitted.</summary>
    public async Task<ChainVerification?> VerifyAsync(ClaimsPrincipal user, string chainId, CancellationToken cancellationToken)
    {
        var scope = await ScopeAsync(user, chainId == AuditChains.Platform ? null : chainId, cancellationToken);
        if (scope is null)
        {
            return null;
        }

        if (chainId == AuditChains.Platform && scope.Tenants is not null)
        {
            await audit.TryAppendAsync(audit.Create(PortalActor.From(user), AuditActions.AuditVerified, AuditOutcome.Denied, tenantId: null,
                reason: "Not permitted: the platform chain is for staff"), cancellationToken);
            return null;
        }

        var result = await verifier.VerifyAsync(chainId, cancellationToken);
        var subject = chainId == AuditChains.Platform ? AuditSubject.Platform : await SubjectAsync(chainId, cancellationToken);
        await audit.AppendAsync(audit.Create(PortalActor.From(user), AuditActions.AuditVerified,
            result.IsIntact ? AuditOutcome.Succeeded : AuditOutcome.Failed, subject.TenantId,
            reason: Naming(result.IsIntact ? $"{result.EventsChecked} events intact" : result.Problem, "chain", subject), chainId: subject.ChainId),
            cancellationToken);
        return result;
    }

    private async IAsyncEnumerable<AuditRow> StreamAsync(AuditScope scope, AuditFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var rows = Project(Filter(db, scope, filter).OrderBy(e => e.ChainId).ThenBy(e => e.Sequence)).AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            yield return row;
        }
    }

    /// <summary>Which tenants the user may read: null = all (staff), else the tenants they administer.</summary>
    private async Task<AuditScope?> ScopeAsync(ClaimsPrincipal user, string? requestedTenant, CancellationToken cancellationToken)
    {
        var actor = PortalActor.From(user);
        if (actor is not null && (await authorization.AuthorizeAsync(user, PortalPolicies.StatusOverview)).Succeeded)
        {
            return new AuditScope(null);
        }

        if (actor is not null && actor.IsInRole(PortalRoles.TenantAdmin))
        {
            await using var db = contexts.CreateDbContext();
            var own = await db.TenantDirectories.AsNoTracking()
                .Where(d => d.EntraTenantId == actor.EntraTenantId).Select(d => d.TenantId).ToListAsync(cancellationToken);
            if (own.Count > 0 && (requestedTenant is null || own.Contains(requestedTenant)))
            {
                return new AuditScope(own);
            }
        }

        var subject = await SubjectAsync(requestedTenant, cancellationToken);
        await audit.TryAppendAsync(audit.Create(actor, AuditActions.AuditViewed, AuditOutcome.Denied, subject.TenantId,
            reason: Naming("Not permitted: audit trail", "tenant", subject), chainId: AuditChains.Platform), cancellationToken);
        return null;
    }

    /// <summary>
    /// What an audit row about a filter or a chain named by the caller is about. Only an existing tenant's id becomes a
    /// chain id (its own trail; a chain id is at most 112 ASCII characters). Anything else is recorded on the platform
    /// chain: a well-formed id that names no tenant still in the tenant column, other text only (cut short) in the reason.
    /// </summary>
    private async Task<AuditSubject> SubjectAsync(string? requested, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(requested))
        {
            return AuditSubject.Platform;
        }

        if (TenantRules.ValidateSlug(requested) is not null)
        {
            return AuditSubject.Platform with { Unrecognised = Bound(requested) };
        }

        await using var db = contexts.CreateDbContext();
        return await db.Tenants.AsNoTracking().AnyAsync(t => t.Id == requested, cancellationToken)
            ? new AuditSubject(requested, requested)
            : AuditSubject.Platform with { TenantId = requested };
    }

    private static string? Naming(string? reason, string what, AuditSubject subject) =>
        subject.Unrecognised is { } text ? $"{reason}; {what}={text}" : reason;

    private static IQueryable<AuditEvent> Filter(PortalDbContext db, AuditScope scope, AuditFilter filter)
    {
        var rows = db.AuditEvents.AsNoTracking();
        if (scope.Tenants is { } tenants)
        {
            // A tenant's admins read their tenants' own chains; outsiders' denials about them are on the platform's.
            rows = rows.Where(e => e.TenantId != null && tenants.Contains(e.TenantId) && e.ChainId != AuditChains.Platform);
        }

        if (!string.IsNullOrWhiteSpace(filter.TenantId))
        {
            rows = rows.Where(e => e.TenantId == filter.TenantId);
        }

        if (filter.From is { } from)
        {
            rows = rows.Where(e => e.OccurredAt >= from);
        }

        if (filter.To is { } to)
        {
            rows = rows.Where(e => e.OccurredAt < to);
        }

        if (!string.IsNullOrWhiteSpace(filter.Action))
        {
            rows = rows.Where(e => e.Action == filter.Action);
        }

        if (filter.Outcome is { } outcome)
        {
            rows = rows.Where(e => e.Outcome == outcome);
        }

        if (!string.IsNullOrWhiteSpace(filter.Actor))
        {
            var actor = filter.Actor.Trim();
            rows = Guid.TryParse(actor, out var oid)
                ? rows.Where(e => e.ActorObjectId == oid)
                : rows.Where(e => e.ActorName != null && e.ActorName.Contains(actor));
        }

        return rows;
    }

    private static IQueryable<AuditRow> Project(IQueryable<AuditEvent> rows) => rows.Select(e => new AuditRow(
        e.OccurredAt, e.TenantId, e.Action, e.Outcome, e.ActorName, e.ActorRole, e.ActorTenantId, e.ActorObjectId, e.SecretName,
        e.KeyVersion, e.Reason, e.Changes, e.ClientIp, e.UserAgent, e.Channel, e.CorrelationId, e.ChainId, e.Sequence, e.PreviousHash, e.Hash));

    private static string Describe(AuditFilter f) =>
        $"filter tenant={Bound(f.TenantId) ?? "*"} from={f.From:O} to={f.To:O} action={Bound(f.Action) ?? "*"} " +
        $"outcome={f.Outcome?.ToString() ?? "*"} actor={Bound(f.Actor) ?? "*"}";

    /// <summary>Text the caller typed, as it goes into a reason: at most <see cref="FilterTextInReason"/> characters, control characters as '?'.</summary>
    private static string? Bound(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var length = Math.Min(text.Length, FilterTextInReason);
        if (length < text.Length && char.IsHighSurrogate(text[length - 1]))
        {
            length--;
        }

        var kept = string.Create(length, text, (span, source) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
        return length < text.Length ? kept + "…" : kept;
    }

    private sealed record AuditScope(IReadOnlyList<string>? Tenants);

    /// <summary>The tenant column and chain of an audit row, and the caller's text when it names no tenant.</summary>
    private sealed record AuditSubject(string? TenantId, string ChainId, string? Unrecognised = null)
    {
        public static readonly AuditSubject Platform = new(null, AuditChains.Platform);
    }
}
