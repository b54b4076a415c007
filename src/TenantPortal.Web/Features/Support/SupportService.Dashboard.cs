using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Notifications;

namespace TenantPortal.Web.Features.Support;

public sealed record SupportDashboard(
    IReadOnlyDictionary<TenantKeyStatus, int> Counts,
    IReadOnlyList<WeekCount> ComingDue,
    IReadOnlyList<WeekCount> VersionsStored,
    DeliveryHealth Deliveries,
    StoreDrift Drift,
    DateTimeOffset At)
{
    public int TenantCount => Counts.Values.Sum();
}

/// <summary>How many in [<see cref="From"/>, <see cref="Before"/>).</summary>
public sealed record WeekCount(DateTimeOffset From, DateTimeOffset Before, int Count);

/// <summary>Notification deliveries given up on within <see cref="SupportService.GivenUpWindow"/>, and those being retried now.</summary>
public sealed record DeliveryHealth(int GivenUp, int Retrying, IReadOnlyList<FailingDelivery> Latest);

public sealed record FailingDelivery(
    string TenantId,
    string TenantName,
    NotificationChannel Channel,
    string Target,
    NotificationDeliveryStatus Status,
    int Attempts,
    DateTimeOffset? LastAttemptAt,
    string? LastError,
    string? LastErrorCode = null)
{
    /// <summary>The last error in the reader's language (worded from its code), or as stored for older rows.</summary>
    public string? LastErrorText => DeliveryProblem.Describe(LastErrorCode, LastError);
}

/// <summary>What reconciliation flagged: versions missing from the store, and versions the store serves though disabled or revoked here.</summary>
public sealed record StoreDrift(int MissingVersions, int MissingTenants, int EnabledVersions, int EnabledTenants, IReadOnlyList<DriftedVersion> Latest);

public sealed record DriftedVersion(string TenantId, string TenantName, string Version, ApiKeyVersionStatus Status, bool MissingFromStore, DateTimeOffset Since)
{
    public string ShortVersion => Version.Length > 8 ? Version[..8] : Version;
}

public sealed partial class SupportService
{
    public const int ChartWeeks = 12;
    public const int DashboardListLength = 5;
    public static readonly TimeSpan GivenUpWindow = TimeSpan.FromDays(30);

