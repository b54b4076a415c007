using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TenantPortal.KeyReader;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.ApiKeys;

/// <summary>
/// Two changes to one tenant's key at once, played in a fixed order: the first is held at a store call by a gate, the
/// second is started and seen waiting for the key lock, then the gate is released. After each race the metadata's
/// Current must be exactly what the backend's KeyReader serves, every version's enabled state must match the store,
/// and every attempt must be audited with its outcome.
/// </summary>
public sealed class KeyLifecycleRaceTests : IAsyncLifetime
{
    private const string Tenant = "contoso";
    private const string Key1 = "sk_live_race_first_key_0001";
    private const string Key2 = "sk_live_race_second_key_0002";
    private const string Key3 = "sk_live_race_third_key_00003";
    private static readonly TimeSpan Never = TimeSpan.FromSeconds(60);

    private PortalServices _portal = null!;
    private PortalServices.ScopedServices _other = null!;

    private BlockingSecretStore Store => _portal.Get<BlockingSecretStore>();

    private ApiKeyService Mine => _portal.Get<ApiKeyService>();

    /// <summary>A second browser session of the same tenant admin (or an automation client): its own scope.</summary>
    private ApiKeyService Theirs => _other.Get<ApiKeyService>();

    public async Task InitializeAsync()
    {
        _portal = await PortalServices.StartAsync(BlockingSecretStore.Install);
        _other = await _portal.NewScopeAsync();
    }

    public async Task DisposeAsync()
    {
        await _other.DisposeAsync();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task Revoke_WithSubmitArrivingAfterItsList_RevokesEverythingFirst_ThenTheSubmitIsTheNewCurrent()
    {
        await SubmitAsync(Mine, Key1);
        var listed = Store.BlockNext(StorePoint.AfterList);
        var revoke = Task.Run(() => Mine.RevokeAsync(TestPersonas.ContosoAdmin, Tenant, "Leaked in a log", confirmed: true, default));
        await listed.Reached.WaitAsync(Never);

        var waiting = WaitingForLock();
        var set = Store.BlockNext(StorePoint.BeforeSet);
        var submit = Task.Run(() => Theirs.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, Tenant, new SecretValue(Key2), default));
        await waiting.WaitAsync(Never);
        Assert.Single(await _portal.StoredVersionsAsync(Tenant));
        listed.Release();

        var revoked = await revoke;
        await set.Reached.WaitAsync(Never);
        Assert.Equal(KeyChangeOutcome.Done, revoked.Outcome);
        Assert.DoesNotContain(await _portal.StoredVersionsAsync(Tenant), v => v.Enabled);
        Assert.Equal(RotationStatus.Revoked, (await Mine.GetOverviewAsync(TestPersonas.ContosoAdmin, Tenant, default))!.Status);
        await AssertAgreesWithBackendAsync(expectedCurrent: null);

        set.Release();
        var submitted = await submit;
        Assert.Equal(KeyChangeOutcome.Done, submitted.Outcome);
        await AssertAgreesWithBackendAsync(submitted.Version!.Version);
        await AssertAuditedAsync(
            (AuditActions.ApiKeySubmit, AuditOutcome.Requested, 2), (AuditActions.ApiKeySubmit, AuditOutcome.Succeeded, 2),
            (AuditActions.ApiKeyRevoke, AuditOutcome.Requested, 1), (AuditActions.ApiKeyRevoke, AuditOutcome.Succeeded, 1));
    }

