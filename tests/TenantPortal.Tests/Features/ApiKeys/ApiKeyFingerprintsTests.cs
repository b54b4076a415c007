using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.ApiKeys;

/// <summary>Fingerprints are keyed with a secret kept beside the key ring, so they tell versions apart without being a guessing oracle.</summary>
public sealed class ApiKeyFingerprintsTests : IDisposable
{
    private const string Key = "sk_live_fingerprint_0001";
    private readonly List<string> _folders = [];

    public void Dispose()
    {
        foreach (var folder in _folders)
        {
            TempDirectory.Delete(folder);
        }
    }

    /// <summary>A key ring folder as the portal configures it (application name TenantPortal).</summary>
    private string NewKeyRing()
    {
        var folder = TempDirectory.Create();
        _folders.Add(folder);
        return folder;
    }

    private static ApiKeyFingerprints On(string keyRing) => new(
        DataProtectionProvider.Create(new DirectoryInfo(keyRing), b => b.SetApplicationName("TenantPortal")),
        new KeyRingFolder(keyRing), NullLogger<ApiKeyFingerprints>.Instance);

    private static string UnsaltedSha256Prefix(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)).AsSpan(0, 8));

    [Fact]
    public async Task ComputeAsync_SameKeyOneKeyRing_SameFingerprint_AlsoAfterARestart()
    {
        var keyRing = NewKeyRing();
        using var first = On(keyRing);
        using var restarted = On(keyRing);

        var fingerprint = await first.ComputeAsync(new SecretValue(Key), default);

        Assert.Matches("^h1:[0-9a-f]{16}$", fingerprint);
        Assert.Equal(fingerprint, await first.ComputeAsync(new SecretValue(Key), default));
        Assert.Equal(fingerprint, await restarted.ComputeAsync(new SecretValue(Key), default));
        Assert.NotEqual(fingerprint, await first.ComputeAsync(new SecretValue(Key + "x"), default));
        Assert.True(fingerprint.Length <= 24, "the Fingerprint column and the vault tag hold 24 characters");
    }

    [Fact]
    public async Task ComputeAsync_AnotherKeyRing_AnotherFingerprint()
    {
        using var one = On(NewKeyRing());
        using var other = On(NewKeyRing());

        Assert.NotEqual(await one.ComputeAsync(new SecretValue(Key), default), await other.ComputeAsync(new SecretValue(Key), default));
    }

    [Fact]
    public async Task ComputeAsync_IsNotTheUnsaltedSha256Prefix()
    {
        using var fingerprints = On(NewKeyRing());

        var fingerprint = await fingerprints.ComputeAsync(new SecretValue(Key), default);

        Assert.NotEqual(UnsaltedSha256Prefix(Key), fingerprint);
        Assert.NotEqual(ApiKeyFingerprints.Prefix + UnsaltedSha256Prefix(Key), fingerprint);
        Assert.DoesNotContain(UnsaltedSha256Prefix(Key), fingerprint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ComputeAsync_KeyFileWithoutItsKeyRing_CannotBeUsed()
    {
        var keyRing = NewKeyRing();
        using (var original = On(keyRing))
        {
            await original.ComputeAsync(new SecretValue(Key), default);
        }

        // Only the fingerprint key's file, beside another key ring: as good as a copy of the database, i.e. useless.
        var elsewhere = NewKeyRing();
        File.Copy(Path.Combine(keyRing, ApiKeyFingerprints.KeyFileName), Path.Combine(elsewhere, ApiKeyFingerprints.KeyFileName));
        using var impostor = On(elsewhere);

        var refused = await Assert.ThrowsAsync<FingerprintKeyUnavailableException>(() => impostor.ComputeAsync(new SecretValue(Key), default));
        Assert.Contains("cannot be read with this Data Protection key ring", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ComputeAsync_ManyAtOnceOnAFreshKeyRing_MakeOneKey()
    {
        var keyRing = NewKeyRing();
        using var a = On(keyRing);
        using var b = On(keyRing);

        var all = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => (i % 2 == 0 ? a : b).ComputeAsync(new SecretValue(Key), default)));

        Assert.Single(all.Distinct());
        Assert.Single(Directory.GetFiles(keyRing, "api-key-fingerprint*"));
    }

    [Theory]
    [InlineData("h1:0123456789abcdef", false)]
    [InlineData("0123456789abcdef", true)]
    [InlineData("", false)]
    public void IsLegacy_TellsOldUnsaltedFingerprintsApart(string fingerprint, bool legacy) =>
        Assert.Equal(legacy, ApiKeyFingerprints.IsLegacy(fingerprint));
}

/// <summary>The keyed fingerprint through the portal: the row, the vault tag, reconciliation from the tag, and the key page.</summary>
public sealed class ApiKeyFingerprintPortalTests : IAsyncLifetime
{
    private const string Key = "sk_live_fingerprint_portal_a9F2";
    private PortalServices _portal = null!;

    public async Task InitializeAsync() => _portal = await PortalServices.StartAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task Submit_WritesTheKeyedFingerprintToTheRowAndTheVaultTag()
    {
        var result = await _portal.Get<ApiKeyService>().SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Key), default);

        Assert.True(result.Succeeded, result.Message);
        var expected = await _portal.Get<ApiKeyFingerprints>().ComputeAsync(new SecretValue(Key), default);
        Assert.StartsWith(ApiKeyFingerprints.Prefix, expected, StringComparison.Ordinal);
        var stored = Assert.Single(await _portal.StoredVersionsAsync("contoso"));
        Assert.Equal(expected, stored.Tags[ApiKeyTags.Fingerprint]);
        Assert.DoesNotContain(stored.Tags.Values, v => v.Contains(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Key)).AsSpan(0, 8)), StringComparison.Ordinal));
        await using var db = _portal.CreateDbContext();
        Assert.Equal(expected, (await db.ApiKeyVersions.SingleAsync()).Fingerprint);
        Assert.False(result.Version!.FingerprintIsLegacy);
    }

    [Fact]
    public async Task Submit_FingerprintKeyUnreadable_StoresNothing_AndSaysWhy()
    {
        // A key file this key ring did not write (e.g. a key ring replaced without its old keys).
        var keyFile = _portal.Get<ApiKeyFingerprints>().KeyFilePath;
        Directory.CreateDirectory(Path.GetDirectoryName(keyFile)!);
        await File.WriteAllTextAsync(keyFile, Convert.ToBase64String(Encoding.UTF8.GetBytes("not protected by this key ring")));

        var result = await _portal.Get<ApiKeyService>().SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Key), default);

        Assert.Equal(KeyChangeOutcome.Failed, result.Outcome);
        Assert.Equal("The portal cannot read the key it fingerprints API keys with (its Data Protection key ring changed), so the key was not stored. " +
            "Nothing was changed; an operator must restore the key ring.", result.Message);
        Assert.Empty(await _portal.StoredVersionsAsync("contoso"));
        await using var db = _portal.CreateDbContext();
        Assert.False(await db.ApiKeyVersions.AnyAsync());
        Assert.False(await db.AuditEvents.AnyAsync(e => e.Action == TenantPortal.Web.Infrastructure.Audit.AuditActions.ApiKeySubmit));
    }

    [Fact]
    public async Task Reconcile_RowLost_IsRestoredWithTheFingerprintFromItsTag()
    {
        var submitted = await _portal.Get<ApiKeyService>().SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Key), default);
        await using (var db = _portal.CreateDbContext())
        {
            await db.ApiKeyVersions.Where(v => v.TenantId == "contoso").ExecuteDeleteAsync();
        }

        Assert.Equal(new TenantReconciliation(TenantReconciliationOutcome.Reconciled, 1, 0), await _portal.Get<ApiKeyReconciler>().ReconcileTenantAsync("contoso", default));

        var overview = await _portal.Get<ApiKeyService>().GetOverviewAsync(TestPersonas.ContosoAdmin, "contoso", default);
        Assert.Equal(submitted.Version!.Fingerprint, overview!.Current!.Fingerprint);
        Assert.StartsWith(ApiKeyFingerprints.Prefix, overview.Current.Fingerprint, StringComparison.Ordinal);
        Assert.False(overview.Current.FingerprintIsLegacy);
    }
}
