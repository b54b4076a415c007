using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Notifications;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Web.Features.Support;

public enum TimelineEntryKind
{
    TenantOnboarded,
    TenantOffboarded,
    KeyStored,
    KeyRevoked,
    KeyDisabled,
    MissingFromStore,
    EnabledInStore,
    Notice,
    Delivery,
    SignIn,
    Denied,
}

/// <summary>One thing that happened to a tenant. Metadata only: names, versions, fingerprints and reasons, never a value.</summary>
public sealed record TimelineEntry(DateTimeOffset At, TimelineEntryKind Kind, string Title, string? Detail)
{
    /// <summary>Whether it went wrong (a refusal, a failed delivery, drift): shown as such.</summary>
    public bool IsProblem { get; init; }

    internal int Source { get; init; }

    internal long Order { get; init; }
}

/// <summary>Where the next (older) page of a timeline starts: after this entry.</summary>
public sealed record TimelineCursor(DateTimeOffset At, int Source, long Order);

public sealed record TenantTimelineHeader(
    string TenantId,
    string TenantName,
    TenantKeyStatus Status,
    string? CurrentVersion,
    DateTimeOffset? DueAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset? OffboardedAt);

public sealed record TenantTimeline(TenantTimelineHeader Tenant, IReadOnlyList<TimelineEntry> Entries, TimelineCursor? Older);

/// <summary>A tenant's timeline, or why there is none (no such tenant, audit trail refusing).</summary>
public sealed record TenantTimelineResult(TenantTimeline? Timeline, string? Problem);

public sealed partial class SupportService
{
    public const int TimelinePageSize = 50;

    /// <summary>A tenant's key metadata is a few rows a rotation; past this many versions the oldest are left out.</summary>
    public const int TimelineVersionLimit = 1000;

    private const int TenantSource = 0;
    private const int VersionSource = 1;
    private const int NoticeSource = 2;
    private const int DeliverySource = 3;
    private const int SignInSource = 4;
    private const int DenialSource = 5;

    /// <summary>
    /// A tenant's history for staff, newest first: key versions, notices, deliveries, revocations, its users'
    /// sign-ins and every denial concerning it. Each source is read on its (tenant, time) index and merged; the first
    /// page is audited on the tenant's chain. Null when the user may not see it.
    /// </summary>
    public async Task<TenantTimelineResult?> GetTimelineAsync(ClaimsPrincipal user, string tenantId, TimelineCursor? before, CancellationToken cancellationToken)
    {
        var wellFormed = TenantRules.ValidateSlug(tenantId) is null;
        if (!await IsStaffAsync(user, SupportAuditActions.TimelineViewed, "tenant timeline", cancellationToken, wellFormed ? tenantId : null))
        {
            return null;
        }

        await using var db = contexts.CreateDbContext();
        var tenant = wellFormed
            ? await db.Tenants.AsNoTracking().Include(t => t.Directories).FirstOrDefaultAsync(t => t.Id == tenantId, cancellationToken)
            : null;
        if (tenant is null)
        {
            return new TenantTimelineResult(null, wellFormed ? texts["NoTenantWithId", tenantId] : texts["NoTenantThisId"]);
        }

        var now = time.GetUtcNow();
        var versions = await db.ApiKeyVersions.AsNoTracking().Where(v => v.TenantId == tenant.Id)
            .OrderByDescending(v => v.CreatedAt).Take(TimelineVersionLimit).ToListAsync(cancellationToken);
        var current = versions.FirstOrDefault(v => v.Status == ApiKeyVersionStatus.Current);
        var header = new TenantTimelineHeader(tenant.Id, tenant.DisplayName,
            TenantKeyStatuses.Of(tenant.IsOffboarded, current is not null, current?.ExpiresAt, current?.DueSoonAt,
                versions.Any(v => v.Status == ApiKeyVersionStatus.Revoked), now),
            current?.StoreVersionId, current?.ExpiresAt, tenant.CreatedAt, tenant.OffboardedAt);

        var take = TimelinePageSize + 1;
        var entries = new List<TimelineEntry>();
        entries.AddRange(TenantEntries(tenant).Where(e => IsOlder(e, before)));
        entries.AddRange(VersionEntries(versions, complete: versions.Count < TimelineVersionLimit).Where(e => IsOlder(e, before)));
        entries.AddRange(await NoticesAsync(db, tenant.Id, before, take, cancellationToken));
        entries.AddRange(await DeliveriesAsync(db, tenant.Id, before, take, cancellationToken));
        entries.AddRange(await SignInsAsync(db, tenant.Directories.Select(d => (Guid?)d.EntraTenantId).ToList(), before, take, cancellationToken));
        entries.AddRange(await DenialsAsync(db, tenant.Id, before, take, cancellationToken));

        var page = entries.OrderByDescending(e => e.At).ThenByDescending(e => e.Source).ThenByDescending(e => e.Order).Take(take).ToList();
        TimelineCursor? older = null;
        if (page.Count > TimelinePageSize)
        {
            page.RemoveAt(TimelinePageSize);
            var last = page[^1];
            older = new TimelineCursor(last.At, last.Source, last.Order);
        }

        if (before is null)
        {
            try
            {
                await audit.AppendAsync(audit.Create(PortalActor.From(user), SupportAuditActions.TimelineViewed, AuditOutcome.Succeeded, tenant.Id), cancellationToken);
            }
            catch (AuditUnavailableException)
            {
                return new TenantTimelineResult(null, texts["TimelineAuditDown"]);
            }
        }

        return new TenantTimelineResult(new TenantTimeline(header, page, older), null);
    }

