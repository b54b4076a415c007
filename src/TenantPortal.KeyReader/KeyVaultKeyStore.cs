using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;

namespace TenantPortal.KeyReader;

/// <summary>
/// Key Vault through the real SDK. The common path is one <c>SecretClient.GetSecretAsync</c> for the latest version. When
/// that version is disabled (the portal restored the previous one, or revoked them all), the version list is read
/// (<c>GetPropertiesOfSecretVersionsAsync</c>, metadata only) and the newest enabled version by creation time is read by
/// its id. The identity needs <c>Key Vault Secrets User</c> (getSecret, readMetadata) and nothing else. Throttling (429
/// with Retry-After), 5xx and dropped connections are retried by the SDK's retry policy before they come back here as a
/// failure.
/// </summary>
internal sealed class KeyVaultKeyStore(SecretClient client) : IKeyStore
{
    /// <summary>List-then-get rounds before giving up when the chosen version keeps being disabled in between (a revoke under way).</summary>
    private const int MaxFallbackRounds = 3;

    public async Task<StoreRead> ReadCurrentAsync(string secretName, CancellationToken cancellationToken)
    {
        var latestDisabled = false;
        try
        {
            if (await GetEnabledAsync(secretName, version: null, cancellationToken) is { } latest)
            {
                return ToRead(latest, latestDisabled: false);
            }

            latestDisabled = true;
            for (var round = 0; round < MaxFallbackRounds; round++)
            {
                var newestEnabled = await NewestEnabledVersionAsync(secretName, cancellationToken);
                if (newestEnabled is null)
                {
                    return StoreRead.Disabled;
                }

                if (await GetEnabledAsync(secretName, newestEnabled, cancellationToken) is { } secret)
                {
                    return ToRead(secret, latestDisabled: true);
                }

                // Disabled between the list and the GET: list again.
            }

            return StoreRead.Failed("Key Vault's versions kept being disabled while the reader looked for an enabled one.", latestDisabled: true);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return StoreRead.NotFound;
        }
        catch (RequestFailedException ex) when (ex.Status is 401 or 403)
        {
            return StoreRead.Refused($"Key Vault refused the reader's identity (HTTP {ex.Status}, {ex.ErrorCode}): it needs the Key Vault Secrets User role on the vault.", ex);
        }
        catch (RequestFailedException ex)
        {
            return StoreRead.Failed(ex.Status switch
            {
                0 => "Key Vault could not be reached.",
                429 => "Key Vault is throttling requests.",
                _ => string.Create(CultureInfo.InvariantCulture, $"Key Vault answered HTTP {ex.Status} ({ex.ErrorCode})."),
            }, ex, latestDisabled);
        }
        catch (AuthenticationFailedException ex)
        {
            return StoreRead.Failed("The reader could not get a token for Key Vault.", ex, latestDisabled);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is RequestFailedException or HttpRequestException or IOException or OperationCanceledException))
        {
            // Azure.Core's retry policy gives up on transport failures (dropped connections, per-try timeouts) this way.
            return StoreRead.Failed(ex.InnerExceptions.Any(e => e is OperationCanceledException)
                ? "Key Vault did not answer in time."
                : "Key Vault could not be reached (the connection failed).", ex, latestDisabled);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return StoreRead.Failed("Key Vault did not answer in time.", ex, latestDisabled);
        }
    }

    /// <summary>One version with its value (the latest when <paramref name="version"/> is null), or null when it is disabled.</summary>
    private async Task<KeyVaultSecret?> GetEnabledAsync(string secretName, string? version, CancellationToken cancellationToken)
    {
        try
        {
            var secret = (await client.GetSecretAsync(secretName, version, cancellationToken)).Value;
            return secret.Properties.Enabled == false ? null : secret;
        }
        catch (RequestFailedException ex) when (ex.Status == 403 && IsDisabledSecret(ex))
        {
            return null;
        }
    }

    /// <summary>
    /// From the version list (metadata, no values): the newest enabled version. Newest means latest created; Key Vault
    /// stamps whole seconds and lists in no promised order, so a tie goes to the greater version id, which keeps the
    /// choice stable from one read (and one backend instance) to the next.
    /// </summary>
    private async Task<string?> NewestEnabledVersionAsync(string secretName, CancellationToken cancellationToken)
    {
        SecretProperties? newest = null;
        await foreach (var properties in client.GetPropertiesOfSecretVersionsAsync(secretName, cancellationToken))
        {
            // Only a version the vault says is enabled: an attribute left out is not taken as consent.
            if (properties.Enabled == true && !string.IsNullOrEmpty(properties.Version) && IsNewer(properties, newest))
            {
                newest = properties;
            }
        }

        return newest?.Version;
    }

    private static bool IsNewer(SecretProperties candidate, SecretProperties? current)
    {
        if (current is null)
        {
            return true;
        }

        var byCreated = Nullable.Compare(candidate.CreatedOn, current.CreatedOn);
        return byCreated != 0 ? byCreated > 0 : string.CompareOrdinal(candidate.Version, current.Version) > 0;
    }

    private static StoreRead ToRead(KeyVaultSecret secret, bool latestDisabled)
    {
        if (secret.Value is null || string.IsNullOrEmpty(secret.Properties.Version))
        {
            return StoreRead.Failed("Key Vault returned a secret without a value or version.", latestDisabled: latestDisabled);
        }

        return StoreRead.Found(secret.Properties.Version, secret.Value,
            secret.Properties.Tags.TryGetValue(StoreTags.TenantId, out var tagged) ? tagged : null, latestDisabled);
    }

    /// <summary>Key Vault refuses a disabled version with 403 <c>Forbidden</c>, inner code <c>SecretDisabled</c>.</summary>
    private static bool IsDisabledSecret(RequestFailedException ex)
    {
        try
        {
            var content = ex.GetRawResponse()?.Content;
            if (content is null)
            {
                return false;
            }

            using var json = JsonDocument.Parse(content.ToMemory());
            if (!json.RootElement.TryGetProperty("error", out var error))
            {
                return false;
            }

            if (error.TryGetProperty("innererror", out var inner) && inner.TryGetProperty("code", out var innerCode)
                && innerCode.ValueEquals("SecretDisabled"))
            {
                return true;
            }

            return error.TryGetProperty("message", out var message)
                && message.GetString()?.Contains("disabled secret", StringComparison.OrdinalIgnoreCase) == true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
