using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using TenantPortal.Web.SecretStore;
using TenantPortal.Web.Infrastructure.Files;

namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>
/// A key version's fingerprint: <c>h1:</c> and the first 8 bytes of HMAC-SHA256 of the value, in hex. It tells versions
/// apart on the key page and in the vault's <c>fingerprint</c> tag, and is useless for guessing the key offline: the
/// HMAC key is 32 random bytes kept beside the Data Protection key ring (<see cref="KeyFileName"/>, protected with the
/// purpose <see cref="Purpose"/>), never in the database or the vault, so neither a copy of the database nor a reader
/// of the vault's tags can compute a fingerprint for a guess. Fingerprints without the prefix are legacy: the first 8
/// bytes of an unsalted SHA-256, written before this, and shown as such.
/// </summary>
public sealed partial class ApiKeyFingerprints(IDataProtectionProvider dataProtection, KeyRingFolder keyRing, ILogger<ApiKeyFingerprints> logger) : IDisposable
{
    public const string Purpose = "TenantPortal.ApiKeys.Fingerprint.v1";
    public const string Prefix = "h1:";
    public const string KeyFileName = "api-key-fingerprint.v1.protected";
    private const int KeyBytes = 32;
    private const int FingerprintBytes = 8;

    private readonly SemaphoreSlim _loading = new(1, 1);
    private byte[]? _key;

    /// <summary>The file holding the protected HMAC key: in the key ring's folder, which Data Protection reads only <c>*.xml</c> from.</summary>
    public string KeyFilePath => Path.Combine(keyRing.Path, KeyFileName);

    /// <summary>Whether a stored fingerprint predates keyed fingerprints (an unsalted SHA-256 prefix): shown marked as legacy.</summary>
    public static bool IsLegacy(string? fingerprint) =>
        !string.IsNullOrEmpty(fingerprint) && !fingerprint.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The fingerprint of <paramref name="value"/>. Throws <see cref="FingerprintKeyUnavailableException"/> when the HMAC key cannot be read.</summary>
    public async Task<string> ComputeAsync(SecretValue value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        var key = Volatile.Read(ref _key) ?? await LoadAsync(cancellationToken);
        var text = value.Expose();
        var bytes = new byte[Encoding.UTF8.GetByteCount(text)];
        try
        {
            Encoding.UTF8.GetBytes(text, bytes);
            var mac = HMACSHA256.HashData(key, bytes);
            return Prefix + Convert.ToHexStringLower(mac.AsSpan(0, FingerprintBytes));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    public void Dispose() => _loading.Dispose();

    private async Task<byte[]> LoadAsync(CancellationToken cancellationToken)
    {
        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_key is { } loaded)
            {
                return loaded;
            }

            var protector = dataProtection.CreateProtector(Purpose);
            var path = KeyFilePath;
            if (!File.Exists(path))
            {
                await CreateAsync(path, protector, cancellationToken);
            }

            byte[] key;
            try
            {
                key = protector.Unprotect(Convert.FromBase64String((await File.ReadAllTextAsync(path, cancellationToken)).Trim()));
            }
            catch (Exception ex) when (ex is CryptographicException or FormatException or IOException)
            {
                LogKeyUnreadable(logger, ex, path);
                throw new FingerprintKeyUnavailableException(path, ex);
            }

            if (key.Length != KeyBytes)
            {
                throw new FingerprintKeyUnavailableException(path, new CryptographicException($"The key is {key.Length} bytes, not {KeyBytes}."));
            }

            Volatile.Write(ref _key, key);
            return key;
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>A new random key, written protected; when another instance wrote one first, that one is the key.</summary>
    private async Task CreateAsync(string path, IDataProtector protector, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = RandomNumberGenerator.GetBytes(KeyBytes);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            // Owner-only from the start, like the key ring's own files.
            await using (var file = PrivateFiles.OpenNew(temporary))
            await using (var writer = new StreamWriter(file))
            {
                await writer.WriteAsync(Convert.ToBase64String(protector.Protect(key)).AsMemory(), cancellationToken);
            }

            File.Move(temporary, path, overwrite: false);
            LogKeyCreated(logger, path);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another instance (or a concurrent start) made the key first: keep theirs, read below.
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            File.Delete(temporary);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the API key fingerprint key at {Path}")]
    private static partial void LogKeyCreated(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "The API key fingerprint key at {Path} cannot be read with this Data Protection key ring")]
    private static partial void LogKeyUnreadable(ILogger logger, Exception exception, string path);
}

/// <summary>The fingerprint's HMAC key cannot be read (a key ring other than the one it was made with): no key is stored without a fingerprint.</summary>
public sealed class FingerprintKeyUnavailableException(string path, Exception innerException)
    : Exception($"The API key fingerprint key ({path}) cannot be read with this Data Protection key ring. Restore the key ring it was made with; " +
        "deleting the file makes a new key, after which fingerprints of the same value made before no longer match.", innerException);
