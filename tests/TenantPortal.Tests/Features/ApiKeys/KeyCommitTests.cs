using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.ApiKeys;

/// <summary>Which versions a commit tracks: only those a change or a settlement can move (the settlement's outcomes are in ApiKeyReconcilerTests).</summary>
public sealed class KeyCommitTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ThatCanMove_SupersededVersionsWaitingForTheMonitor_AreLeftUntracked()
    {
        var rows = History(out var store);

        var moving = KeyCommit.ThatCanMove(rows, store, named: null);

        Assert.Equal(["v5", "v6"], moving.Select(v => v.StoreVersionId));
    }

    [Theory]
    [InlineData("v2", false, true)]  // superseded in grace, disabled in the store outside the portal
    [InlineData("v3", false, false)] // superseded in grace, missing from the store
    [InlineData("v1", true, true)]   // superseded, disabled here (grace over), re-enabled in the store
    [InlineData("v0", true, true)]   // revoked, re-enabled in the store
    public void ThatCanMove_VersionTheStoreListsOtherwise_IsTracked(string version, bool enabled, bool listed)
    {
        var rows = History(out var before);
        var versions = before.Versions.Where(v => listed || v.Version != version)
            .Select(v => v.Version == version ? Stored(v.Version, enabled, v.CreatedOn!.Value) : v).ToList();

        var moving = KeyCommit.ThatCanMove(rows, new StoreView(versions), named: null);

        Assert.Equal(new[] { version, "v5", "v6" }.Order(), moving.Select(v => v.StoreVersionId).Order());
    }

    [Fact]
    public void ThatCanMove_CurrentAndPreviousDisabledInTheStore_TracksTheSupersededVersionTheStoreNowServes()
    {
        var rows = History(out var before);
        var versions = before.Versions.Select(v => v.Version is "v5" or "v6" ? Stored(v.Version, false, v.CreatedOn!.Value) : v).ToList();

        var moving = KeyCommit.ThatCanMove(rows, new StoreView(versions), named: null);

        Assert.Equal(["v4", "v5", "v6"], moving.Select(v => v.StoreVersionId));
    }

    [Fact]
    public void ThatCanMove_NamedVersionAndUnlistedStore_AreTracked()
    {
        var rows = History(out var store);

        Assert.Equal(["v2", "v5", "v6"], KeyCommit.ThatCanMove(rows, store, named: "v2").Select(v => v.StoreVersionId));
        Assert.Equal(rows.Count, KeyCommit.ThatCanMove(rows, StoreView.Unlisted, named: null).Count);
    }

    [Fact]
    public void ThatCanMove_SupersededVersionWithoutAGraceEnd_IsTracked()
    {
        var rows = History(out var store);
        rows[3].GraceEndsAt = null; // found enabled in the store: the settlement hands it to the monitor

        Assert.Equal(["v3", "v5", "v6"], KeyCommit.ThatCanMove(rows, store, named: null).Select(v => v.StoreVersionId));
    }

    /// <summary>
    /// v0 revoked, v1 superseded with its grace over (disabled here and in the store), v2–v4 superseded in their ended
    /// grace (enabled here and in the store), v5 Previous, v6 Current; the store agrees.
    /// </summary>
    private static List<ApiKeyVersion> History(out StoreView store)
    {
        var rows = new List<ApiKeyVersion>
        {
            Row("v0", ApiKeyVersionStatus.Revoked, disabledAt: Now),
            Row("v1", ApiKeyVersionStatus.Superseded, disabledAt: Now),
            Row("v2", ApiKeyVersionStatus.Superseded, graceEndsAt: Now),
            Row("v3", ApiKeyVersionStatus.Superseded, graceEndsAt: Now),
            Row("v4", ApiKeyVersionStatus.Superseded, graceEndsAt: Now),
            Row("v5", ApiKeyVersionStatus.Previous, graceEndsAt: Now.AddDays(7)),
            Row("v6", ApiKeyVersionStatus.Current),
        };
        store = new StoreView(rows.Select((v, i) => Stored(v.StoreVersionId, v.DisabledInStoreAt is null, Now.AddDays(i - 10))).ToList());
        return rows;
    }

    private static ApiKeyVersion Row(string version, ApiKeyVersionStatus status, DateTimeOffset? disabledAt = null, DateTimeOffset? graceEndsAt = null) => new()
    {
        TenantId = "contoso",
        StoreVersionId = version,
        Status = status,
        CreatedAt = Now,
        DisabledInStoreAt = disabledAt,
        GraceEndsAt = graceEndsAt,
        CreatedByName = "Adele Vance",
        MaskedHint = "••••",
        Fingerprint = "",
    };

    private static SecretVersionProperties Stored(string version, bool enabled, DateTimeOffset createdOn) =>
        new("tenant-contoso-api-key", version, enabled, createdOn, createdOn, null, "text/plain", new Dictionary<string, string>());
}
