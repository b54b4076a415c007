using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace TenantPortal.Web.SecretStore;

/// <summary>
/// Encrypts the Data Protection key rings at rest with a certificate (<c>DataProtection:CertificatePath</c>), so the
/// portal's ring in the database, and the local store's in <c>DataProtection:KeysPath</c>, are useless without it. They
/// protect the session cookies (and the Entra refresh tokens in them), the webhook signing keys, the fingerprint key and
/// the local secret store; in Azure the certificate lives in Key Vault and App Service loads it
/// (<c>WEBSITE_LOAD_CERTIFICATES</c>, infra/README.md), apart from the database. Keys written under an earlier certificate stay readable through
/// <c>DataProtection:PreviousCertificatePaths</c> while that certificate is rotated out. Outside Development the
/// certificate is required: a plain key ring on disk would hand every session and signing key to whoever reads the folder.
/// </summary>
public static class KeyRingProtection
{
    public const string CertificatePathKey = "DataProtection:CertificatePath";
    public const string CertificatePasswordKey = "DataProtection:CertificatePassword";
    public const string PreviousCertificatePathsKey = "DataProtection:PreviousCertificatePaths";

    /// <summary>
    /// Applies the certificate. Without one the key ring is stored unencrypted, which only Development allows: anywhere
    /// else the start fails with the setting named.
    /// </summary>
    public static IDataProtectionBuilder ProtectKeyRingFromConfiguration(
        this IDataProtectionBuilder builder, IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        if (string.IsNullOrWhiteSpace(configuration[CertificatePathKey]))
        {
            return environment.IsDevelopment()
                ? builder
                : throw Invalid($"{CertificatePathKey} is required outside Development (this is {environment.EnvironmentName}): the key ring, which "
                    + "protects sign-in sessions, webhook signing keys and the local store's values, must be encrypted at rest. Set it to a PKCS#12 "
                    + $"file with an RSA private key ({CertificatePasswordKey} if the file has a password); in Azure, App Service loads it from Key Vault.");
        }

        var contentRoot = environment.ContentRootPath;

        var password = configuration[CertificatePasswordKey];
        var current = Load(CertificatePathKey, configuration[CertificatePathKey]!, password, contentRoot);
        var previous = (configuration[PreviousCertificatePathsKey] ?? "")
            .Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(path => Load(PreviousCertificatePathsKey, path, password, contentRoot));
        return builder.ProtectKeysWithCertificate(current).UnprotectKeysWithAnyCertificate([current, .. previous]);
    }

    private static X509Certificate2 Load(string setting, string path, string? password, string contentRoot)
    {
        var full = Path.GetFullPath(path, contentRoot);
        if (!File.Exists(full))
        {
            throw Invalid($"{setting}: no certificate file at {full}.");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(full, string.IsNullOrEmpty(password) ? null : password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException ex)
        {
            throw Invalid($"{setting}: {full} is not a PKCS#12 (.pfx/.p12) file this password opens (DataProtection:CertificatePassword): {ex.Message}");
        }

        if (!certificate.HasPrivateKey || certificate.GetRSAPrivateKey() is not { } rsa)
        {
            certificate.Dispose();
            throw Invalid($"{setting}: the certificate in {full} has no RSA private key; the key ring needs one to be read back.");
        }

        rsa.Dispose();
        return certificate;
    }

    private static OptionsValidationException Invalid(string failure) =>
        new("DataProtection", typeof(KeyRingProtection), [failure]);
}
