using System.ComponentModel.DataAnnotations;
using Microsoft.Identity.Abstractions;

namespace TenantPortal.Web.Auth.Entra;

/// <summary>
/// The <c>AzureAd</c> settings the portal itself relies on, checked at start-up (Microsoft.Identity.Web binds the same
/// section for itself and would only complain at the first sign-in).
/// </summary>
public sealed class EntraSignInOptions : IValidatableObject
{
    public const string SectionName = "AzureAd";

    [Required(ErrorMessage = "AzureAd:Instance must be set to the Entra login endpoint, e.g. https://login.microsoftonline.com/.")]
    public string? Instance { get; set; }

    /// <summary><c>organizations</c> for the multi-tenant portal (the allow-list decides who gets in).</summary>
    [Required(ErrorMessage = "AzureAd:TenantId must be set: 'organizations' for the multi-tenant portal.")]
    public string? TenantId { get; set; }

    [Required(ErrorMessage = "AzureAd:ClientId must be set to the app registration's application (client) id.")]
    public string? ClientId { get; set; }

    /// <summary>For development against a real tenant; production uses <see cref="ClientCredentials"/>.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Microsoft.Identity.Web credential descriptions, tried in order (e.g. <c>SignedAssertionFromManagedIdentity</c>).</summary>
    public List<CredentialDescription> ClientCredentials { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(Instance)
            && (!Uri.TryCreate(Instance, UriKind.Absolute, out var instance) || instance.Scheme != Uri.UriSchemeHttps))
        {
            yield return new ValidationResult("AzureAd:Instance must be an absolute https URI, e.g. https://login.microsoftonline.com/.", [nameof(Instance)]);
        }

        if (string.IsNullOrEmpty(ClientSecret) && ClientCredentials.Count == 0)
        {
            yield return new ValidationResult(
                "The sign-in needs a client credential to redeem the authorization code: set AzureAd:ClientCredentials " +
                "(e.g. AzureAd:ClientCredentials:0:SourceType=SignedAssertionFromManagedIdentity) or, for development, AzureAd:ClientSecret.",
                [nameof(ClientCredentials)]);
        }

        foreach (var credential in ClientCredentials.Where(c => !CodeRedemptionCredential.Supports(c.SourceType)))
        {
            yield return new ValidationResult(
                $"AzureAd:ClientCredentials source type {credential.SourceType} is not supported for sign-in; use " +
                "SignedAssertionFromManagedIdentity, SignedAssertionFilePath or ClientSecret.",
                [nameof(ClientCredentials)]);
        }
    }
}
