using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.ApiKeys;

public sealed class ApiKeyReconcilerTests : IAsyncLifetime
{
    private PortalServices _portal = null!;

    private ApiKeyReconciler Reconciler => _portal.Get<ApiKeyReconciler>();

    public async Task InitializeAsync() => _portal = await PortalServices.StartAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task ReconcileTenantAsync_StoreVersionTheDatabaseLacks_IsRecordedFromItsTagsAsCurrent()
    {
        await SubmitAsync("sk_live_recorded_00000001");
        _portal.Time.Advance(TimeSpan.FromDays(1));
        var stray = await WriteStrayAsync("sk_live_stray_0000000a9F2");
        _portal.Time.Advance(TimeSpan.FromMinutes(5));

        var result = await Reconciler.ReconcileTenantAsync("contoso", default);

        Assert.Equal(new TenantReconciliation(TenantReconciliationOutcome.Reconciled, 1, 0), result);
        var overview = await _portal.Get<ApiKeyService>().GetOverviewAsync(TestPersonas.ContosoAdmin, "contoso", default);
        Assert.Equal(stray, overview!.Current!.Version);
        Assert.Equal("••••a9F2", overview.Current.MaskedHint);
        Assert.Equal(ApiKeyReconciler.RestoredByName, overview.Current.CreatedByName);
        Assert.Equal([ApiKeyVersionStatus.Current, ApiKeyVersionStatus.Previous], overview.History.Select(v => v.Status));
        await using var db = _portal.CreateDbContext();
        var restoredRow = await db.ApiKeyVersions.SingleAsync(v => v.StoreVersionId == stray);
        Assert.Equal(TenantPortal.Web.Auth.PortalActor.From(TestPersonas.ContosoAdmin)!.ObjectId, restoredRow.CreatedByObjectId);
        Assert.Single(await db.AuditEvents.Where(e => e.Action == AuditActions.ReconciliationRestored && e.KeyVersion == stray).ToListAsync());
    }

    [Fact]
    public async Task ReconcileTenantAsync_RevokedVersionReEnabledInTheStore_IsFlaggedOnceNeverPromoted_AndRevokeAgainClearsIt()
    {
        var version = (await SubmitAsync("sk_live_revoked_then_back_01")).Version!.Version;
        var keys = _portal.Get<ApiKeyService>();
        Assert.True((await keys.RevokeAsync(TestPersonas.ContosoAdmin, "contoso", "Leaked", confirmed: true, default)).Succeeded);
        // Someone with vault access turns it back on.
        await _portal.Get<ISecretStore>().UpdateVersionAsync(SecretName.ForTenant("contoso"), version, new SecretVersionUpdate(Enabled: true), default);

        await Reconciler.ReconcileTenantAsync("contoso", default);
        await Reconciler.ReconcileTenantAsync("contoso", default);

        var overview = await keys.GetOverviewAsync(TestPersonas.ContosoAdmin, "contoso", default);
        Assert.Null(overview!.Current);
        var row = Assert.Single(overview.History);
        Assert.Equal(ApiKeyVersionStatus.Revoked, row.Status);
        Assert.True(row.StillEnabledInStore);
        var support = await _portal.Get<TenantPortal.Web.Features.Support.SupportService>().GetRotationStatusPageAsync(TestPersonas.SupportReader,
            new TenantPortal.Web.Features.Support.RotationStatusQuery(new TenantPortal.Web.Features.Support.RotationStatusFilter(Search: "contoso"), 10), default);
        Assert.Equal(1, Assert.Single(support!.Items).DriftCount);
        await using (var db = _portal.CreateDbContext())
        {
            var flagged = await db.AuditEvents.SingleAsync(e => e.Action == AuditActions.ReconciliationEnabledInStore);
            Assert.Equal("Enabled in the secret store but revoked here", flagged.Reason);
            Assert.Equal(version, flagged.KeyVersion);
        }

        var again = await keys.RevokeAsync(TestPersonas.ContosoAdmin, "contoso", "Re-enabled by mistake", confirmed: true, default);

        Assert.Equal(KeyChangeOutcome.Done, again.Outcome);
        Assert.False(Assert.Single(await _portal.StoredVersionsAsync("contoso")).Enabled);
        var after = await keys.GetOverviewAsync(TestPersonas.ContosoAdmin, "contoso", default);
        Assert.False(Assert.Single(after!.History).StillEnabledInStore);
    }

