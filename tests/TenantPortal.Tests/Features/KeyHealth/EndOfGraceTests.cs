using Microsoft.EntityFrameworkCore;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.KeyHealth;
using TenantPortal.Web.Features.Platform;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Infrastructure.Audit;
using static TenantPortal.Tests.Features.KeyHealth.KeyHealthTestData;

namespace TenantPortal.Tests.Features.KeyHealth;

/// <summary>
/// The end of a grace period when the backend still uses the previous version (KeyHealth:PreviousInUseWindow, 60
/// minutes): the contacts are told, then it is disabled — or kept while it is used when the platform setting says to
/// wait. All on a fake clock, the rotation monitor's sweep called directly.
/// </summary>
public sealed class EndOfGraceTests : IAsyncLifetime
{
    private PortalServices _portal = null!;

    public async Task InitializeAsync() => _portal = await PortalServices.StartAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private Task<RotationSweepReport> SweepAsync() => _portal.Get<RotationMonitor>().SweepAsync(default);

    /// <summary>Two keys, the first in its 7-day grace; the clock just past the grace's end, the first used <paramref name="lastUsedBeforeEnd"/> before it.</summary>
    private async Task<(string Previous, string Current)> RotatedAndUsedAsync(TimeSpan lastUsedBeforeEnd)
    {
        await AddContactsAsync(_portal);
        var previous = await SubmitAsync(_portal, "sk_live_grace_previous_0000001");
        var current = await SubmitAsync(_portal, "sk_live_grace_current_00000001");
        var graceEnds = _portal.Time.GetUtcNow().AddDays(7);
        _portal.Time.Advance(graceEnds - lastUsedBeforeEnd - _portal.Time.GetUtcNow());
        await ReportAsync(_portal, Used(previous, 40, _portal.Time.GetUtcNow()));
        _portal.Time.Advance(lastUsedBeforeEnd + TimeSpan.FromSeconds(1));
        return (previous, current);
    }

    private async Task<List<RotationNoticeKind>> NoticesAsync(string version)
    {
        await using var db = _portal.CreateDbContext();
        return await db.RotationNotices.AsNoTracking().Where(n => n.StoreVersionId == version).OrderBy(n => n.Id).Select(n => n.Kind).ToListAsync();
    }

    private async Task<bool> EnabledInStoreAsync(string version) =>
        (await _portal.StoredVersionsAsync("contoso")).Single(v => v.Version == version).Enabled;

    private async Task SetKeepWhileUsedAsync(bool keep)
    {
        var service = _portal.Get<PlatformSettingsService>();
        var s = await service.GetAsync(default);
        var saved = await service.UpdateAsync(TestPersonas.PlatformAdmin,
            new PlatformSettingsInput(s.DefaultRotationIntervalDays, s.MaxRotationIntervalDays, s.ReminderLeadDays, s.GracePeriodDays, s.ProbeAllowedHosts, keep), default);
        Assert.True(saved.Succeeded, saved.Problem);
    }

    [Fact]
    public async Task Sweep_PreviousUsedWithinTheWindow_TellsTheContactsThenDisablesIt()
    {
        var (previous, _) = await RotatedAndUsedAsync(TimeSpan.FromMinutes(12));

        var report = await SweepAsync();

        Assert.Equal((1, 1, 0), (report.ToldInUse, report.PreviousDisabled, report.KeptInUse));
        Assert.Equal([RotationNoticeKind.PreviousStillUsed, RotationNoticeKind.PreviousDisabled], await NoticesAsync(previous));
        Assert.False(await EnabledInStoreAsync(previous));
        await using var db = _portal.CreateDbContext();
        var audit = await db.AuditEvents.AsNoTracking().Where(e => e.ChainId == "contoso" && e.KeyVersion == previous).OrderBy(e => e.Sequence)
            .Select(e => new { e.Action, e.Outcome, e.Reason }).ToListAsync();
        var told = audit.FindIndex(e => e.Action == KeyHealthAuditActions.PreviousStillUsed);
        var disabled = audit.FindIndex(e => e.Action == AuditActions.ApiKeyPreviousDisabled && e.Outcome == AuditOutcome.Succeeded);
        Assert.True(told >= 0 && disabled > told, string.Join(", ", audit.Select(e => e.Action)));
        Assert.EndsWith("within 60 minutes); contacts told; disabling it now", audit[told].Reason, StringComparison.Ordinal);
        var notice = await db.RotationNotices.AsNoTracking().SingleAsync(n => n.Kind == RotationNoticeKind.PreviousStillUsed);
        Assert.Equal(2, await db.NotificationDeliveries.CountAsync(d => d.NoticeId == notice.Id));
    }