    /// <summary>The dashboard's aggregates, all read in the database on indexes; null when the user may not see them.</summary>
    public async Task<SupportDashboard?> GetDashboardAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!await IsStaffAsync(user, SupportAuditActions.Overview, "support dashboard", cancellationToken))
        {
            return null;
        }

        var now = time.GetUtcNow();
        await using var db = contexts.CreateDbContext();
        var counts = await CountByStatusAsync(db, now, cancellationToken);
        var comingDue = await ComingDueAsync(db, now, cancellationToken);
        var stored = await VersionsStoredAsync(db, now, cancellationToken);
        var deliveries = await DeliveryHealthAsync(db, now, cancellationToken);
        var drift = await StoreDriftAsync(db, cancellationToken);
        return new SupportDashboard(counts, comingDue, stored, deliveries, drift, now);
    }

    /// <summary>Every tenant in exactly one status, by the rules of <see cref="TenantKeyStatuses"/>.</summary>
    private static async Task<Dictionary<TenantKeyStatus, int>> CountByStatusAsync(PortalDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var soon = now + Rotation.RotationSchedule.DefaultDueSoonWindow;
        var current = db.ApiKeyVersions.Where(v => v.Status == ApiKeyVersionStatus.Current);

        // One pass over the current versions' due-date index.
        var keyed = await current
            .GroupBy(v => v.ExpiresAt == null ? TenantKeyStatus.Active
                : v.ExpiresAt <= now ? TenantKeyStatus.Overdue
                : v.DueSoonAt <= now || (v.DueSoonAt == null && v.ExpiresAt <= soon) ? TenantKeyStatus.DueSoon
                : TenantKeyStatus.Active)
            .Select(g => new { Status = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);

        // An offboarded tenant is offboarded whatever its versions say (offboarding disables every one, so this is
        // normally empty): read from the offboarded tenants' own index.
        var offboardedWithCurrent = await db.Tenants.Where(t => t.OffboardedAt != null)
            .Join(current, t => t.Id, v => v.TenantId, (t, v) => v)
            .GroupBy(v => v.ExpiresAt == null ? TenantKeyStatus.Active
                : v.ExpiresAt <= now ? TenantKeyStatus.Overdue
                : v.DueSoonAt <= now || (v.DueSoonAt == null && v.ExpiresAt <= soon) ? TenantKeyStatus.DueSoon
                : TenantKeyStatus.Active)
            .Select(g => new { Status = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);

        var revoked = await UnkeyedTenants(db, null, TenantKeyStatus.Revoked).CountAsync(cancellationToken);
        var offboarded = await db.Tenants.CountAsync(t => t.OffboardedAt != null, cancellationToken);
        var tenants = await db.Tenants.CountAsync(cancellationToken);

        var counts = Enum.GetValues<TenantKeyStatus>().ToDictionary(s => s, _ => 0);
        foreach (var group in keyed)
        {
            counts[group.Status] += group.Count;
        }

        foreach (var group in offboardedWithCurrent)
        {
            counts[group.Status] -= group.Count;
        }

        counts[TenantKeyStatus.Revoked] = revoked;
        counts[TenantKeyStatus.Offboarded] = offboarded;
        counts[TenantKeyStatus.NotSet] = tenants - counts.Where(c => c.Key != TenantKeyStatus.NotSet).Sum(c => c.Value);
        return counts;
    }

    /// <summary>Current versions falling due in each of the next weeks (from now to the end of each seventh day), by range counts on the due-date index.</summary>
    private static async Task<List<WeekCount>> ComingDueAsync(PortalDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var weeks = new List<WeekCount>(ChartWeeks);
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        for (var week = 0; week < ChartWeeks; week++)
        {
            var from = week == 0 ? now : today.AddDays(7 * week);
            var before = today.AddDays(7 * (week + 1));
            var count = await db.ApiKeyVersions.CountAsync(v => v.Status == ApiKeyVersionStatus.Current && v.ExpiresAt >= from && v.ExpiresAt < before, cancellationToken);
            weeks.Add(new WeekCount(from, before, count));
        }

        return weeks;
    }

    /// <summary>Key versions stored (first keys and rotations) in each of the last weeks, the last one ending with today; range counts on the creation index.</summary>
    private static async Task<List<WeekCount>> VersionsStoredAsync(PortalDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var weeks = new List<WeekCount>(ChartWeeks);
        var tomorrow = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(1);
        for (var week = ChartWeeks; week > 0; week--)
        {
            var from = tomorrow.AddDays(-7 * week);
            var before = tomorrow.AddDays(-7 * (week - 1));
            var count = await db.ApiKeyVersions.CountAsync(v => v.CreatedAt >= from && v.CreatedAt < before, cancellationToken);
            weeks.Add(new WeekCount(from, before, count));
        }

        return weeks;
    }

    private static async Task<DeliveryHealth> DeliveryHealthAsync(PortalDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var since = now - GivenUpWindow;
        var givenUp = db.NotificationDeliveries.Where(d => d.Status == NotificationDeliveryStatus.Failed && d.LastAttemptAt >= since);
        // Attempted and waiting for its next try; a first attempt still under way has no error yet.
        var retrying = db.NotificationDeliveries.Where(d => d.Status == NotificationDeliveryStatus.Pending && d.LastAttemptAt != null && d.LastError != null);

        var latest = new List<FailingDelivery>();
        foreach (var rows in new[] { givenUp, retrying })
        {
            latest.AddRange(await rows.OrderByDescending(d => d.LastAttemptAt).Take(DashboardListLength)
                .Join(db.Tenants, d => d.TenantId, t => t.Id, (d, t) => new FailingDelivery(
                    d.TenantId, t.DisplayName, d.Channel, d.Target, d.Status, d.Attempts, d.LastAttemptAt, d.LastError, d.LastErrorCode))
                .ToListAsync(cancellationToken));
        }

        return new DeliveryHealth(
            await givenUp.CountAsync(cancellationToken),
            await retrying.CountAsync(cancellationToken),
            latest.OrderByDescending(d => d.LastAttemptAt).Take(DashboardListLength).ToList());
    }

    private static async Task<StoreDrift> StoreDriftAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        var missing = db.ApiKeyVersions.Where(v => v.MissingFromStoreSince != null);
        var enabled = db.ApiKeyVersions.Where(v => v.StillEnabledInStoreSince != null);

        var latest = await missing.OrderByDescending(v => v.MissingFromStoreSince).Take(DashboardListLength)
            .Join(db.Tenants, v => v.TenantId, t => t.Id, (v, t) => new DriftedVersion(v.TenantId, t.DisplayName, v.StoreVersionId, v.Status, true, v.MissingFromStoreSince!.Value))
            .ToListAsync(cancellationToken);
        latest.AddRange(await enabled.OrderByDescending(v => v.StillEnabledInStoreSince).Take(DashboardListLength)
            .Join(db.Tenants, v => v.TenantId, t => t.Id, (v, t) => new DriftedVersion(v.TenantId, t.DisplayName, v.StoreVersionId, v.Status, false, v.StillEnabledInStoreSince!.Value))
            .ToListAsync(cancellationToken));

        return new StoreDrift(
            await missing.CountAsync(cancellationToken),
            await missing.Select(v => v.TenantId).Distinct().CountAsync(cancellationToken),
            await enabled.CountAsync(cancellationToken),
            await enabled.Select(v => v.TenantId).Distinct().CountAsync(cancellationToken),
            latest.OrderByDescending(v => v.Since).Take(DashboardListLength * 2).ToList());
    }
}