    [Fact]
    public async Task Submit_WhoseDirectoryIsRemovedFromTheTenantWhileItWaitsForTheLock_IsNotFound_AndStoresNothing()
    {
        var first = await SubmitAsync(Mine, Key1);
        var set = Store.BlockNext(StorePoint.BeforeSet);
        var listed = Store.BlockNext(StorePoint.AfterList);
        var revoke = Task.Run(() => Mine.RevokeAsync(TestPersonas.ContosoAdmin, Tenant, "Leaked in a log", confirmed: true, default));
        await listed.Reached.WaitAsync(Never);

        var waiting = WaitingForLock();
        var submit = Task.Run(() => Theirs.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, Tenant, new SecretValue(Key2), default));
        await waiting.WaitAsync(Never);
        var directory = TenantPortal.Web.Auth.PortalActor.From(TestPersonas.ContosoAdmin)!.EntraTenantId;
        await using (var db = _portal.CreateDbContext())
        {
            Assert.Equal(1, await db.TenantDirectories.Where(d => d.TenantId == Tenant && d.EntraTenantId == directory).ExecuteDeleteAsync());
        }

        listed.Release();
        Assert.Equal(KeyChangeOutcome.Done, (await revoke.WaitAsync(Never)).Outcome);
        var submitted = await submit.WaitAsync(Never);