    [Fact]
    public async Task Sweep_PreviousUsedWithinTheWindow_PlatformSaysWait_KeptAndToldOnce_DisabledOnceUnusedForTheWindow()
    {
        var (previous, _) = await RotatedAndUsedAsync(TimeSpan.FromMinutes(12));
        await SetKeepWhileUsedAsync(true);

        var first = await SweepAsync();
        var second = await SweepAsync();
        var keptAfterTwo = await EnabledInStoreAsync(previous);
        var noticesWhileKept = await NoticesAsync(previous);
        _portal.Time.Advance(TimeSpan.FromMinutes(60 - 12)); // the last use is now just over an hour old
        var third = await SweepAsync();

        Assert.Equal((1, 1, 0), (first.ToldInUse, first.KeptInUse, first.PreviousDisabled));
        Assert.Equal((0, 1, 0), (second.ToldInUse, second.KeptInUse, second.PreviousDisabled));
        Assert.True(keptAfterTwo);
        Assert.Equal([RotationNoticeKind.PreviousKeptWhileUsed], noticesWhileKept);
        Assert.Equal((0, 0, 1), (third.ToldInUse, third.KeptInUse, third.PreviousDisabled));
        Assert.False(await EnabledInStoreAsync(previous));
        Assert.Equal([RotationNoticeKind.PreviousKeptWhileUsed, RotationNoticeKind.PreviousDisabled], await NoticesAsync(previous));
        await using var db = _portal.CreateDbContext();
        var setting = await db.AuditEvents.AsNoTracking().SingleAsync(e => e.Action == AuditActions.PlatformSettingsUpdate);
        Assert.Contains("Keep a previous version while the backend uses it", setting.Changes, StringComparison.Ordinal);
        Assert.EndsWith("kept enabled while it is used (platform setting: wait while the previous version is used)",
            (await db.AuditEvents.AsNoTracking().SingleAsync(e => e.Action == KeyHealthAuditActions.PreviousStillUsed)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sweep_PreviousLastUsedBeforeTheWindow_DisabledWithoutTheExtraNotice_AndAUseAfterwardsIsListedForSupport()
    {
        var (previous, _) = await RotatedAndUsedAsync(TimeSpan.FromMinutes(61));
        await SetKeepWhileUsedAsync(true);

        var report = await SweepAsync();
        _portal.Time.Advance(TimeSpan.FromMinutes(2));
        await ReportAsync(_portal, Used(previous, 1, _portal.Time.GetUtcNow())); // a cached copy, after it was disabled
        var list = await _portal.Get<KeyHealthSupportService>().GetPageAsync(TestPersonas.SupportReader, KeyHealthProblem.PreviousUsedAfterGrace, null, 10, default);

        Assert.Equal((0, 1), (report.ToldInUse, report.PreviousDisabled));
        Assert.Equal([RotationNoticeKind.PreviousDisabled], await NoticesAsync(previous));
        var row = Assert.Single(list!.Rows);
        Assert.Equal(("contoso", previous, ApiKeyVersionStatus.Superseded), (row.TenantId, row.Version, row.Status));
    }
}
