using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Abstractions;
using AssertionRequestOptions = Microsoft.Identity.Client.AssertionRequestOptions;
using Microsoft.Identity.Web;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace TenantPortal.Web.Auth.Entra;

/// <summary>
/// How the portal authenticates to Entra's token endpoint (redeeming the authorization code, renewing a session): a client
/// secret (development), or a signed assertion from one of Microsoft.Identity.Web's credential descriptions — in
/// production the App Service's managed identity, trusted by the app registration through a federated credential.
/// The credentials are loaded by Microsoft.Identity.Web's own loader, which caches and renews the assertion.
/// </summary>
public sealed partial class CodeRedemptionCredential(
    IOptions<EntraSignInOptions> options,
    ICredentialsLoader loader,
    ILogger<CodeRedemptionCredential> logger)
{
    private const string JwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    public static bool Supports(CredentialSource source) => source is CredentialSource.ClientSecret
        or CredentialSource.SignedAssertionFromManagedIdentity
        or CredentialSource.SignedAssertionFilePath
        or CredentialSource.CustomSignedAssertion;

    public Task ApplyAsync(AuthorizationCodeReceivedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ApplyAsync(context.TokenEndpointRequest ?? throw new InvalidOperationException("No token endpoint request to authenticate."));
    }

    /// <summary>Authenticates any request to Entra's token endpoint (code redemption, session renewal).</summary>
    public async Task ApplyAsync(OpenIdConnectMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.Value;
        if (!string.IsNullOrEmpty(settings.ClientSecret))
        {
            request.ClientSecret = settings.ClientSecret;
            return;
        }

        foreach (var credential in settings.ClientCredentials)
        {
            if (credential.SourceType == CredentialSource.ClientSecret && !string.IsNullOrEmpty(credential.ClientSecret))
            {
                request.ClientSecret = credential.ClientSecret;
                return;
            }

            if (await LoadAssertionAsync(credential, settings.ClientId!) is { } assertion)
            {
                request.ClientSecret = null;
                request.ClientAssertionType = JwtBearerAssertionType;
                request.ClientAssertion = assertion;
                return;
            }
        }

        throw new InvalidOperationException(
            "None of AzureAd:ClientCredentials gave a credential for Entra's token endpoint (see the earlier log entries).");
    }

    private async Task<string?> LoadAssertionAsync(CredentialDescription credential, string clientId)
    {
        try
        {
            await loader.LoadCredentialsIfNeededAsync(credential);
            if (credential.Skip || credential.CachedValue is not ClientAssertionProviderBase provider)
            {
                LogCredentialUnavailable(logger, credential.SourceType, null);
                return null;
            }

            return await provider.GetSignedAssertionAsync(new AssertionRequestOptions { ClientID = clientId });
        }
#pragma warning disable CA1031 // Any failure of one credential means: try the next one, as Microsoft.Identity.Web does.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogCredentialUnavailable(logger, credential.SourceType, ex);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sign-in client credential {SourceType} is unavailable")]
    private static partial void LogCredentialUnavailable(ILogger logger, CredentialSource sourceType, Exception? exception);
}