    [Fact]
    public async Task ReconcileTenantAsync_CurrentDisabledInTheStoreOutsideThePortal_FollowsTheStoreToWhatTheBackendServes()
    {
        var first = (await SubmitAsync("sk_live_outside_first_0001")).Version!.Version;
        _portal.Time.Advance(TimeSpan.FromDays(1));
        var second = (await SubmitAsync("sk_live_outside_second_002")).Version!.Version;
        await _portal.Get<ISecretStore>().UpdateVersionAsync(SecretName.ForTenant("contoso"), second, new SecretVersionUpdate(Enabled: false), default);

        await Reconciler.ReconcileTenantAsync("contoso", default);

        var overview = await _portal.Get<ApiKeyService>().GetOverviewAsync(TestPersonas.ContosoAdmin, "contoso", default);
        Assert.Equal(first, overview!.Current!.Version);
        Assert.Equal(ApiKeyVersionStatus.Disabled, overview.History.Single(v => v.Version == second).Status);
        await using var db = _portal.CreateDbContext();
        var followed = await db.AuditEvents.SingleAsync(e => e.Action == AuditActions.ReconciliationDisabledInStore);
        Assert.Equal(second, followed.KeyVersion);
    }

    [Fact]
    public async Task ReconcileTenantAsync_RunTwice_ChangesNothingTheSecondTime()
    {
        await WriteStrayAsync("sk_live_stray_00000000001");
        _portal.Time.Advance(TimeSpan.FromMinutes(5));
        await Reconciler.ReconcileTenantAsync("contoso", default);

        var second = await Reconciler.ReconcileTenantAsync("contoso", default);

        Assert.Equal(new TenantReconciliation(TenantReconciliationOutcome.Reconciled), second);
        await using var db = _portal.CreateDbContext();
        Assert.Equal(1, await db.ApiKeyVersions.CountAsync());
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Action == AuditActions.ReconciliationRestored));
    }

    [Fact]
    public async Task ReconcileTenantAsync_KeyBeingChanged_IsBusy_AndReconcilesOnceReleased()
    {
        await WriteStrayAsync("sk_live_stray_00000000002");
        var held = await _portal.Get<TenantKeyLocks>().AcquireAsync("contoso", TimeSpan.Zero, default);
        Assert.NotNull(held);

        var busy = await Reconciler.ReconcileTenantAsync("contoso", default);
        await held.DisposeAsync();
        var after = await Reconciler.ReconcileTenantAsync("contoso", default);

        Assert.Equal(new TenantReconciliation(TenantReconciliationOutcome.Busy), busy);
        Assert.Equal(new TenantReconciliation(TenantReconciliationOutcome.Reconciled, 1, 0), after);
    }

    [Fact]
    public async Task ReconcileTenantAsync_NoSuchTenant_SaysSo_WithoutTouchingTheStore()
    {
        var result = await Reconciler.ReconcileTenantAsync("no-such-tenant", default);

        Assert.Equal(new TenantReconciliation(TenantReconciliationOutcome.UnknownTenant), result);
        Assert.Empty(await _portal.StoredVersionsAsync("no-such-tenant"));
    }

    [Fact]
    public async Task ReconcileTenantAsync_VersionTaggedForAnotherTenant_IsNotAdopted()
    {
        var name = SecretName.ForTenant("contoso");
        await _portal.Get<ISecretStore>().SetAsync(name, new SecretValue("sk_live_wrong_tenant_0001"),
            new SecretWriteOptions("text/plain", new Dictionary<string, string> { [ApiKeyTags.TenantId] = "fabrikam" }, null), default);
        _portal.Time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(new TenantReconciliation(TenantReconciliationOutcome.Reconciled), await Reconciler.ReconcileTenantAsync("contoso", default));
    }

    [Fact]
    public async Task ReconcileTenantAsync_DatabaseVersionTheStoreDoesNotKnow_IsFlaggedAuditedOnceAndNoLongerCurrent()
    {
        await using (var db = _portal.CreateDbContext())
        {
            db.ApiKeyVersions.Add(new ApiKeyVersion
            {
                TenantId = "contoso", StoreVersionId = "0123456789abcdef0123456789abcdef", Status = ApiKeyVersionStatus.Current,
                CreatedAt = PortalServices.Start, CreatedByName = "Adele Vance", MaskedHint = "••••", Fingerprint = "",
            });
            await db.SaveChangesAsync();
        }

        var first = await Reconciler.ReconcileTenantAsync("contoso", default);
        var second = await Reconciler.ReconcileTenantAsync("contoso", default);

        Assert.Equal(new TenantReconciliation(TenantReconciliationOutcome.Reconciled, 0, 1), first);
        Assert.Equal(new TenantReconciliation(TenantReconciliationOutcome.Reconciled), second);
        // The backend finds nothing to serve, so the portal no longer calls it Current.
        var overview = await _portal.Get<ApiKeyService>().GetOverviewAsync(TestPersonas.ContosoAdmin, "contoso", default);
        Assert.Null(overview!.Current);
        var row = Assert.Single(overview.History);
        Assert.True(row.MissingFromStore);
        Assert.Equal(ApiKeyVersionStatus.Disabled, row.Status);
        await using var check = _portal.CreateDbContext();
        Assert.Single(await check.AuditEvents.Where(e => e.Action == AuditActions.ReconciliationMissing).ToListAsync());
    }

    [Fact]
    public async Task SubmitApiKeyAsync_SupersededVersionInGraceDisabledInTheStoreOutsideThePortal_IsFollowedByTheNextCommit()
    {
        var (oldest, _, _) = await RotateThreeTimesAsync();
        await _portal.Get<ISecretStore>().UpdateVersionAsync(SecretName.ForTenant("contoso"), oldest, new SecretVersionUpdate(Enabled: false), default);
        _portal.Time.Advance(TimeSpan.FromMinutes(1));

        var fourth = await SubmitAsync("sk_live_superseded_fourth_04");

        Assert.Equal(KeyChangeOutcome.Done, fourth.Outcome);
        await using var db = _portal.CreateDbContext();
        var row = await db.ApiKeyVersions.SingleAsync(v => v.StoreVersionId == oldest);
        Assert.Equal(ApiKeyVersionStatus.Superseded, row.Status);
        Assert.Equal(_portal.Time.GetUtcNow(), row.DisabledInStoreAt);
        Assert.Null(row.GraceEndsAt);
        var followed = await db.AuditEvents.SingleAsync(e => e.Action == AuditActions.ReconciliationDisabledInStore);
        Assert.Equal(oldest, followed.KeyVersion);
        Assert.Equal("The secret store has this version disabled", followed.Reason);
    }

    [Fact]
    public async Task ReconcileTenantAsync_SupersededVersionInGraceMissingFromTheStore_IsFlaggedAndLosesItsGrace()
    {
        await RotateThreeTimesAsync();
        const string unknown = "00000000000000000000000000000abc";
        await using (var db = _portal.CreateDbContext())
        {
            db.ApiKeyVersions.Add(new ApiKeyVersion
            {
                TenantId = "contoso", StoreVersionId = unknown, Status = ApiKeyVersionStatus.Superseded, CreatedAt = PortalServices.Start.AddDays(-3),
                GraceEndsAt = _portal.Time.GetUtcNow(), CreatedByName = "Adele Vance", MaskedHint = "••••", Fingerprint = "",
            });
            await db.SaveChangesAsync();
        }

        var result = await Reconciler.ReconcileTenantAsync("contoso", default);

        Assert.Equal(new TenantReconciliation(TenantReconciliationOutcome.Reconciled, 0, 1), result);
        await using var check = _portal.CreateDbContext();
        var row = await check.ApiKeyVersions.SingleAsync(v => v.StoreVersionId == unknown);
        Assert.Equal(ApiKeyVersionStatus.Superseded, row.Status);
        Assert.Equal(_portal.Time.GetUtcNow(), row.MissingFromStoreSince);
        Assert.Null(row.GraceEndsAt);
        Assert.Equal(unknown, (await check.AuditEvents.SingleAsync(e => e.Action == AuditActions.ReconciliationMissing)).KeyVersion);
    }

    [Fact]
    public async Task ReconcileTenantAsync_SupersededVersionWhoseGraceEndedReEnabledInTheStore_IsFlaggedNeverPromoted()
    {
        var (oldest, _, newest) = await RotateThreeTimesAsync();
        var ended = await _portal.Get<KeyLifecycle>().EndGraceAsync("contoso", oldest, default);
        Assert.Equal(KeyChangeOutcome.Done, ended.Outcome);
        await _portal.Get<ISecretStore>().UpdateVersionAsync(SecretName.ForTenant("contoso"), oldest, new SecretVersionUpdate(Enabled: true), default);

        await Reconciler.ReconcileTenantAsync("contoso", default);
        await Reconciler.ReconcileTenantAsync("contoso", default);

        var overview = await _portal.Get<ApiKeyService>().GetOverviewAsync(TestPersonas.ContosoAdmin, "contoso", default);
        Assert.Equal(newest, overview!.Current!.Version);
        var row = overview.History.Single(v => v.Version == oldest);
        Assert.Equal(ApiKeyVersionStatus.Superseded, row.Status);
        Assert.True(row.StillEnabledInStore);
        await using var db = _portal.CreateDbContext();
        var flagged = await db.AuditEvents.SingleAsync(e => e.Action == AuditActions.ReconciliationEnabledInStore);
        Assert.Equal(oldest, flagged.KeyVersion);
        Assert.Equal("Enabled in the secret store but superseded here", flagged.Reason);
    }

    [Fact]
    public async Task ReconcileTenantAsync_CurrentAndPreviousDisabledInTheStore_TheSupersededVersionStillInGraceBecomesCurrent()
    {
        var (oldest, middle, newest) = await RotateThreeTimesAsync();
        var store = _portal.Get<ISecretStore>();
        await store.UpdateVersionAsync(SecretName.ForTenant("contoso"), newest, new SecretVersionUpdate(Enabled: false), default);
        await store.UpdateVersionAsync(SecretName.ForTenant("contoso"), middle, new SecretVersionUpdate(Enabled: false), default);

        await Reconciler.ReconcileTenantAsync("contoso", default);

        // The backend now serves the oldest version, the only one still enabled: the metadata says so.
        var overview = await _portal.Get<ApiKeyService>().GetOverviewAsync(TestPersonas.ContosoAdmin, "contoso", default);
        Assert.Equal(oldest, overview!.Current!.Version);
        Assert.Equal(ApiKeyVersionStatus.Disabled, overview.History.Single(v => v.Version == newest).Status);
        Assert.Equal(ApiKeyVersionStatus.Superseded, overview.History.Single(v => v.Version == middle).Status);
        Assert.Equal(oldest, Assert.Single(await _portal.StoredVersionsAsync("contoso"), v => v.Enabled).Version);
    }

    /// <summary>Three submits a day apart: the oldest is Superseded in its (ended) grace, still enabled in the store, waiting for the monitor.</summary>
    private async Task<(string Oldest, string Middle, string Newest)> RotateThreeTimesAsync()
    {
        var versions = new List<string>();
        foreach (var value in new[] { "sk_live_superseded_first_001", "sk_live_superseded_second_02", "sk_live_superseded_third_003" })
        {
            var result = await SubmitAsync(value);
            Assert.Equal(KeyChangeOutcome.Done, result.Outcome);
            versions.Add(result.Version!.Version);
            _portal.Time.Advance(TimeSpan.FromDays(1));
        }

        await using var db = _portal.CreateDbContext();
        var oldest = await db.ApiKeyVersions.SingleAsync(v => v.StoreVersionId == versions[0]);
        Assert.Equal(ApiKeyVersionStatus.Superseded, oldest.Status);
        Assert.NotNull(oldest.GraceEndsAt);
        Assert.Null(oldest.DisabledInStoreAt);
        Assert.Equal(3, (await _portal.StoredVersionsAsync("contoso")).Count(v => v.Enabled));
        return (versions[0], versions[1], versions[2]);
    }

    private Task<KeyChangeResult> SubmitAsync(string value) =>
        _portal.Get<ApiKeyService>().SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(value), default);

    /// <summary>A store write whose metadata write failed: submit with the version table refusing inserts.</summary>
    private async Task<string> WriteStrayAsync(string value)
    {
        await using (var db = _portal.CreateDbContext())
        {
            await db.Database.ExecuteSqlRawAsync("CREATE TRIGGER no_versions BEFORE INSERT ON ApiKeyVersions BEGIN SELECT RAISE(ABORT, 'disk full'); END");
        }

        var result = await SubmitAsync(value);
        Assert.Equal(KeyChangeOutcome.Failed, result.Outcome);
        await using (var db = _portal.CreateDbContext())
        {
            await db.Database.ExecuteSqlRawAsync("DROP TRIGGER no_versions");
        }

        await using var check = _portal.CreateDbContext();
        var recorded = await check.ApiKeyVersions.Select(v => v.StoreVersionId).ToListAsync();
        return Assert.Single(await _portal.StoredVersionsAsync("contoso"), v => !recorded.Contains(v.Version)).Version;
    }
}
