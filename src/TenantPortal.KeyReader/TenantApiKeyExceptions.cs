namespace TenantPortal.KeyReader;

/// <summary>A tenant's API key could not be served. Messages name the tenant and the secret, never a value.</summary>
public abstract class TenantApiKeyException : Exception
{
    /// <summary>For derived exceptions.</summary>
    protected TenantApiKeyException(string tenantId, string message, Exception? innerException)
        : base(message, innerException) => TenantId = tenantId;

    /// <summary>The tenant whose key was asked for.</summary>
    public string TenantId { get; }
}

/// <summary>
/// The store has no key for the tenant: the tenant is unknown, or has never stored a key (the store cannot tell
/// the two apart). The answer is cached for <see cref="TenantApiKeyReaderOptions.NegativeCacheTtl"/>.
/// </summary>
public sealed class TenantApiKeyNotFoundException(string tenantId, string secretName)
    : TenantApiKeyException(tenantId, $"No API key is stored for tenant '{tenantId}' (secret {secretName} does not exist).", innerException: null);

/// <summary>
/// Every version of the tenant's key is disabled — an emergency revoke in the portal. (When only the latest is disabled,
/// as after a restore of the previous version, the newest enabled version is served instead.) The answer is cached for
/// <see cref="TenantApiKeyReaderOptions.NegativeCacheTtl"/> and never covered by a cached value.
/// </summary>
public sealed class TenantApiKeyDisabledException(string tenantId, string secretName)
    : TenantApiKeyException(tenantId, $"The API key of tenant '{tenantId}' is disabled (revoked): secret {secretName} has no enabled version.", innerException: null);

/// <summary>
/// The store could not be read and no cached value may be served: an outage longer than
/// <see cref="TenantApiKeyReaderOptions.MaxStaleness"/> or with nothing cached (<see cref="IsTransient"/>), or a refusal
/// that waiting will not fix — the identity lacks the role, the local key ring does not decrypt the value.
/// </summary>
public sealed class TenantApiKeyUnavailableException(string tenantId, string message, bool isTransient, Exception? innerException = null)
    : TenantApiKeyException(tenantId, message, innerException)
{
    /// <summary>True when trying again later may succeed (timeouts, throttling, 5xx, unreachable store).</summary>
    public bool IsTransient { get; } = isTransient;
}
