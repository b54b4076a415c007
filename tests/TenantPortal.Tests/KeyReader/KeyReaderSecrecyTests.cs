using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using Azure.Core.Diagnostics;
using TenantPortal.KeyReader;
using TenantPortal.Tests.TestHost;

namespace TenantPortal.Tests.KeyReader;

/// <summary>Canary values through every path that logs or throws: none may reach a log, an SDK event or a message.</summary>
public sealed class KeyReaderSecrecyTests
{
    [Fact]
    public async Task GetApiKeyAsync_RotationOutageRevokeAndRefusals_NoValueInAnyLogOrMessage()
    {
        string[] canaries = ["sk_live_CANARY_READER_0001", "sk_live_CANARY_READER_0002", "sk_live_CANARY_READER_0003"];
        var texts = new List<string>();
        var sdkEvents = new ConcurrentQueue<string>();
        using var listener = new AzureEventSourceListener((_, message) => sdkEvents.Enqueue(message), EventLevel.Verbose);
        await using var h = await KeyVaultReaderHarness.StartAsync();

        await h.RotateAsync("contoso", canaries[0]);
        var key = await h.Provider.GetApiKeyAsync("contoso");
        Assert.Equal(canaries[0], key.Reveal());
        texts.Add(key.ToString());
        texts.Add($"{key}");

        // Rotation during an outage: the stale value serves (logged), then the new one (logged as a rotation).
        var v2 = await h.RotateAsync("contoso", canaries[1]);
        h.Vault.Enqueue(FaultKind.Throttle, times: 3);
        h.Time.Advance(KeyVaultReaderHarness.CacheTtl);
        Assert.Equal(canaries[0], (await h.Provider.GetApiKeyAsync("contoso")).Reveal());
        h.Time.Advance(KeyVaultReaderHarness.NegativeCacheTtl);
        Assert.Equal(canaries[0], (await h.Provider.GetApiKeyAsync("contoso")).Reveal());
        await h.WaitForLogAsync(r => r.Message.Contains("rotated", StringComparison.Ordinal));
        Assert.Equal(canaries[1], (await h.Provider.GetApiKeyAsync("contoso")).Reveal());
        h.Time.Advance(KeyVaultReaderHarness.InvalidationCooldown);
        h.Provider.Invalidate("contoso");
        Assert.Equal(canaries[1], (await h.Provider.GetApiKeyAsync("contoso")).Reveal());

        // Restore of the previous version (the newer one disabled): the older value serves, logged as such.
        await h.DisableAsync("contoso", v2.Version);
        h.Time.Advance(KeyVaultReaderHarness.CacheTtl);
        Assert.Equal(canaries[0], (await h.Provider.GetApiKeyAsync("contoso")).Reveal());

        // Revoke, a version tagged for another tenant, and a cold outage: each throws; the messages must be clean too.
        await h.RevokeAsync("contoso");
        h.Time.Advance(KeyVaultReaderHarness.CacheTtl);
        texts.Add((await Assert.ThrowsAsync<TenantApiKeyDisabledException>(() => h.Provider.GetApiKeyAsync("contoso"))).ToString());
        await h.RotateAsync("fabrikam", canaries[2], taggedTenantId: "contoso");
        texts.Add((await Assert.ThrowsAsync<TenantApiKeyUnavailableException>(() => h.Provider.GetApiKeyAsync("fabrikam"))).ToString());
        await h.RotateAsync("northwind", canaries[2]);
        h.Vault.Enqueue(FaultKind.ServerError, times: 3);
        texts.Add((await Assert.ThrowsAsync<TenantApiKeyUnavailableException>(() => h.Provider.GetApiKeyAsync("northwind"))).ToString());

        var logText = h.AllLogText().ToList();
        Assert.Contains(logText, t => t.Contains("serving the cached version", StringComparison.Ordinal));
        Assert.Contains(logText, t => t.Contains("rotated", StringComparison.Ordinal));
        Assert.Contains(logText, t => t.Contains("the newest enabled one", StringComparison.Ordinal));
        Assert.Contains(sdkEvents, e => e.Contains("tenant-contoso-api-key", StringComparison.Ordinal));
        foreach (var canary in canaries)
        {
            Assert.DoesNotContain(logText, t => t.Contains(canary, StringComparison.Ordinal));
            Assert.DoesNotContain(sdkEvents, e => e.Contains(canary, StringComparison.Ordinal));
            Assert.DoesNotContain(texts, t => t.Contains(canary, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void TenantApiKey_ToStringAndSerialization_NeverShowTheValue()
    {
        var key = new TenantApiKey("contoso", "0123456789abcdef0123456789abcdef", "sk_live_CANARY_TOSTRING_0001");

        Assert.Equal("API key of tenant contoso, version 0123456789abcdef0123456789abcdef (value redacted)", key.ToString());
        Assert.DoesNotContain("CANARY", System.Text.Json.JsonSerializer.Serialize(key), StringComparison.Ordinal);
        Assert.Equal("sk_live_CANARY_TOSTRING_0001", key.Reveal());
    }
}
