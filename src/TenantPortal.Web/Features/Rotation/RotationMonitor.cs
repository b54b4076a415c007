using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TenantPortal.Web.Data;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.KeyHealth;
using TenantPortal.Web.Features.Platform;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.Infrastructure.Leases;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.Rotation;

public sealed class RotationMonitorOptions
{
    public const string SectionName = "Rotation:Monitor";

    public bool Enabled { get; set; } = true;

    /// <summary>How often the monitor sweeps.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one instance holds the monitor's lease; longer than a sweep, so a crashed instance's lease lapses.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Versions handled per database round trip.</summary>
    public int BatchSize { get; set; } = 200;
}

public sealed record RotationSweepReport(bool Ran, int Reminders, int Overdue, int PreviousDisabled, int Failed)
{
    /// <summary>Versions whose grace ended but whose key another change held: left for the next sweep.</summary>
    public int Busy { get; init; }

    /// <summary>Previous versions whose grace ended while the backend still used them: their contacts told (once per version and decision).</summary>
    public int ToldInUse { get; init; }

    /// <summary>Of those, versions kept enabled because the platform setting says to wait while they are used.</summary>
    public int KeptInUse { get; init; }
}

/// <summary>
/// Sends each reminder once per version and lead time, says when a key is overdue, and disables previous versions
/// whose grace period has ended. Work is proportional to what is due: both sweeps read through an index on the moment
/// the next thing happens, so a sweep with nothing due is two index seeks whatever the number of tenants.
/// </summary>
public sealed partial class RotationMonitor(
    IDbContextFactory<PortalDbContext> contexts,
    Leases leases,
    LeaseHolder instance,
    KeyLifecycle lifecycle,
    AuditTrail audit,
    TimeProvider time,
    IOptions<RotationMonitorOptions> options,
    IOptions<KeyHealthOptions> health,
    ILogger<RotationMonitor> logger)
{
    public const string LeaseName = "rotation-monitor";

    public async Task<RotationSweepReport> SweepAsync(CancellationToken cancellationToken, string? holder = null)
    {
        holder ??= instance.Id;
        if (!await leases.TryAcquireAsync(LeaseName, holder, options.Value.LeaseDuration, cancellationToken))
        {
            return new RotationSweepReport(false, 0, 0, 0, 0);
        }

        var (reminders, overdue) = await SendDueNoticesAsync(cancellationToken);
        var (disabled, failed, busy, told, kept) = await DisableExpiredGraceAsync(cancellationToken);
        if (reminders + overdue + disabled + failed > 0)
        {
            LogSwept(logger, reminders, overdue, disabled, failed);
        }

        return new RotationSweepReport(true, reminders, overdue, disabled, failed) { Busy = busy, ToldInUse = told, KeptInUse = kept };
    }

    private async Task<(int Reminders, int Overdue)> SendDueNoticesAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        int reminders = 0, overdue = 0;
        while (true)
        {
            await using var db = contexts.CreateDbContext();
            var due = await db.ApiKeyVersions
                .Where(v => v.NextNoticeAt != null && v.NextNoticeAt <= now)
                .OrderBy(v => v.NextNoticeAt)
                .Take(options.Value.BatchSize)
                .ToListAsync(cancellationToken);
            if (due.Count == 0)
            {
                return (reminders, overdue);
            }

            var tenants = await LoadTenantsAsync(db, due.Select(v => v.TenantId), cancellationToken);
            var noticeKeys = due.Select(v => v.StoreVersionId).ToList();
            var known = (await db.RotationNotices.AsNoTracking()
                    .Where(n => noticeKeys.Contains(n.StoreVersionId))
                    .Select(n => new { n.TenantId, n.StoreVersionId, n.Kind, n.LeadDays })
                    .ToListAsync(cancellationToken))
                .Select(n => (n.TenantId, n.StoreVersionId, n.Kind, n.LeadDays))
                .ToHashSet();

            foreach (var v in due)
            {
                var tenant = tenants[v.TenantId];
                if (tenant.IsOffboarded || v.Status != ApiKeyVersionStatus.Current || v.ExpiresAt is not { } dueAt)
                {
                    v.NextNoticeAt = null;
                    continue;
                }

                var (kind, lead) = now >= dueAt
                    ? (RotationNoticeKind.Overdue, 0)
                    : (RotationNoticeKind.Reminder, RotationSchedule.DueReminder(dueAt, tenant.ReminderLeadDays, now) ?? 0);
                if (kind == RotationNoticeKind.Overdue || lead > 0)
                {
                    // Recorded once per version, kind and lead time: the unique index backs this check up.
                    if (known.Add((v.TenantId, v.StoreVersionId, kind, lead)))
                    {
                        RotationNotices.Add(db, tenant, v.StoreVersionId, kind, lead, dueAt, now);
                        if (kind == RotationNoticeKind.Overdue)
                        {
                            overdue++;
                        }
                        else
                        {
                            reminders++;
                        }
                    }
                }

                v.NextNoticeAt = now >= dueAt ? null : RotationSchedule.NextNoticeAt(dueAt, tenant.ReminderLeadDays, now);
            }

            await db.SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Disables previous versions whose grace ended. One the backend used within <see cref="KeyHealthOptions.PreviousInUseWindow"/>
    /// is not disabled silently: its contacts are told first (once per version), then it is disabled, or kept enabled
    /// while it is used when <see cref="PlatformSettings.KeepPreviousWhileInUse"/> says to wait.
    /// </summary>
    private async Task<(int Disabled, int Failed, int Busy, int Told, int Kept)> DisableExpiredGraceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var usedSince = now - health.Value.PreviousInUseWindow;
        int disabled = 0, failed = 0, busy = 0, told = 0, kept = 0;
        var skip = new HashSet<long>();
        bool? keepWhileUsed = null;
        while (true)
        {
            List<(long Id, string TenantId, string StoreVersionId, DateTimeOffset? LastUsedAt)> expired;
            await using (var db = contexts.CreateDbContext())
            {
                expired = (await (
                            from v in db.ApiKeyVersions.AsNoTracking()
                            where v.GraceEndsAt != null && v.GraceEndsAt <= now && v.DisabledInStoreAt == null && v.MissingFromStoreSince == null && !skip.Contains(v.Id)
                            orderby v.GraceEndsAt
                            join u in db.KeyUsages.AsNoTracking() on v.Id equals u.ApiKeyVersionId into usage
                            from u in usage.DefaultIfEmpty()
                            select new { v.Id, v.TenantId, v.StoreVersionId, LastUsedAt = u == null ? null : u.LastUsedAt })
                        .Take(options.Value.BatchSize)
                        .ToListAsync(cancellationToken))
                    .Select(v => (v.Id, v.TenantId, v.StoreVersionId, v.LastUsedAt))
                    .ToList();
                if (expired.Any(v => v.LastUsedAt >= usedSince))
                {
                    keepWhileUsed ??= (await PlatformSettingsService.LoadAsync(db, tracking: false, cancellationToken)).KeepPreviousWhileInUse;
                }
            }

            if (expired.Count == 0)
            {
                return (disabled, failed, busy, told, kept);
            }

            foreach (var (id, tenantId, version, lastUsedAt) in expired)
            {
                if (lastUsedAt is { } used && used >= usedSince)
                {
                    var keep = keepWhileUsed == true;
                    var tell = await TellStillUsedAsync(tenantId, version, used, keep, now, cancellationToken);
                    told += tell == Telling.Told ? 1 : 0;
                    if (tell == Telling.Failed)
                    {
                        skip.Add(id); // never disabled before they are told: the next sweep tries again
                        continue;
                    }

                    if (keep)
                    {
                        skip.Add(id);
                        kept++;
                        continue;
                    }
                }

                // The key lifecycle re-reads the version under the tenant's key lock; a tenant whose key is being changed
                // right now, or a store that did not confirm, is left for the next sweep.
                var result = await lifecycle.EndGraceAsync(tenantId, version, cancellationToken);
                if (result.Outcome == KeyChangeOutcome.Done)
                {
                    disabled++;
                    continue;
                }

                skip.Add(id);
                busy += result.Outcome == KeyChangeOutcome.Busy ? 1 : 0;
                if (result.Outcome == KeyChangeOutcome.Failed)
                {
                    LogDisableFailed(logger, SecretName.ForTenant(tenantId).Value, version, result.Message);
                    failed++;
                }
            }
        }
    }

    /// <summary>
    /// Records (once per version and decision: the unique notice index backs this up across instances) that the previous
    /// version was still used when its grace ended: a notice to the contacts and an audit row, committed before the
    /// version is disabled, so they hear it from the portal first.
    /// </summary>
    private async Task<Telling> TellStillUsedAsync(string tenantId, string version, DateTimeOffset lastUsedAt, bool keep, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var kind = keep ? RotationNoticeKind.PreviousKeptWhileUsed : RotationNoticeKind.PreviousStillUsed;
        await using var db = contexts.CreateDbContext();
        if (await db.RotationNotices.AnyAsync(n => n.TenantId == tenantId && n.StoreVersionId == version && n.Kind == kind, cancellationToken))
        {
            return Telling.ToldBefore;
        }

        var tenant = await db.Tenants.AsNoTracking().Include(t => t.Contacts).FirstOrDefaultAsync(t => t.Id == tenantId, cancellationToken);
        if (tenant is null)
        {
            return Telling.ToldBefore;
        }

        RotationNotices.Add(db, tenant, version, kind, 0, lastUsedAt, now);
        var window = (int)health.Value.PreviousInUseWindow.TotalMinutes;
        await AuditTrail.ChainAsync(db, audit.Create(PortalActor.System, KeyHealthAuditActions.PreviousStillUsed, AuditOutcome.Succeeded, tenantId,
            secretName: SecretName.ForTenant(tenantId).Value, keyVersion: version,
            reason: $"Grace period ended while the backend still used the version (last use {lastUsedAt:O}, within {window} minutes); contacts told; " +
                (keep ? "kept enabled while it is used (platform setting: wait while the previous version is used)" : "disabling it now")), cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return Telling.Told;
        }
        catch (DbUpdateException)
        {
            // Another instance told them first (the notice's unique index), or took the chain's next link: the next sweep decides again.
            return Telling.Failed;
        }
    }

    private enum Telling
    {
        Told,
        ToldBefore,
        Failed,
    }

    private static async Task<Dictionary<string, Tenant>> LoadTenantsAsync(PortalDbContext db, IEnumerable<string> ids, CancellationToken cancellationToken)
    {
        var wanted = ids.Distinct(StringComparer.Ordinal).ToList();
        return await db.Tenants.AsNoTracking().Include(t => t.Contacts)
            .Where(t => wanted.Contains(t.Id))
            .ToDictionaryAsync(t => t.Id, StringComparer.Ordinal, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rotation monitor: {Reminders} reminder(s), {Overdue} overdue notice(s), {Disabled} previous version(s) disabled, {Failed} failed")]
    private static partial void LogSwept(ILogger logger, int reminders, int overdue, int disabled, int failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rotation monitor could not disable {SecretName} version {Version} ({Problem}); it will try again")]
    private static partial void LogDisableFailed(ILogger logger, string secretName, string version, string problem);
}
