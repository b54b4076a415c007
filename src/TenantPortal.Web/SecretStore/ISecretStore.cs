namespace TenantPortal.Web.SecretStore;

/// <summary>
/// The portal's write-only port to where tenant API keys live. There is deliberately no method that
/// returns a value: the portal's identity can set, enable, disable and list versions, never read.
/// </summary>
public interface ISecretStore
{
    /// <summary>Writes <paramref name="value"/> as a new version of <paramref name="name"/> and returns its properties.</summary>
    /// <exception cref="SecretStoreException">The store did not confirm the write.</exception>
    Task<SecretVersionProperties> SetAsync(SecretName name, SecretValue value, SecretWriteOptions options, CancellationToken cancellationToken);

    /// <summary>Enables or disables a version, or changes its expiry. The value is untouched.</summary>
    /// <exception cref="SecretStoreException">The store did not confirm the change, or the version does not exist.</exception>
    Task<SecretVersionProperties> UpdateVersionAsync(SecretName name, string version, SecretVersionUpdate update, CancellationToken cancellationToken);

    /// <summary>
    /// Lists the properties (never values) of every version of <paramref name="name"/>, oldest first in the order the
    /// backend's KeyReader ranks them, so that the last enabled one is the version it serves; empty when the secret does not exist.
    /// </summary>
    IAsyncEnumerable<SecretVersionProperties> ListVersionsAsync(SecretName name, CancellationToken cancellationToken);

    /// <summary>Throws <see cref="SecretStoreException"/> when the store cannot take writes now.</summary>
    Task CheckAvailabilityAsync(CancellationToken cancellationToken);
}

/// <summary>What the store says about one version: metadata only.</summary>
public sealed record SecretVersionProperties(
    string Name,
    string Version,
    bool Enabled,
    DateTimeOffset? CreatedOn,
    DateTimeOffset? UpdatedOn,
    DateTimeOffset? ExpiresOn,
    string? ContentType,
    IReadOnlyDictionary<string, string> Tags);

public sealed record SecretWriteOptions(string ContentType, IReadOnlyDictionary<string, string> Tags, DateTimeOffset? ExpiresOn);

public sealed record SecretVersionUpdate(bool? Enabled = null, DateTimeOffset? ExpiresOn = null);