        Assert.Equal(KeyChangeOutcome.NotFound, submitted.Outcome);
        Assert.False(set.Reached.IsCompleted);
        Assert.Equal([first], (await _portal.StoredVersionsAsync(Tenant)).Select(v => v.Version));
        await AssertAgreesWithBackendAsync(expectedCurrent: null);
    }

    [Fact]
    public async Task Submit_WithRevokeArrivingBeforeItsWrite_TheRevokeAlsoDisablesTheNewVersion()
    {
        var first = await SubmitAsync(Mine, Key1);
        var set = Store.BlockNext(StorePoint.BeforeSet);
        var submit = Task.Run(() => Theirs.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, Tenant, new SecretValue(Key2), default));
        await set.Reached.WaitAsync(Never);

        var waiting = WaitingForLock();
        var revoke = Task.Run(() => Mine.RevokeAsync(TestPersonas.ContosoAdmin, Tenant, "Leaked in a log", confirmed: true, default));
        await waiting.WaitAsync(Never);
        set.Release();

        var submitted = await submit;
        var revoked = await revoke;
        Assert.Equal(KeyChangeOutcome.Done, submitted.Outcome);
        Assert.Equal(KeyChangeOutcome.Done, revoked.Outcome);
        Assert.Contains("2 version(s) disabled", revoked.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await _portal.StoredVersionsAsync(Tenant)).Count);
        Assert.DoesNotContain(await _portal.StoredVersionsAsync(Tenant), v => v.Enabled);
        await AssertAgreesWithBackendAsync(expectedCurrent: null);
        var rows = await RowsAsync();
        Assert.Equal(ApiKeyVersionStatus.Revoked, rows[submitted.Version!.Version].Status);
        Assert.Equal(ApiKeyVersionStatus.Disabled, rows[first].Status);
        await AssertAuditedAsync(
            (AuditActions.ApiKeySubmit, AuditOutcome.Succeeded, 1), (AuditActions.ApiKeyRotate, AuditOutcome.Requested, 1),
            (AuditActions.ApiKeyRotate, AuditOutcome.Succeeded, 1), (AuditActions.ApiKeyRevoke, AuditOutcome.Succeeded, 1));
    }

    [Fact]
    public async Task Submit_WhileAnotherSubmitWaits_TheLaterIsCurrentAndIsWhatTheBackendServes()
    {
        var set = Store.BlockNext(StorePoint.BeforeSet);
        var earlier = Task.Run(() => Mine.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, Tenant, new SecretValue(Key1), default));
        await set.Reached.WaitAsync(Never);

        var waiting = WaitingForLock();
        var later = Task.Run(() => Theirs.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, Tenant, new SecretValue(Key2), default));
        await waiting.WaitAsync(Never);
        set.Release();

        var first = await earlier;
        var second = await later;
        Assert.Equal(KeyChangeOutcome.Done, first.Outcome);
        Assert.Equal(KeyChangeOutcome.Done, second.Outcome);
        await AssertAgreesWithBackendAsync(second.Version!.Version);
        Assert.Equal(ApiKeyVersionStatus.Previous, (await RowsAsync())[first.Version!.Version].Status);
        await AssertAuditedAsync(
            (AuditActions.ApiKeySubmit, AuditOutcome.Requested, 1), (AuditActions.ApiKeySubmit, AuditOutcome.Succeeded, 1),
            (AuditActions.ApiKeyRotate, AuditOutcome.Requested, 1), (AuditActions.ApiKeyRotate, AuditOutcome.Succeeded, 1));
    }

    [Fact]
    public async Task Restore_WithSubmitWaiting_RestoresThenTheSubmitReplacesTheRestoredVersion()
    {
        var v1 = await SubmitAsync(Mine, Key1);
        _portal.Time.Advance(TimeSpan.FromDays(1));
        var v2 = await SubmitAsync(Mine, Key2);
        var update = Store.BlockNext(StorePoint.BeforeUpdate);
        var restore = Task.Run(() => Mine.RestorePreviousAsync(TestPersonas.ContosoAdmin, Tenant, default));
        await update.Reached.WaitAsync(Never);

        var waiting = WaitingForLock();
        var submit = Task.Run(() => Theirs.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, Tenant, new SecretValue(Key3), default));
        await waiting.WaitAsync(Never);
        update.Release();

        var restored = await restore;
        var submitted = await submit;
        Assert.Equal(KeyChangeOutcome.Done, restored.Outcome);
        Assert.Equal(KeyChangeOutcome.Done, submitted.Outcome);
        await AssertAgreesWithBackendAsync(submitted.Version!.Version);
        var rows = await RowsAsync();
        Assert.Equal(ApiKeyVersionStatus.Previous, rows[v1].Status);
        Assert.Equal(ApiKeyVersionStatus.Disabled, rows[v2].Status);
        await AssertAuditedAsync(
            (AuditActions.ApiKeyRestore, AuditOutcome.Requested, 1), (AuditActions.ApiKeyRestore, AuditOutcome.Succeeded, 1),
            (AuditActions.ApiKeyRotate, AuditOutcome.Requested, 2), (AuditActions.ApiKeyRotate, AuditOutcome.Succeeded, 2));
    }

    [Fact]
    public async Task Submit_WithRestoreWaiting_TheRestoreBringsBackTheVersionJustReplaced()
    {
        var v1 = await SubmitAsync(Mine, Key1);
        _portal.Time.Advance(TimeSpan.FromDays(1));
        var v2 = await SubmitAsync(Mine, Key2);
        var set = Store.BlockNext(StorePoint.BeforeSet);
        var submit = Task.Run(() => Theirs.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, Tenant, new SecretValue(Key3), default));
        await set.Reached.WaitAsync(Never);

        var waiting = WaitingForLock();
        var restore = Task.Run(() => Mine.RestorePreviousAsync(TestPersonas.ContosoAdmin, Tenant, default));
        await waiting.WaitAsync(Never);
        set.Release();

        var submitted = await submit;
        var restored = await restore;
        Assert.Equal(KeyChangeOutcome.Done, submitted.Outcome);
        Assert.Equal(KeyChangeOutcome.Done, restored.Outcome);
        await AssertAgreesWithBackendAsync(v2);
        var rows = await RowsAsync();
        Assert.Equal(ApiKeyVersionStatus.Disabled, rows[submitted.Version!.Version].Status);
        Assert.Equal(ApiKeyVersionStatus.Superseded, rows[v1].Status);
    }

    [Fact]
    public async Task Offboard_WithSubmitWaiting_TheSubmitIsRefusedAndNothingStaysEnabled()
    {
        await SubmitAsync(Mine, Key1);
        var listed = Store.BlockNext(StorePoint.AfterList);
        var offboard = Task.Run(() => _portal.Get<TenantService>().OffboardAsync(TestPersonas.PlatformAdmin, Tenant, "Contoso Ltd", "Contract ended", default));
        await listed.Reached.WaitAsync(Never);

        var waiting = WaitingForLock();
        var submit = Task.Run(() => Theirs.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, Tenant, new SecretValue(Key2), default));
        await waiting.WaitAsync(Never);
        listed.Release();

        var offboarded = await offboard;
        var submitted = await submit;
        Assert.Equal(TenantChangeOutcome.Saved, offboarded.Outcome);
        Assert.Equal(KeyChangeOutcome.Conflict, submitted.Outcome);
        Assert.Equal("The tenant was offboarded, so the key was not stored.", submitted.Message);
        var stored = Assert.Single(await _portal.StoredVersionsAsync(Tenant));
        Assert.False(stored.Enabled);
        await AssertAgreesWithBackendAsync(expectedCurrent: null);
        await AssertAuditedAsync(
            (AuditActions.TenantOffboard, AuditOutcome.Requested, 1), (AuditActions.TenantOffboard, AuditOutcome.Succeeded, 1),
            (AuditActions.ApiKeySubmit, AuditOutcome.Failed, 1));
    }

    [Fact]
    public async Task Restore_HoldingTheKeyWhenGraceEnds_TheMonitorLeavesTheRestoredKeyAlone()
    {
        var v1 = await SubmitAsync(Mine, Key1);
        _portal.Time.Advance(TimeSpan.FromDays(1));
        await SubmitAsync(Mine, Key2);
        _portal.Time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1));
        var update = Store.BlockNext(StorePoint.BeforeUpdate);
        var restore = Task.Run(() => Mine.RestorePreviousAsync(TestPersonas.ContosoAdmin, Tenant, default));
        await update.Reached.WaitAsync(Never);

        // The grace period ends while the restore holds the key (well within its lock's lease).
        _portal.Time.Advance(TimeSpan.FromMinutes(2));
        var skipped = await _portal.Get<RotationMonitor>().SweepAsync(default, holder: "monitor-1");
        update.Release();
        var restored = await restore;
        var later = await _portal.Get<RotationMonitor>().SweepAsync(default, holder: "monitor-1");

        Assert.Equal(0, skipped.PreviousDisabled);
        Assert.Equal(1, skipped.Busy);
        Assert.Equal(0, skipped.Failed);
        Assert.Equal(KeyChangeOutcome.Done, restored.Outcome);
        Assert.Equal(0, later.PreviousDisabled);
        await AssertAgreesWithBackendAsync(v1);
    }

    [Fact]
    public async Task EndOfGrace_HoldingTheKeyWhenRestoreArrives_DisablesThePreviousAndTheRestoreIsRefused()
    {
        var v1 = await SubmitAsync(Mine, Key1);
        _portal.Time.Advance(TimeSpan.FromDays(1));
        var v2 = await SubmitAsync(Mine, Key2);
        _portal.Time.Advance(TimeSpan.FromDays(8));
        var update = Store.BlockNext(StorePoint.BeforeUpdate);
        var sweep = Task.Run(() => _portal.Get<RotationMonitor>().SweepAsync(default, holder: "monitor-1"));
        await update.Reached.WaitAsync(Never);

        var waiting = WaitingForLock();
        var restore = Task.Run(() => Mine.RestorePreviousAsync(TestPersonas.ContosoAdmin, Tenant, default));
        await waiting.WaitAsync(Never);
        update.Release();

        var swept = await sweep;
        var restored = await restore;
        Assert.Equal(1, swept.PreviousDisabled);
        Assert.Equal(KeyChangeOutcome.Conflict, restored.Outcome);
        Assert.StartsWith("There is no previous version to restore", restored.Message, StringComparison.Ordinal);
        Assert.False((await _portal.StoredVersionsAsync(Tenant)).Single(v => v.Version == v1).Enabled);
        await AssertAgreesWithBackendAsync(v2);
        await AssertAuditedAsync(
            (AuditActions.ApiKeyPreviousDisabled, AuditOutcome.Succeeded, 1),
            (AuditActions.ApiKeyRestore, AuditOutcome.Requested, 0), (AuditActions.ApiKeyRestore, AuditOutcome.Failed, 1));
    }

    [Fact]
    public async Task SecondChange_WaitingLongerThanTheBound_IsTurnedAwayAndChangesNothing()
    {
        var set = Store.BlockNext(StorePoint.BeforeSet);
        var first = Task.Run(() => Mine.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, Tenant, new SecretValue(Key1), default));
        await set.Reached.WaitAsync(Never);

        var waiting = WaitingForLock();
        var second = Task.Run(() => Theirs.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, Tenant, new SecretValue(Key2), default));
        await waiting.WaitAsync(Never);
        _portal.Time.Advance(_portal.Get<TenantKeyLocks>().Options.Wait + TimeSpan.FromSeconds(1));
        var turnedAway = await second;
        set.Release();
        var stored = await first;

        Assert.Equal(KeyChangeOutcome.Busy, turnedAway.Outcome);
        Assert.Equal("Another change to this key is in progress; nothing was changed. Please try again in a moment.", turnedAway.Message);
        Assert.Equal(KeyChangeOutcome.Done, stored.Outcome);
        Assert.Single(await _portal.StoredVersionsAsync(Tenant));
        await AssertAgreesWithBackendAsync(stored.Version!.Version);
        await using var db = _portal.CreateDbContext();
        var refusal = await db.AuditEvents.SingleAsync(e => e.Outcome == AuditOutcome.Failed);
        Assert.Equal(AuditActions.ApiKeySubmit, refusal.Action);
        Assert.Equal("Another change to this key was in progress", refusal.Reason);
    }

    [Fact]
    public async Task LapsedLock_IsTakenOver_TheLateWriteIsWithdrawn_AndTheAcknowledgedSubmitStaysCurrent()
    {
        var set = Store.BlockNext(StorePoint.BeforeSet);
        var stalled = Task.Run(() => Mine.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, Tenant, new SecretValue(Key1), default));
        await set.Reached.WaitAsync(Never);

        // The store call outlives the lease (impossible with the start-up check on Duration, but a paused process can).
        _portal.Time.Advance(_portal.Get<TenantKeyLocks>().Options.Duration + TimeSpan.FromMinutes(1));
        var takeover = await Theirs.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, Tenant, new SecretValue(Key2), default);
        set.Release();
        var late = await stalled;

        Assert.Equal(KeyChangeOutcome.Done, takeover.Outcome);
        Assert.Equal(KeyChangeOutcome.Failed, late.Outcome);
        Assert.Contains("could not record it", late.Message, StringComparison.Ordinal);
        var lateVersion = (await _portal.StoredVersionsAsync(Tenant))[^1];
        Assert.NotEqual(takeover.Version!.Version, lateVersion.Version);
        Assert.False(lateVersion.Enabled);
        Assert.Equal(new TenantReconciliation(TenantReconciliationOutcome.Reconciled, 1, 0), await _portal.Get<ApiKeyReconciler>().ReconcileTenantAsync(Tenant, default));
        await AssertAgreesWithBackendAsync(takeover.Version.Version);
    }

    [Fact]
    public async Task Revoke_WithNothingRecordedButAVersionInTheStore_StillDisablesIt()
    {
        // A first submit whose store write landed and whose metadata did not.
        await Store.SetAsync(SecretName.ForTenant(Tenant), new SecretValue(Key1),
            new SecretWriteOptions("text/plain", new Dictionary<string, string> { [ApiKeyTags.TenantId] = Tenant }, null), default);

        var revoked = await Mine.RevokeAsync(TestPersonas.ContosoAdmin, Tenant, "Leaked before it was recorded", confirmed: true, default);

        Assert.Equal(KeyChangeOutcome.Done, revoked.Outcome);
        Assert.DoesNotContain(await _portal.StoredVersionsAsync(Tenant), v => v.Enabled);
        await AssertAgreesWithBackendAsync(expectedCurrent: null);
    }

    private static async Task<string> SubmitAsync(ApiKeyService service, string value)
    {
        var result = await service.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, Tenant, new SecretValue(value), default);
        Assert.Equal(KeyChangeOutcome.Done, result.Outcome);
        return result.Version!.Version;
    }

    private Task WaitingForLock()
    {
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _portal.Get<TenantKeyLocks>().Waiting += tenantId =>
        {
            if (tenantId == Tenant)
            {
                waiting.TrySetResult();
            }
        };
        return waiting.Task;
    }

    private async Task<Dictionary<string, ApiKeyVersion>> RowsAsync()
    {
        await using var db = _portal.CreateDbContext();
        return await db.ApiKeyVersions.AsNoTracking().Where(v => v.TenantId == Tenant).ToDictionaryAsync(v => v.StoreVersionId);
    }

    /// <summary>
    /// At most one Current, and it is the version the backend's own reader (a fresh one, no cache) serves; every
    /// version the metadata considers enabled is enabled in the store and the other way round.
    /// </summary>
    private async Task AssertAgreesWithBackendAsync(string? expectedCurrent)
    {
        var rows = await RowsAsync();
        var current = Assert.Single(rows.Values.Where(v => v.Status == ApiKeyVersionStatus.Current).DefaultIfEmpty())?.StoreVersionId;
        Assert.Equal(expectedCurrent, current);
        Assert.Equal(expectedCurrent, await ServedByBackendAsync());
        foreach (var stored in await _portal.StoredVersionsAsync(Tenant))
        {
            Assert.True(rows.TryGetValue(stored.Version, out var row), $"Store version {stored.Version} has no metadata.");
            Assert.Equal(stored.Enabled, row.IsEnabledInStore);
        }
    }

    private async Task<string?> ServedByBackendAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.ClearProviders());
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(_portal.Time.GetUtcNow()));
        services.AddTenantApiKeyReader(o =>
        {
            o.Store = TenantApiKeyStore.Local;
            o.LocalSecretsPath = _portal.SecretsDirectory;
            o.LocalKeysPath = Path.Combine(_portal.DataDirectory, "keys");
        });
        await using var provider = services.BuildServiceProvider();
        try
        {
            return (await provider.GetRequiredService<ITenantApiKeyProvider>().GetApiKeyAsync(Tenant)).Version;
        }
        catch (Exception ex) when (ex is TenantApiKeyDisabledException or TenantApiKeyNotFoundException)
        {
            return null;
        }
    }

    private async Task AssertAuditedAsync(params (string Action, AuditOutcome Outcome, int Count)[] expected)
    {
        await using var db = _portal.CreateDbContext();
        // Every attempt that got as far as "requested" has exactly one outcome, under its own correlation id.
        var trail = await db.AuditEvents.Where(e => e.TenantId == Tenant && e.ActorObjectId != null).ToListAsync();
        foreach (var requested in trail.Where(e => e.Outcome == AuditOutcome.Requested))
        {
            Assert.Single(trail, e => e.CorrelationId == requested.CorrelationId && e.Action == requested.Action
                && e.Outcome is AuditOutcome.Succeeded or AuditOutcome.Failed);
        }

        var counts = await db.AuditEvents.Where(e => e.TenantId == Tenant)
            .GroupBy(e => new { e.Action, e.Outcome })
            .Select(g => new { g.Key.Action, g.Key.Outcome, Count = g.Count() })
            .ToListAsync();
        foreach (var (action, outcome, count) in expected)
        {
            Assert.True(count == (counts.SingleOrDefault(c => c.Action == action && c.Outcome == outcome)?.Count ?? 0),
                $"Expected {count} {action} {outcome}; the trail has {string.Join(", ", counts.Select(c => $"{c.Count} {c.Action} {c.Outcome}"))}.");
        }
    }
}
