using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.ApiKeys;

/// <summary>
/// Fingerprints are keyed with a secret kept in the database only protected by the key ring, so they tell versions apart
/// without being a guessing oracle. Each "portal" here is a key ring (application name TenantPortal) and a database.
/// </summary>
public sealed class ApiKeyFingerprintsTests : IDisposable
{
    private const string Key = "sk_live_fingerprint_0001";
    private readonly List<string> _folders = [];
    private readonly List<ServiceProvider> _databases = [];

    public void Dispose()
    {
        foreach (var database in _databases)
        {
            database.Dispose();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var folder in _folders)
        {
            TempDirectory.Delete(folder);
        }
    }

    /// <summary>A key ring folder and a migrated database beside it.</summary>
    private async Task<Ring> NewRingAsync()
    {
        var folder = TempDirectory.Create();
        _folders.Add(folder);
        var services = new ServiceCollection()
            .AddDbContextFactory<SqlitePortalDbContext>(o => o.UseSqlite($"Data Source={Path.Combine(folder, "portal.db")}"))
            .BuildServiceProvider();
        _databases.Add(services);
        var contexts = new Contexts(services.GetRequiredService<IDbContextFactory<SqlitePortalDbContext>>());
        await using (var db = contexts.CreateDbContext())
        {
            await db.Database.MigrateAsync();
        }

        return new Ring(folder, DataProtectionProvider.Create(new DirectoryInfo(Path.Combine(folder, "keys")), b => b.SetApplicationName("TenantPortal")), contexts);
    }

    private static ApiKeyFingerprints On(Ring ring) =>
        new(ring.Protection, ring.Contexts, new KeyRingFolder(ring.Folder), TimeProvider.System, NullLogger<ApiKeyFingerprints>.Instance);

    private static string UnsaltedSha256Prefix(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)).AsSpan(0, 8));

    [Fact]
    public async Task ComputeAsync_SameKeyOneKeyRing_SameFingerprint_AlsoAfterARestart()
    {
        var ring = await NewRingAsync();
        using var first = On(ring);
        using var restarted = On(ring);

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
        using var one = On(await NewRingAsync());
        using var other = On(await NewRingAsync());

        Assert.NotEqual(await one.ComputeAsync(new SecretValue(Key), default), await other.ComputeAsync(new SecretValue(Key), default));
    }

    [Fact]
    public async Task ComputeAsync_IsNotTheUnsaltedSha256Prefix()
    {
        using var fingerprints = On(await NewRingAsync());

        var fingerprint = await fingerprints.ComputeAsync(new SecretValue(Key), default);

        Assert.NotEqual(UnsaltedSha256Prefix(Key), fingerprint);
        Assert.NotEqual(ApiKeyFingerprints.Prefix + UnsaltedSha256Prefix(Key), fingerprint);
        Assert.DoesNotContain(UnsaltedSha256Prefix(Key), fingerprint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ComputeAsync_KeyRowWithoutItsKeyRing_CannotBeUsed()
    {
        var ring = await NewRingAsync();
        using (var original = On(ring))
        {
            await original.ComputeAsync(new SecretValue(Key), default);
        }

        // Only the database's row, with another key ring: as good as a copy of the database without the certificate, i.e. useless.
        var elsewhere = await NewRingAsync();
        await using (var from = ring.Contexts.CreateDbContext())
        await using (var to = elsewhere.Contexts.CreateDbContext())
        {
            to.FingerprintKeys.Add(await from.FingerprintKeys.AsNoTracking().SingleAsync());
            await to.SaveChangesAsync();
        }

        using var impostor = On(elsewhere);

        var refused = await Assert.ThrowsAsync<FingerprintKeyUnavailableException>(() => impostor.ComputeAsync(new SecretValue(Key), default));
        Assert.Contains("cannot be read with this Data Protection key ring", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ComputeAsync_ManyAtOnceOnAFreshKeyRing_MakeOneKey()
    {
        var ring = await NewRingAsync();
        using var a = On(ring);
        using var b = On(ring);

        var all = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => (i % 2 == 0 ? a : b).ComputeAsync(new SecretValue(Key), default)));

        Assert.Single(all.Distinct());
        await using var db = ring.Contexts.CreateDbContext();
        Assert.Equal(FingerprintKey.CurrentId, (await db.FingerprintKeys.SingleAsync()).Id);
        Assert.Empty(Directory.GetFiles(ring.Folder, "api-key-fingerprint*"));
    }

    [Fact]
    public async Task ComputeAsync_KeyFileFromBeforeTheMove_IsTakenIntoTheDatabase_SoFingerprintsStayTheSame()
    {
        var ring = await NewRingAsync();
        var hmacKey = RandomNumberGenerator.GetBytes(32);
        var protectedKey = Convert.ToBase64String(ring.Protection.CreateProtector(ApiKeyFingerprints.Purpose).Protect(hmacKey));
        await File.WriteAllTextAsync(Path.Combine(ring.Folder, ApiKeyFingerprints.LegacyKeyFileName), protectedKey);
        using var fingerprints = On(ring);

        var fingerprint = await fingerprints.ComputeAsync(new SecretValue(Key), default);

        Assert.Equal(ApiKeyFingerprints.Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(hmacKey, Encoding.UTF8.GetBytes(Key)).AsSpan(0, 8)), fingerprint);
        await using var db = ring.Contexts.CreateDbContext();
        Assert.Equal(protectedKey, (await db.FingerprintKeys.SingleAsync()).ProtectedKey);
    }

    [Fact]
    public async Task ComputeAsync_KeyFileTheRingCannotRead_IsNotTakenIn_AndNothingIsStored()
    {
        var ring = await NewRingAsync();
        var otherRing = await NewRingAsync();
        await File.WriteAllTextAsync(Path.Combine(ring.Folder, ApiKeyFingerprints.LegacyKeyFileName),
            Convert.ToBase64String(otherRing.Protection.CreateProtector(ApiKeyFingerprints.Purpose).Protect(RandomNumberGenerator.GetBytes(32))));
        using var fingerprints = On(ring);

        await Assert.ThrowsAsync<FingerprintKeyUnavailableException>(() => fingerprints.ComputeAsync(new SecretValue(Key), default));

        await using var db = ring.Contexts.CreateDbContext();
        Assert.False(await db.FingerprintKeys.AnyAsync());
    }

    [Theory]
    [InlineData("h1:0123456789abcdef", false)]
    [InlineData("0123456789abcdef", true)]
    [InlineData("", false)]
    public void IsLegacy_TellsOldUnsaltedFingerprintsApart(string fingerprint, bool legacy) =>
        Assert.Equal(legacy, ApiKeyFingerprints.IsLegacy(fingerprint));

    private sealed record Ring(string Folder, IDataProtectionProvider Protection, IDbContextFactory<PortalDbContext> Contexts);

    private sealed class Contexts(IDbContextFactory<SqlitePortalDbContext> inner) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => inner.CreateDbContext();
    }
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
        // A key this key ring did not protect (e.g. a key ring replaced without its old keys).
        await using (var seed = _portal.CreateDbContext())
        {
            seed.FingerprintKeys.Add(new FingerprintKey
            {
                Id = FingerprintKey.CurrentId,
                ProtectedKey = Convert.ToBase64String(Encoding.UTF8.GetBytes("not protected by this key ring")),
            });
            await seed.SaveChangesAsync();
        }

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
