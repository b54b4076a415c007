namespace TenantPortal.KeyReader;

/// <summary>
/// Reads a tenant's current API key — the newest enabled version the tenant stored through TenantPortal — with a
/// read-only identity, from an in-memory cache that follows rotations, restores and revokes. Register it with
/// <see cref="KeyReaderServiceCollectionExtensions.AddTenantApiKeyReader"/>; it is thread-safe and meant to be a singleton.
/// </summary>
public interface ITenantApiKeyProvider
{
    /// <summary>
    /// Returns the current version of <paramref name="tenantId"/>'s API key — the newest enabled version by creation time,
    /// which is the latest unless the portal disabled it to restore the previous one — from the cache while it is fresh
    /// (<see cref="TenantApiKeyReaderOptions.CacheTtl"/>), otherwise from the store, with one store read however many
    /// callers ask at once. When the store cannot be reached, a cached value keeps being served for at most
    /// <see cref="TenantApiKeyReaderOptions.MaxStaleness"/> after it was read. Never returns null.
    /// </summary>
    /// <param name="tenantId">The tenant's id in TenantPortal: 1–112 characters, letters <c>a-z A-Z</c>, digits and hyphens.</param>
    /// <param name="cancellationToken">Stops this caller's wait; a store read shared with other callers goes on.</param>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> breaks the tenant id rules (no store call is made).</exception>
    /// <exception cref="TenantApiKeyNotFoundException">The store has no key for this tenant: an unknown tenant, or one that never stored a key.</exception>
    /// <exception cref="TenantApiKeyDisabledException">Every version of the tenant's key is disabled (revoked).</exception>
    /// <exception cref="TenantApiKeyUnavailableException">The store could not be read and no cached value may be served.</exception>
    Task<TenantApiKey> GetApiKeyAsync(string tenantId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Forgets <paramref name="tenantId"/>'s cached key so that the next <see cref="GetApiKeyAsync"/> reads the store's
    /// current version. Call it when the third-party API refuses the key (HTTP 401): the tenant has probably rotated it.
    /// Ignored when the cached value was read less than <see cref="TenantApiKeyReaderOptions.InvalidationCooldown"/> ago,
    /// so that a burst of refusals makes one store read, not one per request.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> breaks the tenant id rules.</exception>
    void Invalidate(string tenantId);

    /// <summary>
    /// Tells the portal that the third-party API refused this version of the tenant's key (typically an HTTP 401, beside
    /// <see cref="Invalidate"/>), so that the tenant and support see that the stored key no longer works. Counted in
    /// memory and sent in the background with the usage counts
    /// (<see cref="TenantApiKeyReaderOptions.UsageReporting"/>); returns at once, never waits for the portal and never
    /// fails because of it. Does nothing when usage reporting is off.
    /// </summary>
    /// <param name="tenantId">The tenant, as given to <see cref="GetApiKeyAsync"/>.</param>
    /// <param name="version">The refused key's <see cref="TenantApiKey.Version"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> breaks the tenant id rules, or <paramref name="version"/> is not a version id.</exception>
    void ReportRejected(string tenantId, string version);
}
