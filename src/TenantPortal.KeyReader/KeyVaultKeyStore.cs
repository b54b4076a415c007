using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;

namespace TenantPortal.KeyReader;

/// <summary>
/// Key Vault through the real SDK. The only call is <c>SecretClient.GetSecretAsync</c> for the latest version:
/// the identity needs <c>Key Vault Secrets User</c> (getSecret) and nothing else. Throttling (429 with Retry-After),
/// 5xx and dropped connections are retried by the SDK's retry policy before they come back here as a failure.
/// </summary>
internal sealed class KeyVaultKeyStore(SecretClient client) : IKeyStore
{
    public async Task<StoreRead> ReadCurrentAsync(string secretName, CancellationToken cancellationToken)
    {
        try
        {
            var secret = (await client.GetSecretAsync(secretName, version: null, cancellationToken)).Value;
            if (secret.Properties.Enabled == false)
            {
                return StoreRead.Disabled;
            }

            if (secret.Value is null || string.IsNullOrEmpty(secret.Properties.Version))
            {
                return StoreRead.Failed("Key Vault returned a secret without a value or version.");
            }

            return StoreRead.Found(secret.Properties.Version, secret.Value,
                secret.Properties.Tags.TryGetValue(StoreTags.TenantId, out var tagged) ? tagged : null);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return StoreRead.NotFound;
        }
        catch (RequestFailedException ex) when (ex.Status == 403 && IsDisabledSecret(ex))
        {
            return StoreRead.Disabled;
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
            }, ex);
        }
        catch (AuthenticationFailedException ex)
        {
            return StoreRead.Failed("The reader could not get a token for Key Vault.", ex);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is RequestFailedException or HttpRequestException or IOException or OperationCanceledException))
        {
            // Azure.Core's retry policy gives up on transport failures (dropped connections, per-try timeouts) this way.
            return StoreRead.Failed(ex.InnerExceptions.Any(e => e is OperationCanceledException)
                ? "Key Vault did not answer in time."
                : "Key Vault could not be reached (the connection failed).", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return StoreRead.Failed("Key Vault did not answer in time.", ex);
        }
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
