using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TenantPortal.Tests.TestHost;

/// <summary>Self-signed PKCS#12 files (RSA 2048) for <c>DataProtection:CertificatePath</c>, which hosts outside Development need.</summary>
public static class KeyRingCertificates
{
    public const string Password = "pfx-password-for-tests";

    private static readonly Lazy<byte[]> Shared = new(() =>
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=TenantPortal data protection (test hosts)", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        return certificate.Export(X509ContentType.Pkcs12, Password);
    });

    /// <summary>Writes the one certificate every test host outside Development shares (made once per test run) to <paramref name="path"/>.</summary>
    public static string WriteShared(string path)
    {
        File.WriteAllBytes(path, Shared.Value);
        return path;
    }

    /// <summary>Writes <c>&lt;folder&gt;/&lt;name&gt;.pfx</c>, valid for a year until <paramref name="notAfter"/> (default: a year from now).</summary>
    public static string Write(string folder, string name, DateTimeOffset? notAfter = null)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN=TenantPortal data protection ({name})", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var until = notAfter ?? DateTimeOffset.UtcNow.AddYears(1);
        using var certificate = request.CreateSelfSigned(until.AddYears(-1), until);
        var path = Path.Combine(folder, name + ".pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, Password));
        return path;
    }
}