    private static bool IsOlder(TimelineEntry entry, TimelineCursor? before) =>
        before is null || entry.At < before.At || (entry.At == before.At && (entry.Source < before.Source || (entry.Source == before.Source && entry.Order < before.Order)));

    private IEnumerable<TimelineEntry> TenantEntries(Tenant tenant)
    {
        yield return new TimelineEntry(tenant.CreatedAt, TimelineEntryKind.TenantOnboarded, texts["TenantOnboarded"], texts["OnboardedDetail", $"tenant-{tenant.Id}-api-key"])
        {
            Source = TenantSource, Order = 0,
        };
        if (tenant.OffboardedAt is { } at)
        {
            yield return new TimelineEntry(at, TimelineEntryKind.TenantOffboarded, texts["TenantOffboarded"], tenant.OffboardReason) { Source = TenantSource, Order = 1 };
        }
    }

    private IEnumerable<TimelineEntry> VersionEntries(List<ApiKeyVersion> versions, bool complete)
    {
        var oldest = complete ? versions.MinBy(v => (v.CreatedAt, v.Id)) : null;
        foreach (var v in versions)
        {
            var name = v.StoreVersionId.Length > 8 ? v.StoreVersionId[..8] : v.StoreVersionId;
            var fingerprint = ApiKeyFingerprints.IsLegacy(v.Fingerprint) ? texts["LegacyFingerprint", v.Fingerprint].Value : v.Fingerprint;
            yield return new TimelineEntry(v.CreatedAt, TimelineEntryKind.KeyStored,
                ReferenceEquals(v, oldest) ? texts["KeyStored", name] : texts["KeyRotated", name],
                v.ExpiresAt is { } expires
                    ? texts["VersionDetailDue", v.CreatedByName, v.MaskedHint, fingerprint, expires.UtcDateTime, TenantKeyStatuses.DisplayName(v.Status)]
                    : texts["VersionDetail", v.CreatedByName, v.MaskedHint, fingerprint, TenantKeyStatuses.DisplayName(v.Status)])
            {
                Source = VersionSource, Order = (v.Id * 8) + 0,
            };

            if (v.Status == ApiKeyVersionStatus.Revoked && (v.StatusChangedAt ?? v.DisabledInStoreAt) is { } revokedAt)
            {
                yield return new TimelineEntry(revokedAt, TimelineEntryKind.KeyRevoked, texts["KeyRevoked", name], v.RevokeReason)
                {
                    IsProblem = true, Source = VersionSource, Order = (v.Id * 8) + 1,
                };
            }
            else if (v.DisabledInStoreAt is { } disabledAt)
            {
                var why = v.Status switch
                {
                    ApiKeyVersionStatus.Superseded => texts["SupersededWhy"].Value,
                    ApiKeyVersionStatus.Disabled => texts["DisabledWhy"].Value,
                    _ => null,
                };
                yield return new TimelineEntry(disabledAt, TimelineEntryKind.KeyDisabled, texts["DisabledInStore", name], why)
                {
                    Source = VersionSource, Order = (v.Id * 8) + 2,
                };
            }

            if (v.MissingFromStoreSince is { } missing)
            {
                yield return new TimelineEntry(missing, TimelineEntryKind.MissingFromStore, texts["MissingFromStore", name],
                    texts["MissingFromStoreWhy"])
                {
                    IsProblem = true, Source = VersionSource, Order = (v.Id * 8) + 3,
                };
            }

            if (v.StillEnabledInStoreSince is { } enabled)
            {
                yield return new TimelineEntry(enabled, TimelineEntryKind.EnabledInStore, texts["EnabledInStore", name],
                    texts["EnabledInStoreWhy", TenantKeyStatuses.DisplayName(v.Status)])
                {
                    IsProblem = true, Source = VersionSource, Order = (v.Id * 8) + 4,
                };
            }
        }
    }

