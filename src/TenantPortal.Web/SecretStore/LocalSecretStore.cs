using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using TenantPortal.Web.Infrastructure.Files;

namespace TenantPortal.Web.SecretStore;

/// <summary>
/// The embedded default: each secret is a JSON file of versions whose values are encrypted with a
/// purpose-scoped Data Protection protector. The key ring lives in its own folder, apart from both this
/// folder and the metadata database, so a copy of either alone reveals nothing. Like Key Vault for the
/// portal's identity, this adapter can write but never decrypt. Its folder is 0700 and its files 0600 (<see cref="PrivateFiles"/>).
/// </summary>
public sealed class LocalSecretStore : ISecretStore, IDisposable
{
    /// <summary>Key Vault's limits, kept here so the embedded default refuses what production would.</summary>
    public const int MaxValueBytes = 25 * 1024;
    public const int MaxTags = 15;
    public const int MaxTagValueLength = 512;

    private const string ProtectorPurpose = "TenantPortal.SecretStore.Local.v1";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly IDataProtectionProvider _dataProtection;
    private readonly TimeProvider _time;
    private readonly string _directory;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public LocalSecretStore(IDataProtectionProvider dataProtection, TimeProvider time, IOptions<LocalSecretStoreOptions> options)
    {
        _dataProtection = dataProtection;
        _time = time;
        _directory = options.Value.SecretsPath;
        PrivateFiles.CreateFolder(_directory);
    }

    public async Task<SecretVersionProperties> SetAsync(SecretName name, SecretValue value, SecretWriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(options);
        if (System.Text.Encoding.UTF8.GetByteCount(value.Expose()) > MaxValueBytes)
        {
            throw SecretStoreException.Worded("ValueTooLarge", isRetryable: false, null, MaxValueBytes / 1024);
        }

        if (options.Tags.Count > MaxTags || options.Tags.Values.Any(v => v.Length > MaxTagValueLength))
        {
            throw SecretStoreException.Worded("TooManyTags", isRetryable: false, null, MaxTags, MaxTagValueLength);
        }

        var protector = _dataProtection.CreateProtector(ProtectorPurpose, name.Value);
        var now = _time.GetUtcNow();
        var entry = new StoredVersion
        {
            Version = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            ProtectedValue = protector.Protect(value.Expose()),
            ContentType = options.ContentType,
            Enabled = true,
            CreatedOn = now,
            UpdatedOn = now,
            ExpiresOn = options.ExpiresOn,
            Tags = new Dictionary<string, string>(options.Tags),
        };

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var file = await ReadAsync(name, cancellationToken) ?? new StoredSecret { Name = name.Value };
            file.Versions.Add(entry);
            await WriteAsync(file, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }

        return ToProperties(name.Value, entry);
    }

    public async Task<SecretVersionProperties> UpdateVersionAsync(SecretName name, string version, SecretVersionUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var file = await ReadAsync(name, cancellationToken);
            var entry = file?.Versions.FirstOrDefault(v => v.Version == version)
                ?? throw SecretStoreException.Worded("NoSuchVersion", isRetryable: false, null, version, name.Value);

            entry.Enabled = update.Enabled ?? entry.Enabled;
            entry.ExpiresOn = update.ExpiresOn ?? entry.ExpiresOn;
            entry.UpdatedOn = _time.GetUtcNow();
            await WriteAsync(file!, cancellationToken);
            return ToProperties(name.Value, entry);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async IAsyncEnumerable<SecretVersionProperties> ListVersionsAsync(SecretName name, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        StoredSecret? file;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            file = await ReadAsync(name, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }

        foreach (var entry in file?.Versions ?? [])
        {
            yield return ToProperties(name.Value, entry);
        }
    }

    public async Task CheckAvailabilityAsync(CancellationToken cancellationToken)
    {
        try
        {
            var probe = Path.Combine(_directory, $".probe-{Guid.NewGuid():N}");
            await using (var stream = PrivateFiles.OpenNew(probe))
            {
                await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(_dataProtection.CreateProtector(ProtectorPurpose, "probe").Protect("probe")), cancellationToken);
            }

            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw SecretStoreException.Worded("LocalStoreUnavailable", isRetryable: true, ex);
        }
    }

    public void Dispose() => _gate.Dispose();

    private string PathOf(SecretName name) => Path.Combine(_directory, name.Value + ".json");

    private async Task<StoredSecret?> ReadAsync(SecretName name, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        if (!File.Exists(path))
        {
            return null;
        }

        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<StoredSecret>(stream, Json, cancellationToken);
    }

    private async Task WriteAsync(StoredSecret file, CancellationToken cancellationToken)
    {
        // Write then rename: a crash leaves either the old file or the new one, never half of one.
        var path = Path.Combine(_directory, file.Name + ".json");
        var temp = path + ".tmp";
        File.Delete(temp); // a crash's leftover: the new file is created 0600, never reused with another mode
        await using (var stream = PrivateFiles.OpenNew(temp))
        {
            await JsonSerializer.SerializeAsync(stream, file, Json, cancellationToken);
        }

        File.Move(temp, path, overwrite: true);
    }

    private static SecretVersionProperties ToProperties(string name, StoredVersion entry) =>
        new(name, entry.Version, entry.Enabled, entry.CreatedOn, entry.UpdatedOn, entry.ExpiresOn, entry.ContentType, entry.Tags);

    private sealed class StoredSecret
    {
        public required string Name { get; init; }

        public List<StoredVersion> Versions { get; init; } = [];
    }

    private sealed class StoredVersion
    {
        public required string Version { get; init; }

        public required string ProtectedValue { get; init; }

        public string? ContentType { get; init; }

        public bool Enabled { get; set; }

        public DateTimeOffset CreatedOn { get; init; }

        public DateTimeOffset UpdatedOn { get; set; }

        public DateTimeOffset? ExpiresOn { get; set; }

        public Dictionary<string, string> Tags { get; init; } = [];
    }
}

public sealed class LocalSecretStoreOptions
{
    /// <summary>Folder of encrypted secret files, resolved from <c>SecretStore:Local:SecretsPath</c> or the app-data folder.</summary>
    public string SecretsPath { get; set; } = "";
}
