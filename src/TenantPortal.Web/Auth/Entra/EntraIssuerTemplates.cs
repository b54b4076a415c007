using Microsoft.IdentityModel.Tokens;
using Microsoft.IdentityModel.Validators;

namespace TenantPortal.Web.Auth.Entra;

/// <summary>
/// Microsoft.Identity.Web checks a multi-tenant token's issuer with <see cref="AadIssuerValidator.Validate"/>, which by
/// default fetches Entra's metadata for the issuer template and waits on that fetch synchronously: the first tokens after
/// a start (and after each metadata refresh) each block a thread-pool thread until it arrives, and a portal that starts
/// under load, as a new instance does when it scales out, can starve its thread pool of the threads that would complete
/// the fetch (Microsoft.Identity.Web issue 3884). Given the template in <see cref="TokenValidationParameters.ValidIssuers"/>
/// the same validator matches the issuer against it (the token's own <c>tid</c> in place of <c>{tenantid}</c>, exactly as
/// against the metadata's) without fetching anything. The templates are Entra's v2.0 issuer for the configured instance,
/// which sign-in's id tokens and the API's app tokens carry (the app registration asks for v2.0 access tokens), and, on
/// the public cloud, the v1.0 issuer <c>https://sts.windows.net/{tenantid}/</c> that access tokens carry when the
/// registration does not. Any other issuer still falls through to the metadata, as before.
/// </summary>
internal static class EntraIssuerTemplates
{
    public const string TenantIdTemplate = "{tenantid}";

    /// <summary>Entra's v2.0 issuer template for <paramref name="instance"/> (e.g. <c>https://login.microsoftonline.com/{tenantid}/v2.0</c>).</summary>
    public static string V2IssuerTemplate(string instance) => $"{instance.TrimEnd('/')}/{TenantIdTemplate}/v2.0";

    /// <summary>The public cloud's sign-in instance, whose v1.0 access tokens Entra issues as <see cref="PublicCloudV1IssuerTemplate"/>.</summary>
    public const string PublicCloudInstance = "login.microsoftonline.com";

    public const string PublicCloudV1IssuerTemplate = "https://sts.windows.net/" + TenantIdTemplate + "/";

    /// <summary>
    /// The issuers a token of <paramref name="instance"/> may carry, v2.0 first: templates for a multi-tenant app
    /// (<c>organizations</c>, <c>common</c>), or, when <paramref name="tenantId"/> names one directory, that directory's
    /// issuers exactly, as its metadata would give them.
    /// </summary>
    public static IReadOnlyList<string> IssuerTemplates(string instance, string? tenantId = null)
    {
        IReadOnlyList<string> templates = Uri.TryCreate(instance, UriKind.Absolute, out var uri)
            && string.Equals(uri.Host, PublicCloudInstance, StringComparison.OrdinalIgnoreCase)
            ? [V2IssuerTemplate(instance), PublicCloudV1IssuerTemplate]
            : [V2IssuerTemplate(instance)];
        return Guid.TryParse(tenantId, out var directory)
            ? [.. templates.Select(t => t.Replace(TenantIdTemplate, directory.ToString(), StringComparison.Ordinal))]
            : templates;
    }

    /// <summary>After Microsoft.Identity.Web's own configuration of <paramref name="parameters"/>: when it validates with Entra's issuer validator.</summary>
    public static void Apply(TokenValidationParameters parameters, EntraSignInOptions entra)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(entra);
        if (parameters.IssuerValidator?.Target is not AadIssuerValidator || string.IsNullOrEmpty(entra.Instance))
        {
            return;
        }

        var templates = IssuerTemplates(entra.Instance, entra.TenantId);
        parameters.ValidIssuers = [.. (parameters.ValidIssuers ?? []).Concat(templates).Distinct(StringComparer.Ordinal)];
    }
}
