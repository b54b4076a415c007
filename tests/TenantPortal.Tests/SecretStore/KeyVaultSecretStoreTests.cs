using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Logging.Abstractions;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.SecretStore;

/// <summary>The adapter through the real SecretClient against the Key Vault protocol fake.</summary>
public sealed class KeyVaultSecretStoreTests : IAsyncLifetime
{
    private readonly SecretName _name = SecretName.ForTenant("contoso");
    private KeyVaultFake _vault = null!;
    private KeyVaultSecretStore _store = null!;

    public async Task InitializeAsync()
    {
        _vault = await KeyVaultFake.StartAsync(pageSize: 2);
        // Generous: on a loaded machine one attempt (challenge, token, TLS) can take over a second, and a 1-second
        // Retry-After on top can pass 2 s. Only the slow-vault case is about timeouts, and it makes its own short ones.
        _store = CreateStore(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10));
    }

    private KeyVaultSecretStore CreateStore(TimeSpan operationTimeout, TimeSpan networkTimeout)
    {
        var options = new SecretStoreOptions
        {
            Provider = SecretStoreProvider.AzureKeyVault,
            VaultUri = _vault.VaultUri,
            OperationTimeout = operationTimeout,
            RetryDelay = TimeSpan.FromMilliseconds(10),
            RetryMaxDelay = TimeSpan.FromMilliseconds(50),
            NetworkTimeout = networkTimeout,
        };
        var clientOptions = new SecretClientOptions { Retry = { MaxRetries = 2, Delay = options.RetryDelay, MaxDelay = options.RetryMaxDelay, NetworkTimeout = options.NetworkTimeout } };
        _vault.ConfigureClient(clientOptions);
        var client = new SecretClient(_vault.VaultUri, _vault.Credential, clientOptions);
        return new KeyVaultSecretStore(client, Microsoft.Extensions.Options.Options.Create(options), NullLogger<KeyVaultSecretStore>.Instance);
    }

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Fact]
    public async Task SetAsync_WritesValueContentTypeTagsAndExpiry_AndReturnsOnlyProperties()
    {
        var expires = new DateTimeOffset(2027, 2, 23, 9, 0, 0, TimeSpan.Zero);

        var set = await _store.SetAsync(_name, new SecretValue("sk_live_vault_0001"), Write(expires), default);

        var stored = Assert.Single(_vault.VersionsOf("tenant-contoso-api-key"));
        Assert.Equal("sk_live_vault_0001", stored.Value);
        Assert.Equal("text/plain", stored.ContentType);
        Assert.Equal("contoso", stored.Tags["tenant-id"]);
        Assert.Equal(expires, stored.ExpiresOn);
        Assert.Equal(stored.Version, set.Version);
        Assert.Equal(expires, set.ExpiresOn);
        Assert.Empty(_vault.ValueReads);
    }

    [Fact]
    public async Task ListVersionsAsync_FollowsNextLinkAcrossPages()
    {
        for (var i = 0; i < 5; i++)
        {
            await _store.SetAsync(_name, new SecretValue($"sk_live_vault_000{i}"), Write(null), default);
        }

        var versions = new List<SecretVersionProperties>();
        await foreach (var v in _store.ListVersionsAsync(_name, default))
        {
            versions.Add(v);
        }

        Assert.Equal(5, versions.Count);
        Assert.Equal(_vault.VersionsOf(_name.Value).Select(v => v.Version).Order(), versions.Select(v => v.Version).Order());
        Assert.True(_vault.Requests.Count(r => r.Path.EndsWith("/versions", StringComparison.Ordinal) && r.Authenticated) >= 3);
        Assert.Empty(_vault.ValueReads);
    }

    [Fact]
    public async Task ListVersionsAsync_UnknownSecret_IsEmpty()
    {
        await foreach (var _ in _store.ListVersionsAsync(SecretName.ForTenant("nobody"), default))
        {
            Assert.Fail("No versions expected.");
        }
    }

    [Fact]
    public async Task UpdateVersionAsync_DisablesAndChangesExpiryOfOneVersion()
    {
        var first = await _store.SetAsync(_name, new SecretValue("sk_live_vault_0001"), Write(null), default);
        await _store.SetAsync(_name, new SecretValue("sk_live_vault_0002"), Write(null), default);
        var expiry = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var updated = await _store.UpdateVersionAsync(_name, first.Version, new SecretVersionUpdate(Enabled: false, ExpiresOn: expiry), default);

        Assert.False(updated.Enabled);
        var versions = _vault.VersionsOf(_name.Value);
        Assert.False(versions[0].Enabled);
        Assert.Equal(expiry, versions[0].ExpiresOn);
        Assert.Equal("contoso", versions[0].Tags["tenant-id"]);
        Assert.True(versions[1].Enabled);
    }

    [Fact]
    public async Task SetAsync_ThrottledOnceWithRetryAfter_RetriesAndSucceeds()
    {
        _vault.Enqueue(FaultKind.Throttle, retryAfterSeconds: 1);

        await _store.SetAsync(_name, new SecretValue("sk_live_vault_0001"), Write(null), default);

        Assert.Single(_vault.VersionsOf(_name.Value));
        Assert.Equal(2, _vault.Requests.Count(r => r.Method == "PUT" && r.Authenticated));
    }

    public static TheoryData<FaultKind, string> PersistentFaults => new()
    {
        { FaultKind.Throttle, "throttling" },
        { FaultKind.ServerError, "unavailable" },
        { FaultKind.DropConnection, "could not be reached" },
        { FaultKind.Slow, "did not answer within" },
    };

    [Theory]
    [MemberData(nameof(PersistentFaults))]
    public async Task SetAsync_PersistentFault_ThrowsARetryableErrorAndStoresNothing(FaultKind fault, string expected)
    {
        _vault.Enqueue(fault, times: 10, delay: TimeSpan.FromSeconds(5));
        var store = fault == FaultKind.Slow ? CreateStore(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)) : _store;

        var ex = await Assert.ThrowsAsync<SecretStoreException>(() =>
            store.SetAsync(_name, new SecretValue("sk_live_vault_fault_0001"), Write(null), default));

        Assert.True(ex.IsRetryable);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk_live_vault_fault_0001", ex.ToString(), StringComparison.Ordinal);
        if (fault != FaultKind.Slow)
        {
            Assert.Empty(_vault.VersionsOf(_name.Value));
        }

        // A slow vault may still complete writes the client gave up on: reconciliation's case, tested there.
    }

    [Theory]
    [InlineData("en", "The portal's identity is not allowed to do this in Key Vault.")]
    [InlineData("ja", "ポータルの ID には、Key Vault でこの操作を行う権限がありません。")]
    public async Task SetAsync_IdentityMayNotWrite_RefusesForGood_WordedInTheReadersLanguage_MessageEnglish(string culture, string text)
    {
        var clientOptions = new SecretClientOptions { Retry = { MaxRetries = 0 } };
        _vault.ConfigureClient(clientOptions);
        var readOnly = new KeyVaultSecretStore(new SecretClient(_vault.VaultUri, _vault.ReaderCredential, clientOptions),
            Microsoft.Extensions.Options.Options.Create(new SecretStoreOptions { Provider = SecretStoreProvider.AzureKeyVault, VaultUri = _vault.VaultUri }),
            NullLogger<KeyVaultSecretStore>.Instance);
        using var language = UiCulture.Use(culture);

        var ex = await Assert.ThrowsAsync<SecretStoreException>(() =>
            readOnly.SetAsync(_name, new SecretValue("sk_live_vault_forbidden_01"), Write(null), default));

        Assert.False(ex.IsRetryable);
        Assert.Equal(text, ex.Text);
        Assert.Equal("The portal's identity is not allowed to do this in Key Vault.", ex.Message);
        Assert.Empty(_vault.VersionsOf(_name.Value));
    }

    [Fact]
    public async Task CheckAvailabilityAsync_ReadsNoValue_AndFailsWhenTheVaultIsDown()
    {
        await _store.SetAsync(_name, new SecretValue("sk_live_vault_0001"), Write(null), default);
        await _store.CheckAvailabilityAsync(default);

        _vault.Enqueue(FaultKind.ServerError, times: 10);
        await Assert.ThrowsAsync<SecretStoreException>(() => _store.CheckAvailabilityAsync(default));
        Assert.Empty(_vault.ValueReads);
    }

    private static SecretWriteOptions Write(DateTimeOffset? expires) =>
        new("text/plain", new Dictionary<string, string> { ["tenant-id"] = "contoso", ["set-by-oid"] = Guid.NewGuid().ToString() }, expires);
}
