using System.ComponentModel.DataAnnotations;
using Azure.Core;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Options;

namespace TenantPortal.KeyReader;

/// <summary>Where the keys are and how long they are cached. Bound from the <c>TenantApiKeyReader</c> section.</summary>
public sealed class TenantApiKeyReaderOptions
{
    /// <summary>The configuration section read by <see cref="KeyReaderServiceCollectionExtensions.AddTenantApiKeyReader"/>.</summary>
    public const string SectionName = "TenantApiKeyReader";

    /// <summary>Where the portal stores the keys: Azure Key Vault (default) or the portal's embedded local store.</summary>
    public TenantApiKeyStore Store { get; set; } = TenantApiKeyStore.AzureKeyVault;

    /// <summary>The vault, e.g. <c>https://contoso-portal-prod.vault.azure.net/</c>. Required for Key Vault.</summary>
    public Uri? VaultUri { get; set; }

    /// <summary>
    /// The reader's identity; it needs the <c>Key Vault Secrets User</c> role (read values and list version metadata) and nothing more. Default:
    /// <c>DefaultAzureCredential</c> (managed identity in Azure, the developer's login locally). Never bound from configuration.
    /// </summary>
    public TokenCredential? Credential { get; set; }

    /// <summary>Client id of a user-assigned managed identity for the default credential; empty for the system-assigned one.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>The portal's local store folder (its <c>SecretStore:Local:SecretsPath</c>). Required for <see cref="TenantApiKeyStore.Local"/>.</summary>
    public string? LocalSecretsPath { get; set; }

    /// <summary>The portal's Data Protection key ring folder (its <c>DataProtection:KeysPath</c>). Required for <see cref="TenantApiKeyStore.Local"/>; only read.</summary>
    public string? LocalKeysPath { get; set; }

    /// <summary>
    /// How long a value read from the store is served without asking the store again: the longest delay before a rotation
    /// is seen. Each value is kept between 90 % and 100 % of it, so that tenants read together are not refreshed together.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long an answer that is not a value — no such secret, disabled, access refused, store unreachable — is
    /// remembered: during an outage, each tenant costs the store one refresh (with the SDK's retries) per this period.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan NegativeCacheTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Stale-while-revalidate limit: while the store cannot be reached (outage, throttling, timeouts), a cached value keeps
    /// being served until it was read this long ago. Zero serves nothing stale.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan MaxStaleness { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a caller waits for the refresh of an expired value before it is given the cached value instead; from then
    /// until the refresh lands, every caller gets the cached value without waiting, and while the store is failing nobody
    /// waits at all. Bounds the latency a slow or throttling store adds. Zero: never wait when a value is cached (the first
    /// call after expiry then gets the old value).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RefreshWaitLimit { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Store reads in flight at once, over all tenants: a cold start misses every tenant together.</summary>
    [Range(1, 1000)]
    public int MaxConcurrentReads { get; set; } = 32;

    /// <summary>
    /// The most tenants whose answers are kept at once, values and "not found" alike: tenant ids that come from requests
    /// cannot grow the cache past it. Over it, tenants holding no value go first, then expired values, then the least
    /// recently used; an evicted tenant is read from the store again at its next call.
    /// </summary>
    [Range(1, 10_000_000, ErrorMessage = "TenantApiKeyReader:MaxCachedTenants must be between {1} and {2}: the most tenants whose answers the cache keeps at once.")]
    public int MaxCachedTenants { get; set; } = 100_000;

    /// <summary><see cref="ITenantApiKeyProvider.Invalidate"/> is ignored for a value read less than this long ago.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan InvalidationCooldown { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Usage and rejection reports to the portal; off until <see cref="TenantApiKeyUsageReportingOptions.PortalUri"/> is set.</summary>
    public TenantApiKeyUsageReportingOptions UsageReporting { get; set; } = new();

    /// <summary>
    /// A hook for the Key Vault client's options after the reader's defaults (3 retries, exponential back-off from 0.8 s to
    /// 8 s that honours the vault's Retry-After, 10 s per attempt, no content logging). Never bound from configuration.
    /// </summary>
    public Action<SecretClientOptions>? ConfigureClient { get; set; }
}

/// <summary>Where the portal keeps the keys.</summary>
public enum TenantApiKeyStore
{
    /// <summary>Azure Key Vault: secret <c>tenant-&lt;id&gt;-api-key</c>, one version per rotation.</summary>
    AzureKeyVault,

    /// <summary>The portal's embedded local store: encrypted files plus the Data Protection key ring folder.</summary>
    Local,
}

internal sealed class TenantApiKeyReaderOptionsValidator : IValidateOptions<TenantApiKeyReaderOptions>
{
    public ValidateOptionsResult Validate(string? name, TenantApiKeyReaderOptions options)
    {
        var failures = new List<string>();
        const string section = TenantApiKeyReaderOptions.SectionName;
        if (options.Store == TenantApiKeyStore.AzureKeyVault && options.VaultUri is not { IsAbsoluteUri: true, Scheme: "https" })
        {
            failures.Add($"{section}:VaultUri must be the vault's absolute https URI (e.g. https://my-vault.vault.azure.net/) when {section}:Store is AzureKeyVault.");
        }

        if (options.Store == TenantApiKeyStore.Local)
        {
            if (string.IsNullOrWhiteSpace(options.LocalSecretsPath) || string.IsNullOrWhiteSpace(options.LocalKeysPath))
            {
                failures.Add($"{section}:LocalSecretsPath and {section}:LocalKeysPath are required when {section}:Store is Local: the portal's secrets folder and its Data Protection key ring folder.");
            }
            else if (string.Equals(Path.GetFullPath(options.LocalSecretsPath).TrimEnd('/'), Path.GetFullPath(options.LocalKeysPath).TrimEnd('/'), StringComparison.Ordinal))
            {
                failures.Add($"{section}:LocalSecretsPath and {section}:LocalKeysPath must be different folders, as they are in the portal.");
            }
        }

        ValidateUsageReporting(options.UsageReporting, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateUsageReporting(TenantApiKeyUsageReportingOptions? usage, List<string> failures)
    {
        const string section = TenantApiKeyReaderOptions.SectionName + ":UsageReporting";
        if (usage is null)
        {
            return;
        }

        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(usage, new ValidationContext(usage), results, validateAllProperties: true))
        {
            failures.AddRange(results.Select(r => $"{section}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
        }

        if (!usage.Enabled)
        {
            return;
        }

        if (usage.PortalUri is not { IsAbsoluteUri: true, Scheme: "https" })
        {
            failures.Add($"{section}:PortalUri must be the portal's absolute https address (e.g. https://portal.contoso.com/).");
        }

        if (string.IsNullOrWhiteSpace(usage.PortalAppIdUri) || usage.PortalAppIdUri.EndsWith("/.default", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{section}:PortalAppIdUri must be the portal's Application ID URI (e.g. api://tenantportal-prod), without /.default, when {section}:PortalUri is set.");
        }

        if (usage.MaxBatchEntries > usage.MaxPendingEntries)
        {
            failures.Add($"{section}:MaxBatchEntries cannot be more than {section}:MaxPendingEntries.");
        }
    }
}
