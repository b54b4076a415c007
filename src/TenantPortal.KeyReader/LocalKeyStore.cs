using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TenantPortal.KeyReader;

/// <summary>
/// Reads the portal's embedded local store: <c>&lt;secrets&gt;/&lt;name&gt;.json</c> holds the versions, each value
/// protected by Data Protection (application "TenantPortal", purpose <c>TenantPortal.SecretStore.Local.v1</c> + the
/// secret name) with the key ring in its own folder. This adapter only unprotects: its key ring is read-only (no key
/// generation), it never writes a file, and it lives in its own container so the backend's own Data Protection
/// settings are untouched. The current version is the newest enabled one by creation time, as with Key Vault.
/// </summary>
internal sealed class LocalKeyStore : IKeyStore, IDisposable
{
    /// <summary>What the portal passes to <c>SetApplicationName</c>; part of every protector's purpose chain.</summary>
    internal const string PortalApplicationName = "TenantPortal";

    /// <summary>The portal's LocalSecretStore purpose; the secret name is the second purpose.</summary>
    internal const string ProtectorPurpose = "TenantPortal.SecretStore.Local.v1";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly string _secretsPath;
    private readonly ServiceProvider _dataProtectionServices;
    private readonly IDataProtectionProvider _dataProtection;

    public LocalKeyStore(string secretsPath, string keysPath, ILoggerFactory loggerFactory)
    {
        _secretsPath = secretsPath;
        var services = new ServiceCollection();
        services.AddSingleton(loggerFactory);
        services.AddDataProtection()
            .SetApplicationName(PortalApplicationName)
            .PersistKeysToFileSystem(new DirectoryInfo(keysPath))
            .DisableAutomaticKeyGeneration();
        _dataProtectionServices = services.BuildServiceProvider();
        _dataProtection = _dataProtectionServices.GetRequiredService<IDataProtectionProvider>();
    }

    public async Task<StoreRead> ReadCurrentAsync(string secretName, CancellationToken cancellationToken)
    {
        LocalSecretFile? file;
        try
        {
            // The portal writes a temporary file and renames it over the old one, so a read sees one whole file.
            await using var stream = new FileStream(Path.Combine(_secretsPath, secretName + ".json"),
                FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 4096, useAsync: true);
            file = await JsonSerializer.DeserializeAsync<LocalSecretFile>(stream, Json, cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return StoreRead.NotFound;
        }
        catch (Exception ex) when (ex is IOException)
        {
            return StoreRead.Failed("The local store's file could not be read.", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            return StoreRead.Refused("The reader may not read the local store's folder.", ex);
        }
        catch (JsonException ex)
        {
            return StoreRead.Refused("The local store's file is not in the portal's format.", ex);
        }

        var versions = file?.Versions;
        if (versions is null || versions.Count == 0)
        {
            return StoreRead.NotFound;
        }

        var current = NewestOf(versions, enabledOnly: true);
        if (current is null)
        {
            return StoreRead.Disabled;
        }

        var latestDisabled = !ReferenceEquals(current, NewestOf(versions, enabledOnly: false));
        if (string.IsNullOrEmpty(current.Version) || string.IsNullOrEmpty(current.ProtectedValue))
        {
            return StoreRead.Refused("The local store's file is not in the portal's format.");
        }

        try
        {
            var value = _dataProtection.CreateProtector(ProtectorPurpose, secretName).Unprotect(current.ProtectedValue);
            return StoreRead.Found(current.Version, value, current.Tags?.GetValueOrDefault(StoreTags.TenantId), latestDisabled);
        }
        catch (Exception ex) when (ex is CryptographicException or InvalidOperationException)
        {
            // A key ring without the portal's key: Data Protection throws the first, or the second when it holds no key at all.
            return StoreRead.Refused("The value cannot be decrypted with the key ring folder given: it must be the portal's DataProtection:KeysPath.", ex);
        }
    }

    public void Dispose() => _dataProtectionServices.Dispose();

    /// <summary>Latest created; the portal appends versions, so of two created in the same instant the later in the file.</summary>
    private static LocalSecretVersion? NewestOf(List<LocalSecretVersion> versions, bool enabledOnly)
    {
        LocalSecretVersion? newest = null;
        foreach (var version in versions)
        {
            if ((!enabledOnly || version.Enabled) && (newest is null || Nullable.Compare(version.CreatedOn, newest.CreatedOn) >= 0))
            {
                newest = version;
            }
        }

        return newest;
    }

    private sealed class LocalSecretFile
    {
        public List<LocalSecretVersion>? Versions { get; init; }
    }

    private sealed class LocalSecretVersion
    {
        public string? Version { get; init; }

        public string? ProtectedValue { get; init; }

        public bool Enabled { get; init; }

        public DateTimeOffset? CreatedOn { get; init; }

        public Dictionary<string, string>? Tags { get; init; }
    }
}
