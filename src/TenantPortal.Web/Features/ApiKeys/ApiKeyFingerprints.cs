using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using TenantPortal.Web.SecretStore;
using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Data;

namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>
/// A key version's fingerprint: <c>h1:</c> and the first 8 bytes of HMAC-SHA256 of the value, in hex. It tells versions
/// apart on the key page and in the vault's <c>fingerprint</c> tag, and is useless for guessing the key offline: the
/// HMAC key is 32 random bytes that exist only protected by the Data Protection key ring (purpose <see cref="Purpose"/>),
/// in the database's <c>FingerprintKeys</c> row, shared by every instance. The ring's own keys are encrypted with the
/// certificate kept outside the database, so neither a copy of the database nor a reader of the vault's tags can compute
/// a fingerprint for a guess; the vault never sees the key. Before the ring moved into the database the protected key
/// was a file beside the ring (<see cref="LegacyKeyFileName"/>): the first start that finds no row takes that file's
/// key, so fingerprints stay comparable. Fingerprints without the prefix are legacy: the first 8 bytes of an unsalted
/// SHA-256, written before keyed fingerprints, and shown as such.
/// </summary>
public sealed partial class ApiKeyFingerprints(
    IDataProtectionProvider dataProtection,
    IDbContextFactory<PortalDbContext> contexts,
    KeyRingFolder keyRing,
    TimeProvider time,
    ILogger<ApiKeyFingerprints> logger) : IDisposable
{
    public const string Purpose = "TenantPortal.ApiKeys.Fingerprint.v1";
    public const string Prefix = "h1:";
    public const string LegacyKeyFileName = "api-key-fingerprint.v1.protected";
    private const int KeyBytes = 32;
    private const int FingerprintBytes = 8;

    private readonly SemaphoreSlim _loading = new(1, 1);
    private byte[]? _key;

    /// <summary>Where the protected key was kept before it moved into the database: read once, if there is no row yet.</summary>
    public string LegacyKeyFilePath => Path.Combine(keyRing.Path, LegacyKeyFileName);

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
            var stored = await ReadAsync(cancellationToken) ?? await CreateAsync(protector, cancellationToken);
            byte[] key;
            try
            {
                key = protector.Unprotect(Convert.FromBase64String(stored));
            }
            catch (Exception ex) when (ex is CryptographicException or FormatException)
            {
                LogKeyUnreadable(logger, ex);
                throw new FingerprintKeyUnavailableException(ex);
            }

            if (key.Length != KeyBytes)
            {
                throw new FingerprintKeyUnavailableException(new CryptographicException($"The key is {key.Length} bytes, not {KeyBytes}."));
            }

            Volatile.Write(ref _key, key);
            return key;
        }
        finally
        {
            _loading.Release();
        }
    }

    private async Task<string?> ReadAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return await db.FingerprintKeys.AsNoTracking().Where(k => k.Id == FingerprintKey.CurrentId).Select(k => k.ProtectedKey).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>The key file's key when there is one (it was protected by the ring now in the database), else a new random key; when another instance stored one first, that one is the key.</summary>
    private async Task<string> CreateAsync(IDataProtector protector, CancellationToken cancellationToken)
    {
        var legacy = LegacyKeyFilePath;
        string protectedKey;
        if (File.Exists(legacy))
        {
            protectedKey = (await File.ReadAllTextAsync(legacy, cancellationToken)).Trim();
            try
            {
                // Only a key the ring can read is moved in: otherwise nothing is stored, and an operator can restore the ring and try again.
                CryptographicOperations.ZeroMemory(protector.Unprotect(Convert.FromBase64String(protectedKey)));
            }
            catch (Exception ex) when (ex is CryptographicException or FormatException)
            {
                LogLegacyKeyUnreadable(logger, ex, legacy);
                throw new FingerprintKeyUnavailableException(ex);
            }
        }
        else
        {
            var key = RandomNumberGenerator.GetBytes(KeyBytes);
            try
            {
                protectedKey = Convert.ToBase64String(protector.Protect(key));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(key);
            }
        }

        await using var db = contexts.CreateDbContext();
        db.FingerprintKeys.Add(new FingerprintKey { Id = FingerprintKey.CurrentId, ProtectedKey = protectedKey, CreatedAt = time.GetUtcNow() });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            if (File.Exists(legacy))
            {
                LogKeyMoved(logger, legacy);
            }
            else
            {
                LogKeyCreated(logger);
            }

            return protectedKey;
        }
        catch (DbUpdateException)
        {
            // Another instance stored the key first: keep theirs.
            return await ReadAsync(cancellationToken) ?? throw new FingerprintKeyUnavailableException(new InvalidOperationException("The fingerprint key row vanished."));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the API key fingerprint key (stored protected by the key ring)")]
    private static partial void LogKeyCreated(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Moved the API key fingerprint key from {Path} into the database (still protected by the key ring); the file is no longer read and may be deleted once every instance runs this version")]
    private static partial void LogKeyMoved(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "The API key fingerprint key file {Path} cannot be read with the key ring in the database (were the key files imported?); it was not moved")]
    private static partial void LogLegacyKeyUnreadable(ILogger logger, Exception exception, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "The API key fingerprint key cannot be read with this Data Protection key ring")]
    private static partial void LogKeyUnreadable(ILogger logger, Exception exception);
}

/// <summary>The fingerprint's HMAC key cannot be read (a key ring other than the one it was made with): no key is stored without a fingerprint.</summary>
public sealed class FingerprintKeyUnavailableException(Exception innerException)
    : Exception("The API key fingerprint key (the database's FingerprintKeys row) cannot be read with this Data Protection key ring. Restore the key ring " +
        "it was made with (the DataProtectionKeys rows and the certificate); deleting the row makes a new key, after which fingerprints of the same value made before no longer match.", innerException);
