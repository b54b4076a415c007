using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Time.Testing;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.SecretStore;

public sealed class LocalSecretStoreTests : IDisposable
{
    private readonly string _root = TempDirectory.Create();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
    private readonly IDataProtectionProvider _dataProtection;
    private readonly LocalSecretStore _store;
    private readonly SecretName _name = SecretName.ForTenant("contoso");

    public LocalSecretStoreTests()
    {
        _dataProtection = DataProtectionProvider.Create(new DirectoryInfo(Path.Combine(_root, "keys")));
        _store = new LocalSecretStore(_dataProtection, _time, Microsoft.Extensions.Options.Options.Create(new LocalSecretStoreOptions { SecretsPath = Path.Combine(_root, "secrets") }));
    }

    public void Dispose()
    {
        _store.Dispose();
        TempDirectory.Delete(_root);
    }

    [Fact]
    public async Task SetAsync_KeepsTheValueOnlyEncrypted()
    {
        const string canary = "sk_live_LOCALSTORE_CANARY_5f1e";
        var set = await _store.SetAsync(_name, new SecretValue(canary), Options(), default);

        var files = Directory.GetFiles(_root, "*", SearchOption.AllDirectories);
        Assert.All(files, f => Assert.DoesNotContain(canary, File.ReadAllText(f), StringComparison.Ordinal));
        Assert.All(files, f => Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(canary)), File.ReadAllText(f), StringComparison.Ordinal));
        Assert.Matches("^[0-9a-f]{32}$", set.Version);
    }

    [Fact]
    public async Task SetAsync_WithoutTheKeyRing_TheFileRevealsNothing()
    {
        await _store.SetAsync(_name, new SecretValue("sk_live_needs_the_key_ring_01"), Options(), default);
        var json = await File.ReadAllTextAsync(Path.Combine(_root, "secrets", "tenant-contoso-api-key.json"));
        var otherRing = DataProtectionProvider.Create(new DirectoryInfo(Path.Combine(_root, "other-keys")));
        var protectedValue = System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("versions")[0].GetProperty("protectedValue").GetString()!;

        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() =>
            otherRing.CreateProtector("TenantPortal.SecretStore.Local.v1", _name.Value).Unprotect(protectedValue));
        Assert.Equal("sk_live_needs_the_key_ring_01",
            _dataProtection.CreateProtector("TenantPortal.SecretStore.Local.v1", _name.Value).Unprotect(protectedValue));
    }

    [Fact]
    public async Task ListVersionsAsync_ReturnsEveryVersionsPropertiesInOrder()
    {
        var first = await _store.SetAsync(_name, new SecretValue("sk_live_version_one_0001"), Options(), default);
        _time.Advance(TimeSpan.FromMinutes(1));
        var second = await _store.SetAsync(_name, new SecretValue("sk_live_version_two_0002"), Options(), default);

        var versions = await ToListAsync(_store.ListVersionsAsync(_name, default));

        Assert.Equal([first.Version, second.Version], versions.Select(v => v.Version));
        Assert.Equal("contoso", versions[0].Tags["tenant-id"]);
        Assert.Empty(await ToListAsync(_store.ListVersionsAsync(SecretName.ForTenant("nobody"), default)));
    }

    [Fact]
    public async Task UpdateVersionAsync_DisablesOneVersionAndKeepsTheOthers()
    {
        var first = await _store.SetAsync(_name, new SecretValue("sk_live_version_one_0001"), Options(), default);
        var second = await _store.SetAsync(_name, new SecretValue("sk_live_version_two_0002"), Options(), default);

        var updated = await _store.UpdateVersionAsync(_name, first.Version, new SecretVersionUpdate(Enabled: false), default);

        Assert.False(updated.Enabled);
        var versions = await ToListAsync(_store.ListVersionsAsync(_name, default));
        Assert.False(versions.Single(v => v.Version == first.Version).Enabled);
        Assert.True(versions.Single(v => v.Version == second.Version).Enabled);
    }

    [Fact]
    public async Task UpdateVersionAsync_UnknownVersion_Throws()
    {
        var ex = await Assert.ThrowsAsync<SecretStoreException>(() =>
            _store.UpdateVersionAsync(_name, "0123456789abcdef0123456789abcdef", new SecretVersionUpdate(Enabled: false), default));

        Assert.False(ex.IsRetryable);
    }

    [Fact]
    public async Task SetAsync_OverKeyVaultLimits_IsRefusedWithoutWriting()
    {
        var big = new SecretValue(new string('x', LocalSecretStore.MaxValueBytes + 1));
        var tooManyTags = Enumerable.Range(0, 16).ToDictionary(i => $"t{i}", i => "v");

        var tooBig = await Assert.ThrowsAsync<SecretStoreException>(() => _store.SetAsync(_name, big, Options(), default));
        var tags = await Assert.ThrowsAsync<SecretStoreException>(() =>
            _store.SetAsync(_name, new SecretValue("sk_live_ok_value_00001"), new SecretWriteOptions("text/plain", tooManyTags, null), default));
        Assert.Empty(await ToListAsync(_store.ListVersionsAsync(_name, default)));
        Assert.Equal("The secret store accepts values of at most 25 KB.", tooBig.Message);
        Assert.Equal("The secret store accepts at most 15 tags of at most 512 characters.", tags.Message);
    }

    [Theory]
    [InlineData("en", "The secret store accepts at most 15 tags of at most 512 characters.", "The secret store has no version 0123456789abcdef0123456789abcdef of tenant-contoso-api-key.")]
    [InlineData("ja", "シークレット ストアに付けられるタグは 15 個まで、各 512 文字までです。", "シークレット ストアに tenant-contoso-api-key のバージョン 0123456789abcdef0123456789abcdef はありません。")]
    public async Task Refusals_AreWordedInTheReadersLanguage_TheMessageStaysEnglish(string culture, string tagsText, string versionText)
    {
        using var language = UiCulture.Use(culture);
        var tooManyTags = Enumerable.Range(0, 16).ToDictionary(i => $"t{i}", i => "v");

        var tags = await Assert.ThrowsAsync<SecretStoreException>(() =>
            _store.SetAsync(_name, new SecretValue("sk_live_ok_value_00001"), new SecretWriteOptions("text/plain", tooManyTags, null), default));
        var version = await Assert.ThrowsAsync<SecretStoreException>(() =>
            _store.UpdateVersionAsync(_name, "0123456789abcdef0123456789abcdef", new SecretVersionUpdate(Enabled: false), default));

        Assert.Equal(tagsText, tags.Text);
        Assert.Equal(versionText, version.Text);
        Assert.Equal("The secret store accepts at most 15 tags of at most 512 characters.", tags.Message);
        Assert.Equal("The secret store has no version 0123456789abcdef0123456789abcdef of tenant-contoso-api-key.", version.Message);
    }

    private static SecretWriteOptions Options() =>
        new("text/plain", new Dictionary<string, string> { ["tenant-id"] = "contoso" }, null);

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
