using TenantPortal.KeyReader;
using TenantPortal.Tests.TestHost;

namespace TenantPortal.Tests.KeyReader;

/// <summary>Which version the Key Vault store serves, and with which requests: the real SecretClient against the fake.</summary>
public sealed class KeyVaultKeyStoreTests : IAsyncLifetime
{
    private KeyVaultReaderHarness _h = null!;

    public async Task InitializeAsync() => _h = await KeyVaultReaderHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task GetApiKeyAsync_LatestEnabled_MakesOneGetAndNoListing()
    {
        await _h.RotateAsync("contoso", "sk_live_one_get_0001");
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        var v2 = await _h.RotateAsync("contoso", "sk_live_one_get_0002");

        var key = await _h.Provider.GetApiKeyAsync("contoso");

        Assert.Equal(v2.Version, key.Version);
        var request = Assert.Single(_h.Vault.Requests, r => r.Identity == VaultIdentity.Reader);
        Assert.Equal(("GET", "/secrets/tenant-contoso-api-key"), (request.Method, request.Path.TrimEnd('/')));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetApiKeyAsync_LatestDisabled_ReturnsTheNewestEnabledVersionByCreationTime(bool listNewestFirst)
    {
        _h.Vault.ListVersionsNewestFirst = listNewestFirst;
        // Ids that sort against creation time (ffff…, eeee…, dddd…): only the created stamps give the right answer.
        var ids = new Queue<string>([new string('f', 32), new string('e', 32), new string('d', 32)]);
        _h.Vault.NewVersionId = ids.Dequeue;
        var v1 = await _h.RotateAsync("contoso", "sk_live_fallback_0001");
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        var v2 = await _h.RotateAsync("contoso", "sk_live_fallback_0002");
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        var v3 = await _h.RotateAsync("contoso", "sk_live_fallback_0003");
        await _h.DisableAsync("contoso", v3.Version);

        var key = await _h.Provider.GetApiKeyAsync("contoso");

        Assert.Equal(v2.Version, key.Version);
        Assert.Equal("sk_live_fallback_0002", key.Reveal());
        // The latest (refused as disabled), the version list (three versions: two pages), then the chosen version only.
        Assert.Equal(["/secrets/tenant-contoso-api-key", $"/secrets/tenant-contoso-api-key/{v2.Version}"],
            _h.Vault.ReaderValueReads.Select(r => r.Path.TrimEnd('/')));
        Assert.Equal(2, _h.ReaderListings("contoso"));
        Assert.DoesNotContain(_h.Vault.Requests, r => r.Path.Contains(v1.Version, StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetApiKeyAsync_LatestTwoDisabled_ReturnsTheOldestWhenItIsTheOnlyEnabledOne()
    {
        var v1 = await _h.RotateAsync("contoso", "sk_live_fallback_far_0001");
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        var v2 = await _h.RotateAsync("contoso", "sk_live_fallback_far_0002");
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        var v3 = await _h.RotateAsync("contoso", "sk_live_fallback_far_0003");
        await _h.DisableAsync("contoso", v2.Version);
        await _h.DisableAsync("contoso", v3.Version);

        var key = await _h.Provider.GetApiKeyAsync("contoso");

        Assert.Equal(v1.Version, key.Version);
        Assert.Equal("sk_live_fallback_far_0001", key.Reveal());
    }

    [Fact]
    public async Task GetApiKeyAsync_EveryVersionDisabled_ThrowsDisabledWithoutReadingAnOldVersion()
    {
        await _h.RotateAsync("contoso", "sk_live_all_disabled_0001");
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        await _h.RotateAsync("contoso", "sk_live_all_disabled_0002");
        await _h.RevokeAsync("contoso");

        var ex = await Assert.ThrowsAsync<TenantApiKeyDisabledException>(() => _h.Provider.GetApiKeyAsync("contoso"));

        Assert.Equal("The API key of tenant 'contoso' is disabled (revoked): secret tenant-contoso-api-key has no enabled version.", ex.Message);
        Assert.Single(_h.Vault.ReaderValueReads);
        Assert.Equal(1, _h.ReaderListings("contoso"));
    }

    [Fact]
    public async Task GetApiKeyAsync_ChosenVersionDisabledBeforeItsGet_ListsAgainAndTakesTheNextEnabled()
    {
        var v1 = await _h.RotateAsync("contoso", "sk_live_revoke_race_0001");
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        var v2 = await _h.RotateAsync("contoso", "sk_live_revoke_race_0002");
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        var v3 = await _h.RotateAsync("contoso", "sk_live_revoke_race_0003");
        await _h.DisableAsync("contoso", v3.Version);
        // The portal disables v2 between the reader's list and its GET of v2.
        _h.Vault.BeforeReaderValueRead = r =>
        {
            if (r.Path.EndsWith(v2.Version, StringComparison.Ordinal))
            {
                _h.Vault.SetEnabled("tenant-contoso-api-key", v2.Version, enabled: false);
            }
        };

        var key = await _h.Provider.GetApiKeyAsync("contoso");

        Assert.Equal(v1.Version, key.Version);
        Assert.Equal(4, _h.ReaderListings("contoso"));
    }
}