    private async Task<List<TimelineEntry>> NoticesAsync(PortalDbContext db, string tenantId, TimelineCursor? before, int take, CancellationToken cancellationToken)
    {
        var rows = db.RotationNotices.AsNoTracking().Where(n => n.TenantId == tenantId);
        if (before is not null)
        {
            // The source is fixed per query: a range on its (…, time) index, the id breaking ties only in the cursor's own source.
            var (at, id) = (before.At, before.Order);
            rows = NoticeSource.CompareTo(before.Source) switch
            {
                < 0 => rows.Where(n => n.CreatedAt <= at),
                > 0 => rows.Where(n => n.CreatedAt < at),
                _ => rows.Where(n => n.CreatedAt <= at && (n.CreatedAt < at || n.Id < id)),
            };
        }

        var notices = await rows.OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).Take(take).ToListAsync(cancellationToken);
        return notices.Select(n => new TimelineEntry(n.CreatedAt, TimelineEntryKind.Notice, NoticeTitle(n),
            string.Join("; ", new[] { n.KeyVersion is { } v ? texts["NoticeVersion", v.Length > 8 ? v[..8] : v].Value : null, n.DueAt is { } due ? texts["NoticeDue", due.UtcDateTime].Value : null }
                .OfType<string>()))
        {
            IsProblem = n.Kind is RotationNoticeKind.Overdue or RotationNoticeKind.Revoked, Source = NoticeSource, Order = n.Id,
        }).ToList();
    }

    private string NoticeTitle(RotationNotice notice) => notice.Kind switch
    {
        RotationNoticeKind.Reminder => texts[notice.LeadDays == 1 ? "ReminderOneDay" : "ReminderDays", notice.LeadDays],
        RotationNoticeKind.Overdue => texts["NoticeOverdue"],
        RotationNoticeKind.Revoked => texts["NoticeRevoked"],
        RotationNoticeKind.Rotated => texts["NoticeRotated"],
        RotationNoticeKind.PreviousDisabled => texts["NoticePreviousDisabled"],
        RotationNoticeKind.KeyRejected => texts["NoticeKeyRejected"],
        RotationNoticeKind.PreviousStillUsed => texts["NoticePreviousStillUsed"],
        RotationNoticeKind.PreviousKeptWhileUsed => texts["NoticePreviousKeptWhileUsed"],
        _ => texts["NoticeProbeChanged"],
    };

    private async Task<List<TimelineEntry>> DeliveriesAsync(PortalDbContext db, string tenantId, TimelineCursor? before, int take, CancellationToken cancellationToken)
    {
        var rows = db.NotificationDeliveries.AsNoTracking().Where(d => d.TenantId == tenantId);
        if (before is not null)
        {
            // The source is fixed per query: a range on its (…, time) index, the id breaking ties only in the cursor's own source.
            var (at, id) = (before.At, before.Order);
            rows = DeliverySource.CompareTo(before.Source) switch
            {
                < 0 => rows.Where(d => d.CreatedAt <= at),
                > 0 => rows.Where(d => d.CreatedAt < at),
                _ => rows.Where(d => d.CreatedAt <= at && (d.CreatedAt < at || d.Id < id)),
            };
        }

        var deliveries = await rows.OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Take(take).ToListAsync(cancellationToken);
        return deliveries.Select(d =>
        {
            var channel = d.Channel == NotificationChannel.Email ? texts["EmailTo", d.Target].Value : texts["WebhookTo", d.Target].Value;
            var (title, problem) = d.Status switch
            {
                NotificationDeliveryStatus.Delivered => (texts["DeliveredAt", channel, (object?)d.DeliveredAt?.UtcDateTime ?? ""].Value, false),
                NotificationDeliveryStatus.Failed => (texts[d.Attempts == 1 ? "GivenUpOne" : "GivenUpMany", channel, d.Attempts].Value, true),
                _ when d.LastError is not null => (texts["Retrying", channel, d.Attempts].Value, true),
                _ => (texts["Waiting", channel].Value, false),
            };
            var error = string.Join("; ", new[] { d.LastStatusCode is { } code ? $"HTTP {code}" : null, DeliveryProblem.Describe(d.LastErrorCode, d.LastError) }.OfType<string>());
            return new TimelineEntry(d.CreatedAt, TimelineEntryKind.Delivery, title, error.Length == 0 ? null : error)
            {
                IsProblem = problem, Source = DeliverySource, Order = d.Id,
            };
        }).ToList();
    }

    private async Task<List<TimelineEntry>> SignInsAsync(PortalDbContext db, List<Guid?> directories, TimelineCursor? before, int take, CancellationToken cancellationToken)
    {
        if (directories.Count == 0)
        {
            return [];
        }

        var rows = db.AuditEvents.AsNoTracking().Where(e => e.Action == AuditActions.SignIn && directories.Contains(e.ActorTenantId));
        if (before is not null)
        {
            // The source is fixed per query: a range on its (…, time) index, the id breaking ties only in the cursor's own source.
            var (at, id) = (before.At, before.Order);
            rows = SignInSource.CompareTo(before.Source) switch
            {
                < 0 => rows.Where(e => e.OccurredAt <= at),
                > 0 => rows.Where(e => e.OccurredAt < at),
                _ => rows.Where(e => e.OccurredAt <= at && (e.OccurredAt < at || e.Id < id)),
            };
        }

        var events = await rows.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id).Take(take).ToListAsync(cancellationToken);
        return events.Select(e => new TimelineEntry(e.OccurredAt, TimelineEntryKind.SignIn,
            e.Outcome == AuditOutcome.Succeeded ? texts["SignedIn", e.ActorName ?? ""] : texts["SignInRefused", e.ActorName ?? texts["UnknownUser"]],
            string.Join("; ", new[] { e.ActorRole, e.Reason }.OfType<string>()))
        {
            IsProblem = e.Outcome != AuditOutcome.Succeeded, Source = SignInSource, Order = e.Id,
        }).ToList();
    }

    private async Task<List<TimelineEntry>> DenialsAsync(PortalDbContext db, string tenantId, TimelineCursor? before, int take, CancellationToken cancellationToken)
    {
        var rows = db.AuditEvents.AsNoTracking().Where(e => e.TenantId == tenantId && e.Outcome == AuditOutcome.Denied);
        if (before is not null)
        {
            // The source is fixed per query: a range on its (…, time) index, the id breaking ties only in the cursor's own source.
            var (at, id) = (before.At, before.Order);
            rows = DenialSource.CompareTo(before.Source) switch
            {
                < 0 => rows.Where(e => e.OccurredAt <= at),
                > 0 => rows.Where(e => e.OccurredAt < at),
                _ => rows.Where(e => e.OccurredAt <= at && (e.OccurredAt < at || e.Id < id)),
            };
        }

        var events = await rows.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id).Take(take).ToListAsync(cancellationToken);
        return events.Select(e => new TimelineEntry(e.OccurredAt, TimelineEntryKind.Denied,
            texts["Denied", e.Action, e.ActorName ?? texts["AnonymousCaller"]],
            string.Join("; ", new[] { e.ActorRole, e.Reason }.OfType<string>()))
        {
            IsProblem = true, Source = DenialSource, Order = e.Id,
        }).ToList();
    }
}
