using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Data;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.SecretStore;

/// <summary>
/// The Data Protection key ring in the database, encrypted at rest with a certificate, through the portal's real
/// composition; each start here is a new process on the same database and key folder.
/// </summary>
public sealed class KeyRingProtectionTests : IDisposable
{
    private const string Password = KeyRingCertificates.Password;
    private const string Purpose = "KeyRingProtectionTests";
    private readonly string _folder = TempDirectory.Create();

    private string KeysPath => Path.Combine(_folder, "keys");

    private string DatabaseFile => Path.Combine(_folder, "portal.db");

    public void Dispose() => TempDirectory.Delete(_folder);

    [Fact]
    public async Task WithACertificate_TheKeyRingIsEncryptedAtRest_AndUselessWithoutIt()
    {
        var certificate = WritePfx("current");
        string protectedPayload;
        await using (var portal = await StartAsync(certificate))
        {
            protectedPayload = portal.Get<IDataProtectionProvider>().CreateProtector(Purpose).Protect("session payload");
        }

        var xml = Assert.Single(await KeyRowsAsync());
        Assert.Contains("EncryptedXmlDecryptor", xml, StringComparison.Ordinal);
        Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
        Assert.False(Directory.Exists(KeysPath) && Directory.GetFiles(KeysPath, "key-*.xml").Length > 0, "the portal's ring is in the database, not in files");

        // A restart with the certificate reads it; the database alone (no certificate) does not.
        await using (var restarted = await StartAsync(certificate))
        {
            Assert.Equal("session payload", restarted.Get<IDataProtectionProvider>().CreateProtector(Purpose).Unprotect(protectedPayload));
        }

        await using var withoutCertificate = await StartAsync(certificatePath: null);
        Assert.ThrowsAny<CryptographicException>(() => withoutCertificate.Get<IDataProtectionProvider>().CreateProtector(Purpose).Unprotect(protectedPayload));
    }

    [Fact]
    public async Task RotatingTheCertificate_KeepsEarlierKeysReadableThroughPreviousCertificatePaths()
    {
        var old = WritePfx("old");
        string protectedPayload;
        await using (var portal = await StartAsync(old))
        {
            protectedPayload = portal.Get<IDataProtectionProvider>().CreateProtector(Purpose).Protect("before rotation");
        }

        var replacement = WritePfx("new");
        await using var rotated = await StartAsync(replacement, previous: old);

        Assert.Equal("before rotation", rotated.Get<IDataProtectionProvider>().CreateProtector(Purpose).Unprotect(protectedPayload));
    }

    [Fact]
    public async Task MissingFile_WrongPassword_OrNoPrivateKey_StopTheStartWithTheSettingNamed()
    {
        var missing = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(Path.Combine(_folder, "nope.pfx")));
        Assert.Contains("DataProtection:CertificatePath: no certificate file at", missing.Message, StringComparison.Ordinal);

