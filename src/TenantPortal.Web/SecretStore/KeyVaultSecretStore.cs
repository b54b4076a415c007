using System.Runtime.CompilerServices;
using Azure;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Options;

namespace TenantPortal.Web.SecretStore;

/// <summary>
/// The production store: Azure Key Vault through the real SDK, with an identity that may set, update and read
/// metadata but never get a value. The Set response echoes the value back; it is dropped at once.
/// </summary>
public sealed partial class KeyVaultSecretStore(SecretClient client, IOptions<SecretStoreOptions> storeOptions, ILogger<KeyVaultSecretStore> logger) : ISecretStore
{
    public async Task<SecretVersionProperties> SetAsync(SecretName name, SecretValue value, SecretWriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(options);
        var secret = new KeyVaultSecret(name.Value, value.Expose());
        secret.Properties.ContentType = options.ContentType;
        secret.Properties.ExpiresOn = options.ExpiresOn;
        foreach (var (key, tag) in options.Tags)
        {
            secret.Properties.Tags[key] = tag;
        }

        return await CallAsync("set", name, async token =>
        {
            var response = await client.SetSecretAsync(secret, token);
            return ToProperties(response.Value.Properties);
        }, cancellationToken);
    }

    public Task<SecretVersionProperties> UpdateVersionAsync(SecretName name, string version, SecretVersionUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        var properties = new SecretProperties(new Uri(client.VaultUri, $"secrets/{name.Value}/{Uri.EscapeDataString(version)}"));
        if (update.Enabled is { } enabled)
        {
            properties.Enabled = enabled;
        }

        if (update.ExpiresOn is { } expiresOn)
        {
            properties.ExpiresOn = expiresOn;
        }

        return CallAsync("update", name, async token =>
        {
            // PATCH sends only the attributes set above; tags and content type stay as they are.
            var response = await client.UpdateSecretPropertiesAsync(properties, token);
            return ToProperties(response.Value);
        }, cancellationToken);
    }

    public async IAsyncEnumerable<SecretVersionProperties> ListVersionsAsync(SecretName name, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var versions = await CallAsync("list versions", name, async token =>
        {
            var list = new List<SecretVersionProperties>();
            try
            {
                await foreach (var properties in client.GetPropertiesOfSecretVersionsAsync(name.Value, token))
                {
                    list.Add(ToProperties(properties));
                }
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // No secret yet: no versions.
            }

            return list;
        }, cancellationToken);

        // The backend reader's order: by creation time, and of two stamped in the same second the greater version id.
        foreach (var version in versions.OrderBy(v => v.CreatedOn).ThenBy(v => v.Version, StringComparer.Ordinal))
        {
            yield return version;
        }
    }

    public Task CheckAvailabilityAsync(CancellationToken cancellationToken) =>
        CallAsync<bool>("list secrets", name: null, async token =>
        {
            // Metadata only: the first page of secret properties. Never a value.
            await foreach (var _ in client.GetPropertiesOfSecretsAsync(token).AsPages(pageSizeHint: 1))
            {
                break;
            }

            return true;
        }, cancellationToken);

    private async Task<T> CallAsync<T>(string operation, SecretName? name, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(storeOptions.Value.OperationTimeout);
        try
        {
            return await call(timeout.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, ex, operation, name?.Value, "timeout");
            throw SecretStoreException.Worded("VaultTimeout", isRetryable: true, ex, storeOptions.Value.OperationTimeout.TotalSeconds);
        }
        catch (RequestFailedException ex)
        {
            LogFailed(logger, ex, operation, name?.Value, ex.ErrorCode ?? ex.Status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            throw Translate(ex);
        }
        catch (AggregateException ex) when (!cancellationToken.IsCancellationRequested
            && ex.InnerExceptions.All(e => e is RequestFailedException or HttpRequestException or IOException or OperationCanceledException))
        {
            // Azure.Core's retry policy gives up on transport failures (dropped connections, per-try timeouts) this way.
            var timedOut = ex.InnerExceptions.Any(e => e is OperationCanceledException);
            LogFailed(logger, ex, operation, name?.Value, timedOut ? "timeout" : "connection");
            throw timedOut
                ? SecretStoreException.Worded("VaultTimeout", isRetryable: true, ex, storeOptions.Value.OperationTimeout.TotalSeconds)
                : SecretStoreException.Worded("VaultUnreachable", isRetryable: true, ex);
        }
        catch (AuthenticationFailedException ex)
        {
            LogFailed(logger, ex, operation, name?.Value, "authentication");
            throw SecretStoreException.Worded("VaultAuthenticationFailed", isRetryable: true, ex);
        }
    }

    private static SecretStoreException Translate(RequestFailedException ex) => ex.Status switch
    {
        0 => SecretStoreException.Worded("VaultUnreachable", isRetryable: true, ex),
        408 => SecretStoreException.Worded("VaultTimedOut", isRetryable: true, ex),
        429 => SecretStoreException.Worded("VaultThrottling", isRetryable: true, ex),
        >= 500 => SecretStoreException.Worded("VaultUnavailable", isRetryable: true, ex, ex.Status),
        401 or 403 => SecretStoreException.Worded("VaultForbidden", isRetryable: false, ex),
        404 => SecretStoreException.Worded("VaultNotFound", isRetryable: false, ex),
        _ => SecretStoreException.Worded("VaultRefused", isRetryable: false, ex, ex.Status, ex.ErrorCode ?? ""),
    };

    // The SDK's own tag dictionary when it is one (it is), not a copy: a listing maps every version, after every write.
    private static SecretVersionProperties ToProperties(SecretProperties p) =>
        new(p.Name, p.Version, p.Enabled ?? true, p.CreatedOn, p.UpdatedOn, p.ExpiresOn, p.ContentType,
            p.Tags as IReadOnlyDictionary<string, string> ?? new Dictionary<string, string>(p.Tags));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Key Vault {Operation} failed for {SecretName} ({Reason})")]
    private static partial void LogFailed(ILogger logger, Exception exception, string operation, string? secretName, string reason);
}
