using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.SecretStore;

/// <summary>The Data Protection key ring encrypted at rest with a certificate, through the portal's real composition.</summary>
public sealed class KeyRingProtectionTests : IDisposable
{
    private const string Password = KeyRingCertificates.Password;
    private const string Purpose = "KeyRingProtectionTests";
    private readonly string _folder = TempDirectory.Create();

    private string KeysPath => Path.Combine(_folder, "keys");

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

        var keyFile = Assert.Single(Directory.GetFiles(KeysPath, "key-*.xml"));
        var xml = await File.ReadAllTextAsync(keyFile);
        Assert.Contains("EncryptedXmlDecryptor", xml, StringComparison.Ordinal);
        Assert.DoesNotContain("unencrypted form", xml, StringComparison.Ordinal);

        // A restart with the certificate reads it; the key files alone (no certificate) do not.
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
        Assert.DoesNotContain("EncryptedXmlDecryptor", await File.ReadAllTextAsync(Assert.Single(Directory.GetFiles(KeysPath, "key-*.xml"))), StringComparison.Ordinal);
    }

    private Task<PortalServices> StartAsync(string? certificatePath, string? previous = null, string password = Password) =>
        PortalServices.StartAsync(settings: new Dictionary<string, string?>
        {
            ["DataProtection:KeysPath"] = KeysPath,
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