        var wrongPassword = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(WritePfx("pw"), password: "not-the-password"));
        Assert.Contains("DataProtection:CertificatePassword", wrongPassword.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", wrongPassword.Message, StringComparison.Ordinal);

        var publicOnly = Path.Combine(_folder, "public-only.pfx");
        using (var withKey = X509CertificateLoader.LoadPkcs12FromFile(WritePfx("public"), Password))
        using (var withoutKey = X509CertificateLoader.LoadCertificate(withKey.RawData))
        {
            await File.WriteAllBytesAsync(publicOnly, withoutKey.Export(X509ContentType.Pkcs12, Password));
        }

        var noKey = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(publicOnly));
        Assert.Contains("has no RSA private key", noKey.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public void OutsideDevelopment_WithoutACertificate_TheStartFailsWithTheSettingNamed(string environment)
    {
        using var factory = new PortalAppFactory { Environment = environment }.WithSetting(KeyRingProtection.CertificatePathKey, null);

        var failure = Assert.IsType<OptionsValidationException>(factory.StartupFailure());

        Assert.Equal(
            $"DataProtection:CertificatePath is required outside Development (this is {environment}): the key ring, which protects sign-in "
            + "sessions, webhook signing keys and the local store's values, must be encrypted at rest. Set it to a PKCS#12 file with an RSA "
            + "private key (DataProtection:CertificatePassword if the file has a password); in Azure, App Service loads it from Key Vault.",
            failure.Message);
    }

    [Fact]
    public async Task InDevelopment_WithoutACertificate_TheKeyRingIsPlainButTheStartGoesOn()
    {
        await using var portal = await StartAsync(certificatePath: null);

        var protectedPayload = portal.Get<IDataProtectionProvider>().CreateProtector(Purpose).Protect("development");

        Assert.Equal("development", portal.Get<IDataProtectionProvider>().CreateProtector(Purpose).Unprotect(protectedPayload));
        Assert.DoesNotContain("EncryptedXmlDecryptor", Assert.Single(await KeyRowsAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FirstStartOnADatabaseWithoutKeys_ImportsTheFileKeyRing_SoWhatItProtectedStaysReadable_AndOnlyOnce()
    {
        var certificate = WritePfx("current");
        // The portal before the move: its key ring in files, encrypted with the same certificate.
        string cookie;
        using (var before = X509CertificateLoader.LoadPkcs12FromFile(certificate, Password))
        {
            var files = DataProtectionProvider.Create(new DirectoryInfo(KeysPath), b => b.SetApplicationName("TenantPortal").ProtectKeysWithCertificate(before));
            cookie = files.CreateProtector(Purpose).Protect("issued before the move");
        }

        var keyFiles = Directory.GetFiles(KeysPath, "key-*.xml");
        await using (var portal = await StartAsync(certificate))
        {
            Assert.Equal("issued before the move", portal.Get<IDataProtectionProvider>().CreateProtector(Purpose).Unprotect(cookie));
            portal.Get<IDataProtectionProvider>().CreateProtector(Purpose).Protect("issued after");
        }

        Assert.Equal(keyFiles.Length, (await KeyRowsAsync()).Count);
        // A key file appearing later (the local store's ring, or an old instance) is not taken in again.
        File.Copy(keyFiles[0], Path.Combine(KeysPath, "key-00000000-0000-0000-0000-000000000001.xml"));
        await using (await StartAsync(certificate))
        {
        }

        Assert.Equal(keyFiles.Length, (await KeyRowsAsync()).Count);
    }

    [Fact]
    public async Task TheLocalStore_KeepsItsOwnKeyRingInTheKeysFolder_SharingNoKeyWithTheDatabase()
    {
        await using var portal = await StartAsync(WritePfx("current"));
        portal.Get<IDataProtectionProvider>().CreateProtector(Purpose).Protect("cookie");
        await portal.Get<ISecretStore>().SetAsync(SecretName.ForTenant("contoso"), new SecretValue("sk_live_key_ring_apart_0001"),
            new SecretWriteOptions("text/plain", new Dictionary<string, string>(), null), default);

        var fileKeys = Directory.GetFiles(KeysPath, "key-*.xml").Select(Path.GetFileNameWithoutExtension).ToList();
        var databaseKeys = await KeyNamesAsync();
        Assert.Single(fileKeys);
        Assert.Single(databaseKeys);
        Assert.Empty(fileKeys.Intersect(databaseKeys));
        Assert.Contains("EncryptedXmlDecryptor", await File.ReadAllTextAsync(Path.Combine(KeysPath, fileKeys[0] + ".xml")), StringComparison.Ordinal);
    }

    private async Task<List<string>> KeyRowsAsync()
    {
        await using var db = OpenDatabase();
        return await db.DataProtectionKeys.OrderBy(k => k.Id).Select(k => k.Xml!).ToListAsync();
    }

    private async Task<List<string>> KeyNamesAsync()
    {
        await using var db = OpenDatabase();
        return await db.DataProtectionKeys.Select(k => k.FriendlyName!).ToListAsync();
    }

    private SqlitePortalDbContext OpenDatabase() =>
        new(new DbContextOptionsBuilder<SqlitePortalDbContext>().UseSqlite($"Data Source={DatabaseFile};Pooling=False").Options);

    private Task<PortalServices> StartAsync(string? certificatePath, string? previous = null, string password = Password) =>
        PortalServices.StartAsync(settings: new Dictionary<string, string?>
        {
            ["DataProtection:KeysPath"] = KeysPath,
            ["ConnectionStrings:TenantPortal"] = $"Data Source={DatabaseFile}",
            [KeyRingProtection.CertificatePathKey] = certificatePath,
            [KeyRingProtection.CertificatePasswordKey] = certificatePath is null ? null : password,
            [KeyRingProtection.PreviousCertificatePathsKey] = previous,
        });

    [Fact]
    public async Task AnExpiredCertificate_KeepsWorking_SoExpiryNeverLocksEveryoneOut()
    {
        var expired = WritePfx("expired", notAfter: DateTimeOffset.UtcNow.AddDays(-1));
        string protectedPayload;
        await using (var portal = await StartAsync(expired))
        {
            protectedPayload = portal.Get<IDataProtectionProvider>().CreateProtector(Purpose).Protect("after expiry");
        }

        await using var restarted = await StartAsync(expired);
        Assert.Equal("after expiry", restarted.Get<IDataProtectionProvider>().CreateProtector(Purpose).Unprotect(protectedPayload));
    }

    private string WritePfx(string name, DateTimeOffset? notAfter = null) => KeyRingCertificates.Write(_folder, name, notAfter);
}
