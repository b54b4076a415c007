using Microsoft.Extensions.Options;
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
/// against the metadata's) without fetching anything. The template is Entra's v2.0 issuer for the configured instance:
/// sign-in's id tokens and the API's app tokens (the app registration asks for v2.0 access tokens) carry it. A v1.0
/// token (<c>https://sts.windows.net/{tid}/</c>) still falls through to the metadata, as before.
/// </summary>
internal static class AsyncIssuerValidation
{
    public const string TenantIdTemplate = "{tenantid}";

    /// <summary>Entra's v2.0 issuer template for <paramref name="instance"/> (e.g. <c>https://login.microsoftonline.com/{tenantid}/v2.0</c>).</summary>
    public static string V2IssuerTemplate(string instance) => $"{instance.TrimEnd('/')}/{TenantIdTemplate}/v2.0";

    /// <summary>After Microsoft.Identity.Web's own configuration of <paramref name="parameters"/>: when it validates with Entra's issuer validator.</summary>
    public static void Apply(TokenValidationParameters parameters, EntraSignInOptions entra)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(entra);
        if (parameters.IssuerValidator?.Target is not AadIssuerValidator || string.IsNullOrEmpty(entra.Instance))
        {
            return;
        }

        var template = V2IssuerTemplate(entra.Instance);
        if (parameters.ValidIssuers?.Contains(template, StringComparer.Ordinal) != true)
        {
            parameters.ValidIssuers = [.. parameters.ValidIssuers ?? [], template];
        }
    }

    /// <summary>For <c>PostConfigure</c> of a scheme's options.</summary>
    public static void Apply(TokenValidationParameters parameters, IOptions<EntraSignInOptions> entra) => Apply(parameters, entra.Value);
}
