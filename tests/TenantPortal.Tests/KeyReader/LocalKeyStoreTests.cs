using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TenantPortal.KeyReader;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.KeyReader;

/// <summary>The local read adapter against files and a key ring written by the portal's real composition (embedded default).</summary>
public sealed class LocalKeyStoreTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(KeyVaultReaderHarness.Start);
    private readonly List<ServiceProvider> _readers = [];
    private PortalServices _portal = null!;

    private string KeysDirectory => Path.Combine(_portal.DataDirectory, "keys");

    public async Task InitializeAsync() => _portal = await PortalServices.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var reader in _readers)
        {
            await reader.DisposeAsync();
        }

        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task GetApiKeyAsync_LocalStore_ReadsWhatThePortalWroteAcrossRotationsRestoreAndRevoke()
    {
        Assert.IsType<LocalSecretStore>(_portal.Get<ISecretStore>());
        var reader = Reader(KeysDirectory);
        var v1 = await WriteAsync("contoso", "sk_live_LOCAL_CANARY_0001");

        var first = await reader.GetApiKeyAsync("contoso");
        Assert.Equal(v1.Version, first.Version);
        Assert.Equal("sk_live_LOCAL_CANARY_0001", first.Reveal());

        _portal.Time.Advance(TimeSpan.FromMinutes(1));
        var v2 = await WriteAsync("contoso", "sk_live_LOCAL_CANARY_0002");
        Assert.Equal(v1.Version, (await reader.GetApiKeyAsync("contoso")).Version);
        _time.Advance(KeyVaultReaderHarness.CacheTtl);
        var second = await reader.GetApiKeyAsync("contoso");
        Assert.Equal(v2.Version, second.Version);
        Assert.Equal("sk_live_LOCAL_CANARY_0002", second.Reveal());

        // Restore of the previous version: the portal disables the newer one; the reader serves the newest enabled.
        await DisableAsync("contoso", v2.Version);
        var beforeRestoreRead = Snapshot(_portal.DataDirectory);
        _time.Advance(KeyVaultReaderHarness.CacheTtl);
        var restored = await reader.GetApiKeyAsync("contoso");
        Assert.Equal(v1.Version, restored.Version);
        Assert.Equal("sk_live_LOCAL_CANARY_0001", restored.Reveal());
        Assert.Equal(beforeRestoreRead, Snapshot(_portal.DataDirectory));

        // Emergency revoke: every version disabled.
        await DisableAsync("contoso", v1.Version);
        var beforeRevokeRead = Snapshot(_portal.DataDirectory);
        _time.Advance(KeyVaultReaderHarness.CacheTtl);
        var ex = await Assert.ThrowsAsync<TenantApiKeyDisabledException>(() => reader.GetApiKeyAsync("contoso"));
        Assert.Contains("disabled (revoked)", ex.Message, StringComparison.Ordinal);

        // Reading changed nothing: no file written, no key added to the portal's key ring.
        Assert.Equal(beforeRevokeRead, Snapshot(_portal.DataDirectory));
        Assert.DoesNotContain(AllLogText(), text => text.Contains("LOCAL_CANARY", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetApiKeyAsync_LocalStoreLatestDisabled_ServesTheNewestEnabledByCreationTimeNotFileOrder()
    {
        var reader = Reader(KeysDirectory);
        await WriteAsync("contoso", "sk_live_LOCAL_CANARY_ORDER_0001");
        _portal.Time.Advance(TimeSpan.FromMinutes(1));
        var v2 = await WriteAsync("contoso", "sk_live_LOCAL_CANARY_ORDER_0002");
        _portal.Time.Advance(TimeSpan.FromMinutes(1));
        var v3 = await WriteAsync("contoso", "sk_live_LOCAL_CANARY_ORDER_0003");
        await DisableAsync("contoso", v3.Version);
        // The reader goes by each version's creation time, not by where it sits in the file.
        var file = JsonNode.Parse(await File.ReadAllTextAsync(SecretFile("contoso")))!.AsObject();
        var reversed = new JsonArray([.. file["versions"]!.AsArray().Reverse().Select(v => v!.DeepClone())]);
        file["versions"] = reversed;
        await File.WriteAllTextAsync(SecretFile("contoso"), file.ToJsonString());

        var key = await reader.GetApiKeyAsync("contoso");

        Assert.Equal(v2.Version, key.Version);
        Assert.Equal("sk_live_LOCAL_CANARY_ORDER_0002", key.Reveal());
    }

    [Fact]
    public async Task GetApiKeyAsync_LocalStoreUnknownTenant_ThrowsNotFound()
    {
        var reader = Reader(KeysDirectory);

        var ex = await Assert.ThrowsAsync<TenantApiKeyNotFoundException>(() => reader.GetApiKeyAsync("nobody"));

        Assert.Equal("nobody", ex.TenantId);
    }

    [Fact]
    public async Task GetApiKeyAsync_LocalStoreWithAnotherKeyRing_ThrowsUnavailableAndCreatesNoKey()
    {
        await WriteAsync("contoso", "sk_live_LOCAL_CANARY_0003");
        var otherRing = Path.Combine(_portal.DataDirectory, "other-keys");
        var reader = Reader(otherRing);

        var ex = await Assert.ThrowsAsync<TenantApiKeyUnavailableException>(() => reader.GetApiKeyAsync("contoso"));

        Assert.False(ex.IsTransient);
        Assert.Contains("DataProtection:KeysPath", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.Exists(otherRing) ? Directory.GetFiles(otherRing) : []);
        Assert.DoesNotContain(AllLogText(), text => text.Contains("LOCAL_CANARY", StringComparison.Ordinal));
    }

    private ITenantApiKeyProvider Reader(string keysPath)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        services.AddSingleton<TimeProvider>(_time);
        services.AddTenantApiKeyReader(o =>
        {
            o.Store = TenantApiKeyStore.Local;
            o.LocalSecretsPath = _portal.SecretsDirectory;
            o.LocalKeysPath = keysPath;
        });
        var provider = services.BuildServiceProvider(validateScopes: true);
        _readers.Add(provider);
        return provider.GetRequiredService<ITenantApiKeyProvider>();
    }

    private Task<SecretVersionProperties> WriteAsync(string tenantId, string value) =>
        _portal.Get<ISecretStore>().SetAsync(SecretName.ForTenant(tenantId), new SecretValue(value),
            new SecretWriteOptions("text/plain", new Dictionary<string, string> { [ApiKeyTags.TenantId] = tenantId }, ExpiresOn: null), default);

    private Task<SecretVersionProperties> DisableAsync(string tenantId, string version) =>
        _portal.Get<ISecretStore>().UpdateVersionAsync(SecretName.ForTenant(tenantId), version, new SecretVersionUpdate(Enabled: false), default);

    private string SecretFile(string tenantId) => Path.Combine(_portal.SecretsDirectory, SecretName.ForTenant(tenantId).Value + ".json");

    private IEnumerable<string> AllLogText() => _readers.SelectMany(r => r.GetFakeLogCollector().GetSnapshot()).SelectMany(r =>
        new[] { r.Message, r.Exception?.ToString() ?? "" }.Concat(r.StructuredState?.Select(kv => kv.Value ?? "") ?? []));

    private static string Snapshot(string directory) => string.Join('\n',
        Directory.GetFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".db", StringComparison.Ordinal) && !f.Contains(".db-", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => $"{f} {File.GetLastWriteTimeUtc(f):O} {new FileInfo(f).Length}"));
}
