using Microsoft.EntityFrameworkCore;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.Infrastructure.Leases;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.Rotation;

/// <summary>A key's whole life on a fake clock: reminders at each lead time, overdue, rotation, grace, the old version disabled.</summary>
public sealed class RotationLifecycleTests : IAsyncLifetime
{
    private PortalServices _portal = null!;

    private ApiKeyService Keys => _portal.Get<ApiKeyService>();

    private RotationMonitor Monitor => _portal.Get<RotationMonitor>();

    public async Task InitializeAsync() => _portal = await PortalServices.StartAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private Task<KeyChangeResult> SubmitAsync(string key) => Keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(key), default);

    private async Task<List<RotationNotice>> NoticesAsync()
    {
        await using var db = _portal.CreateDbContext();
        return await db.RotationNotices.OrderBy(n => n.Id).ToListAsync();
    }

    private async Task<RotationStatus> StatusAsync() => (await Keys.GetOverviewAsync(TestPersonas.ContosoAdmin, "contoso", default))!.Status;

    [Fact]
    public async Task FullLife_RemindsAtEachLeadTimeOnce_ThenOverdue_ThenRotationDisablesTheOldVersionAfterGrace()
    {
        var first = await SubmitAsync("sk_live_lifecycle_first_00001");
        Assert.Equal(PortalServices.Start.AddDays(90), first.Version!.ExpiresAt);
        Assert.Equal(RotationStatus.Ok, await StatusAsync());

        // Nothing is due for the first 60 days: sweeps do nothing, however often they run.
        _portal.Time.Advance(TimeSpan.FromDays(59));
        Assert.Equal(new RotationSweepReport(true, 0, 0, 0, 0), await Monitor.SweepAsync(default));

        // Each lead time (30, 14, 7, 1 days before) gives exactly one reminder, whatever the number of sweeps.
        foreach (var (day, lead) in new[] { (60, 30), (76, 14), (83, 7), (89, 1) })
        {
            _portal.Time.SetUtcNow(PortalServices.Start.AddDays(day).AddHours(1));
            Assert.Equal(1, (await Monitor.SweepAsync(default)).Reminders);
            Assert.Equal(0, (await Monitor.SweepAsync(default)).Reminders);
            Assert.Equal(lead, (await NoticesAsync())[^1].LeadDays);
            Assert.Equal(RotationStatus.DueSoon, await StatusAsync());
        }

        _portal.Time.SetUtcNow(PortalServices.Start.AddDays(90).AddMinutes(1));
        Assert.Equal(1, (await Monitor.SweepAsync(default)).Overdue);
        Assert.Equal(0, (await Monitor.SweepAsync(default)).Overdue);
        Assert.Equal(RotationStatus.Overdue, await StatusAsync());
        Assert.Equal(
            [(RotationNoticeKind.Reminder, 30), (RotationNoticeKind.Reminder, 14), (RotationNoticeKind.Reminder, 7), (RotationNoticeKind.Reminder, 1), (RotationNoticeKind.Overdue, 0)],
            (await NoticesAsync()).Select(n => (n.Kind, n.LeadDays)));

        // Rotate: the new version is current; the old one stays enabled for the 7-day grace period, then is disabled.
        var second = await SubmitAsync("sk_live_lifecycle_second_0002");
        Assert.Equal(RotationStatus.Ok, await StatusAsync());
        _portal.Time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1));
        await Monitor.SweepAsync(default);
        Assert.True((await _portal.StoredVersionsAsync("contoso")).Single(v => v.Version == first.Version.Version).Enabled);

        _portal.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, (await Monitor.SweepAsync(default)).PreviousDisabled);
        var stored = await _portal.StoredVersionsAsync("contoso");
        Assert.False(stored.Single(v => v.Version == first.Version.Version).Enabled);
        Assert.True(stored.Single(v => v.Version == second.Version!.Version).Enabled);
        await using var db = _portal.CreateDbContext();
        Assert.Equal(ApiKeyVersionStatus.Superseded, (await db.ApiKeyVersions.SingleAsync(v => v.StoreVersionId == first.Version.Version)).Status);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == AuditActions.ApiKeyPreviousDisabled && e.KeyVersion == first.Version.Version));
    }

    [Fact]
    public async Task Sweep_AfterDowntime_SendsOnlyTheLatestDueReminder_AndANewMonitorDoesNotRepeatIt()
    {
        await SubmitAsync("sk_live_downtime_key_000000001");

        // Down from day 50 to day 84: the 30- and 14-day reminders were missed; only the 7-day one is still useful.
        _portal.Time.SetUtcNow(PortalServices.Start.AddDays(84));
        Assert.Equal(1, (await Monitor.SweepAsync(default)).Reminders);
        Assert.Equal(7, Assert.Single(await NoticesAsync()).LeadDays);

        // A restart: a fresh monitor in a fresh scope, same database.
        await using var restarted = await _portal.NewScopeAsync();
        Assert.Equal(0, (await restarted.Get<RotationMonitor>().SweepAsync(default)).Reminders);
    }

    [Fact]
    public async Task Notices_AreQueuedForEveryContactInTheirLanguage_InTheSameUnitOfWork()
    {
        var contacts = await _portal.Get<TenantService>().UpdateContactsAsync(TestPersonas.ContosoAdmin, "contoso",
            [new("ops@contoso.example", "en"), new("keiko@contoso.example", "ja")], default);
        Assert.True(contacts.Succeeded, contacts.Message);
        await SubmitAsync("sk_live_notify_contacts_00001");

        _portal.Time.SetUtcNow(PortalServices.Start.AddDays(60).AddHours(1));
        await Monitor.SweepAsync(default);
        await Keys.RevokeAsync(TestPersonas.ContosoAdmin, "contoso", "Leaked", confirmed: true, default);

        await using var db = _portal.CreateDbContext();
        var deliveries = await db.NotificationDeliveries.OrderBy(d => d.Id).ToListAsync();
        var notices = await db.RotationNotices.OrderBy(n => n.Id).ToListAsync();
        Assert.Equal([RotationNoticeKind.Reminder, RotationNoticeKind.Revoked], notices.Select(n => n.Kind));
        Assert.Equal(4, deliveries.Count);
        Assert.All(notices, n => Assert.Equal(
            ["keiko@contoso.example/ja", "ops@contoso.example/en"],
            deliveries.Where(d => d.NoticeId == n.Id).Select(d => $"{d.Target}/{d.Language}").Order()));
    }

    [Fact]
    public async Task Lease_OneInstanceAtATime_UntilTheLeaseLapses()
    {
        var leases = _portal.Get<Leases>();
        Assert.True(await leases.TryAcquireAsync("job", "instance-a", TimeSpan.FromMinutes(10), default));
        Assert.False(await leases.TryAcquireAsync("job", "instance-b", TimeSpan.FromMinutes(10), default));
        Assert.True(await leases.TryAcquireAsync("job", "instance-a", TimeSpan.FromMinutes(10), default));

        Assert.True((await Monitor.SweepAsync(default, holder: "instance-a")).Ran);
        Assert.False((await Monitor.SweepAsync(default, holder: "instance-b")).Ran);

        _portal.Time.Advance(TimeSpan.FromMinutes(11));
        Assert.True(await leases.TryAcquireAsync("job", "instance-b", TimeSpan.FromMinutes(10), default));
        Assert.True((await Monitor.SweepAsync(default, holder: "instance-b")).Ran);
        Assert.False((await Monitor.SweepAsync(default, holder: "instance-a")).Ran);
    }

    [Fact]
    public async Task RestorePrevious_DuringGrace_DisablesTheNewVersionAndMakesThePreviousCurrent()
    {
        var first = await SubmitAsync("sk_live_restore_first_000001");
        _portal.Time.Advance(TimeSpan.FromDays(10));
        var second = await SubmitAsync("sk_live_restore_second_00002");

        var overview = await Keys.GetOverviewAsync(TestPersonas.ContosoAdmin, "contoso", default);
        Assert.Equal(first.Version!.Version, overview!.PreviousInGrace!.Version);

        Assert.Equal(KeyChangeOutcome.NotFound, (await Keys.RestorePreviousAsync(TestPersonas.FabrikamAdmin, "contoso", default)).Outcome);
        Assert.Equal(KeyChangeOutcome.NotFound, (await Keys.RestorePreviousAsync(TestPersonas.SupportReader, "contoso", default)).Outcome);
        var result = await Keys.RestorePreviousAsync(TestPersonas.ContosoAdmin, "contoso", default);

        Assert.True(result.Succeeded, result.Message);
        var stored = await _portal.StoredVersionsAsync("contoso");
        Assert.True(stored.Single(v => v.Version == first.Version.Version).Enabled);
        Assert.False(stored.Single(v => v.Version == second.Version!.Version).Enabled);
        overview = await Keys.GetOverviewAsync(TestPersonas.ContosoAdmin, "contoso", default);
        Assert.Equal(first.Version.Version, overview!.Current!.Version);
        Assert.Null(overview.PreviousInGrace);
        // The restored version keeps its own due date (90 days after it was first set), and its reminders resume.
        Assert.Equal(PortalServices.Start.AddDays(90), overview.Current.ExpiresAt);

        // The monitor must never disable the restored version when the old grace moment passes.
        _portal.Time.Advance(TimeSpan.FromDays(8));
        Assert.Equal(0, (await Monitor.SweepAsync(default)).PreviousDisabled);
        Assert.True((await _portal.StoredVersionsAsync("contoso")).Single(v => v.Version == first.Version.Version).Enabled);
    }

    [Fact]
    public async Task RestorePrevious_AfterGrace_IsRefusedAndChangesNothing()
    {
        await SubmitAsync("sk_live_restore_late_first_01");
        var second = await SubmitAsync("sk_live_restore_late_second2");
        _portal.Time.Advance(TimeSpan.FromDays(8));

        var result = await Keys.RestorePreviousAsync(TestPersonas.ContosoAdmin, "contoso", default);

        Assert.Equal(KeyChangeOutcome.Conflict, result.Outcome);
        Assert.Contains("grace period", result.Message, StringComparison.Ordinal);
        Assert.Equal(second.Version!.Version, (await Keys.GetOverviewAsync(TestPersonas.ContosoAdmin, "contoso", default))!.Current!.Version);
    }

    [Fact]
    public async Task Revoke_DisablesEveryEnabledVersionAtOnce_LeavesTheTenantRevokedUntilANewKey()
    {
        await SubmitAsync("sk_live_revoke_first_0000001");
        await SubmitAsync("sk_live_revoke_second_000002");

        var unconfirmed = await Keys.RevokeAsync(TestPersonas.ContosoAdmin, "contoso", "Leaked in a log", confirmed: false, default);
        Assert.Equal(KeyChangeOutcome.Invalid, unconfirmed.Outcome);
        Assert.Equal("Confirm that the SaaS should stop using this tenant's key once its cached copy expires.", unconfirmed.Message);
        var noReason = await Keys.RevokeAsync(TestPersonas.ContosoAdmin, "contoso", "  ", confirmed: true, default);
        Assert.Contains("reason", noReason.Message, StringComparison.Ordinal);
        Assert.All(await _portal.StoredVersionsAsync("contoso"), v => Assert.True(v.Enabled));
        Assert.Equal(KeyChangeOutcome.NotFound, (await Keys.RevokeAsync(TestPersonas.FabrikamAdmin, "contoso", "attack", true, default)).Outcome);

        var result = await Keys.RevokeAsync(TestPersonas.ContosoAdmin, "contoso", "Leaked in a log", confirmed: true, default);

        Assert.True(result.Succeeded, result.Message);
        // What is true of the backend: it stops when its cached copy expires, not at once.
        Assert.Equal(
            "The key is revoked: 2 version(s) disabled in the vault. The SaaS backend stops using it when its cached copy expires: " +
            "within its CacheTtl (5 minutes by default), or up to its MaxStaleness (1 hour by default) while it cannot reach the vault; " +
            "sooner after ITenantApiKeyProvider.Invalidate(\"contoso\") in each backend instance. " +
            "Then the SaaS cannot call the provider for this tenant until a new key is submitted.",
            result.Message);
        Assert.All(await _portal.StoredVersionsAsync("contoso"), v => Assert.False(v.Enabled));
        Assert.Equal(RotationStatus.Revoked, await StatusAsync());
        var notice = Assert.Single(await NoticesAsync());
        Assert.Equal(RotationNoticeKind.Revoked, notice.Kind);
        await using (var db = _portal.CreateDbContext())
        {
            var revoke = await db.AuditEvents.SingleAsync(e => e.Action == AuditActions.ApiKeyRevoke && e.Outcome == AuditOutcome.Succeeded);
            Assert.Equal("Leaked in a log", revoke.Reason);
        }

        await SubmitAsync("sk_live_revoke_third_0000003");
        Assert.Equal(RotationStatus.Ok, await StatusAsync());
    }

    [Fact]
    public async Task Revoke_ReasonOfTheFullStatedLength_IsAuditedWhole_AndOneCharacterMoreIsRefused()
    {
        await SubmitAsync("sk_live_revoke_long_reason_01");
        var reason = "Exposed in ticket 4711.\n" + new string('x', ApiKeyService.RevokeReasonMaxLength - 24);
        Assert.Equal(500, reason.Length);

        var tooLong = await Keys.RevokeAsync(TestPersonas.ContosoAdmin, "contoso", reason + "y", confirmed: true, default);
        Assert.Equal(KeyChangeOutcome.Invalid, tooLong.Outcome);
        Assert.Equal("The reason can have at most 500 characters (501 given).", tooLong.Message);
        Assert.All(await _portal.StoredVersionsAsync("contoso"), v => Assert.True(v.Enabled));

        var result = await Keys.RevokeAsync(TestPersonas.ContosoAdmin, "contoso", reason, confirmed: true, default);

        Assert.True(result.Succeeded, result.Message);
        await using var db = _portal.CreateDbContext();
        var audited = await db.AuditEvents.Where(e => e.Action == AuditActions.ApiKeyRevoke).Select(e => e.Reason).ToListAsync();
        Assert.Equal([reason, reason], audited); // requested and succeeded, the admin's words intact
        Assert.Equal(reason, (await db.ApiKeyVersions.SingleAsync(v => v.TenantId == "contoso")).RevokeReason);
    }

    [Theory]
    [InlineData("Leaked\u0007 in a log", "The reason contains a control character (U+0007): remove it.")]
    [InlineData("Leaked\tin a log", "The reason contains a control character (U+0009): remove it.")]
    [InlineData("Leaked in a \u202Egol", "The reason contains an invisible character that changes the direction of text (U+202E), which can make it read differently than it is stored: remove it.")]
    [InlineData("Leaked \u2066in\u2069 a log", "The reason contains an invisible character that changes the direction of text (U+2066), which can make it read differently than it is stored: remove it.")]
    [InlineData("\u200FLeaked in a log", "The reason contains an invisible character that changes the direction of text (U+200F), which can make it read differently than it is stored: remove it.")]
    public async Task Revoke_ReasonWithAControlCharacterOrDirectionMark_IsRefusedAndNothingIsRevoked(string reason, string expected)
    {
        await SubmitAsync("sk_live_revoke_bad_reason_001");

        var result = await Keys.RevokeAsync(TestPersonas.ContosoAdmin, "contoso", reason, confirmed: true, default);

        Assert.Equal(KeyChangeOutcome.Invalid, result.Outcome);
        Assert.Equal(expected, result.Message);
        Assert.All(await _portal.StoredVersionsAsync("contoso"), v => Assert.True(v.Enabled));
        await using var db = _portal.CreateDbContext();
        Assert.False(await db.AuditEvents.AnyAsync(e => e.Action == AuditActions.ApiKeyRevoke));
    }

    [Fact]
    public async Task Revoke_CurrentVersionGoneFromTheStore_StillEndsRevokedWithNoCurrent()
    {
        await SubmitAsync("sk_live_revoke_gone_00000001");
        // The vault lost the secret (an operator deleted it): nothing is served, and revoking must still say so.
        File.Delete(Path.Combine(_portal.SecretsDirectory, "tenant-contoso-api-key.json"));

        var result = await Keys.RevokeAsync(TestPersonas.ContosoAdmin, "contoso", "Leaked in a log", confirmed: true, default);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(RotationStatus.Revoked, await StatusAsync());
        var overview = await Keys.GetOverviewAsync(TestPersonas.ContosoAdmin, "contoso", default);
        Assert.Null(overview!.Current);
        var row = Assert.Single(overview.History);
        Assert.Equal(ApiKeyVersionStatus.Revoked, row.Status);
        Assert.True(row.MissingFromStore);
    }

    [Fact]
    public async Task TenantPolicy_SetsTheNextVersionsDueDateRemindersAndGrace()
    {
        var policy = await _portal.Get<TenantService>().UpdatePolicyAsync(TestPersonas.ContosoAdmin, "contoso", new RotationPolicy(30, [10, 2], 0), default);
        Assert.True(policy.Succeeded, policy.Message);

        var first = await SubmitAsync("sk_live_policy_first_0000001");
        Assert.Equal(PortalServices.Start.AddDays(30), first.Version!.ExpiresAt);
        _portal.Time.Advance(TimeSpan.FromDays(20));
        Assert.Equal(RotationStatus.DueSoon, await StatusAsync());
        Assert.Equal(1, (await Monitor.SweepAsync(default)).Reminders);
        Assert.Equal(10, (await NoticesAsync())[^1].LeadDays);

        // No grace: the previous version is disabled at the next sweep.
        await SubmitAsync("sk_live_policy_second_000002");
        Assert.Equal(1, (await Monitor.SweepAsync(default)).PreviousDisabled);
        Assert.Single(await _portal.StoredVersionsAsync("contoso"), v => v.Enabled);
    }
}
