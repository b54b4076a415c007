using System.Net;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Outbound;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>
/// Proves a submitted key works by calling the tenant's verification probe with it, before it is stored.
/// The key travels only in the configured header; it is never put in the URL, a log, or the result.
/// </summary>
public interface IApiKeyProbe
{
    Task<ProbeResult> VerifyAsync(VerificationProbe probe, SecretValue key, IReadOnlyCollection<string> allowList, CancellationToken cancellationToken);
}

/// <summary>Whether the probe accepted the key; otherwise what went wrong, in plain words.</summary>
public sealed record ProbeResult(bool Succeeded, string? Problem)
{
    public static ProbeResult Success { get; } = new(true, null);

    public static ProbeResult Failed(string problem) => new(false, problem);
}

public sealed partial class ApiKeyProbe(OutboundHttpClient http, ILogger<ApiKeyProbe> logger) : IApiKeyProbe
{
    public async Task<ProbeResult> VerifyAsync(VerificationProbe probe, SecretValue key, IReadOnlyCollection<string> allowList, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (VerificationProbeRules.Validate(probe, allowList) is { } invalid)
        {
            return ProbeResult.Failed(invalid);
        }

        var headerValue = probe.HeaderPrefix + key.Expose();
        if (headerValue.Any(c => char.IsControl(c)))
        {
            return ProbeResult.Failed("The key contains a control character, so it cannot be sent in an HTTP header.");
        }

        var uri = new Uri(probe.Url);
        using var request = new HttpRequestMessage(new HttpMethod(probe.Method), uri);
        if (!request.Headers.TryAddWithoutValidation(probe.HeaderName, headerValue))
        {
            return ProbeResult.Failed($"The key cannot be sent in the {probe.HeaderName} header.");
        }

        var response = await http.SendAsync(request, cancellationToken);
        var result = Interpret(probe, uri, response);
        LogProbed(logger, uri.IdnHost, response.StatusCode, result.Succeeded);
        return result;
    }

    private static ProbeResult Interpret(VerificationProbe probe, Uri uri, OutboundResponse response)
    {
        if (response.Failure != OutboundFailure.None)
        {
            return ProbeResult.Failed($"The verification probe could not be run: {response.Problem}");
        }

        var status = response.StatusCode!.Value;
        if (status == probe.ExpectedStatus)
        {
            return ProbeResult.Success;
        }

        if (response.IsRedirect)
        {
            return ProbeResult.Failed(response.RedirectHost is { } target
                ? $"The probe URL answered with a redirect ({OutboundHttpClient.StatusText(status)}) to {target}; redirects are not followed, so use the final URL."
                : $"The probe URL answered with a redirect ({OutboundHttpClient.StatusText(status)}); redirects are not followed, so use the final URL.");
        }

        var hint = status switch
        {
            (int)HttpStatusCode.Unauthorized or (int)HttpStatusCode.Forbidden => " — the key was refused.",
            (int)HttpStatusCode.NotFound or (int)HttpStatusCode.MethodNotAllowed => $" — check the probe URL and method ({probe.Method} {uri.IdnHost}{uri.AbsolutePath}).",
            (int)HttpStatusCode.TooManyRequests => " — the provider is limiting requests; try again in a minute.",
            >= 500 => " — the provider had a problem; try again later.",
            _ => ".",
        };
        return ProbeResult.Failed($"The verification probe expected {OutboundHttpClient.StatusText(probe.ExpectedStatus)}, got {OutboundHttpClient.StatusText(status)}{hint}");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Verification probe to {Host} answered {StatusCode}; key accepted: {Accepted}")]
    private static partial void LogProbed(ILogger logger, string host, int? statusCode, bool accepted);
}
