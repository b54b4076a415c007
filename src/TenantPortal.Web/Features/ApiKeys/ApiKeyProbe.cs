using System.Net;
using Microsoft.Extensions.Localization;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Outbound;
using TenantPortal.Web.Infrastructure.Text;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.ApiKeys;

// The class comes first: the SDK names ApiKeyProbe.resx after the first type in this file.
public sealed partial class ApiKeyProbe(OutboundHttpClient http, IStringLocalizer<ApiKeyProbe> text, ILogger<ApiKeyProbe> logger) : IApiKeyProbe
{
    public async Task<ProbeResult> VerifyAsync(VerificationProbe probe, SecretValue key, IReadOnlyCollection<string> allowList, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (VerificationProbeRules.Validate(probe, allowList) is not null)
        {
            // The probe rules word their refusal in the current UI culture: once for the person, once in English for the audit trail.
            return ProbeResult.Failed(LocalizedMessage.Of(() => VerificationProbeRules.Validate(probe, allowList)!));
        }

        var headerValue = probe.HeaderPrefix + key.Expose();
        if (headerValue.Any(c => char.IsControl(c)))
        {
            return ProbeResult.Failed(text.Message("ControlCharacter"));
        }

        var uri = new Uri(probe.Url);
        using var request = new HttpRequestMessage(new HttpMethod(probe.Method), uri);
        if (!request.Headers.TryAddWithoutValidation(probe.HeaderName, headerValue))
        {
            return ProbeResult.Failed(text.Message("HeaderRefused", probe.HeaderName));
        }

        var response = await http.SendAsync(request, cancellationToken);
        var result = Interpret(probe, uri, response);
        LogProbed(logger, uri.IdnHost, response.StatusCode, result.Succeeded);
        return result;
    }

    private ProbeResult Interpret(VerificationProbe probe, Uri uri, OutboundResponse response)
    {
        if (response.Failure != OutboundFailure.None)
        {
            // The outbound problem is worded twice too: in the reader's language inside their sentence, in English for the record.
            var problem = response.Problem!;
            return ProbeResult.Failed(new LocalizedMessage(text["CouldNotRun", problem.Text], text.English("CouldNotRun", problem.English)));
        }

        var status = response.StatusCode!.Value;
        if (status == probe.ExpectedStatus)
        {
            return ProbeResult.Success;
        }

        if (response.IsRedirect)
        {
            return ProbeResult.Failed(response.RedirectHost is { } target
                ? text.Message("RedirectTo", OutboundHttpClient.StatusText(status), target)
                : text.Message("Redirect", OutboundHttpClient.StatusText(status)));
        }

        var (expected, got) = (OutboundHttpClient.StatusText(probe.ExpectedStatus), OutboundHttpClient.StatusText(status));
        return ProbeResult.Failed(status switch
        {
            (int)HttpStatusCode.Unauthorized or (int)HttpStatusCode.Forbidden => text.Message("KeyRefused", expected, got),
            (int)HttpStatusCode.NotFound or (int)HttpStatusCode.MethodNotAllowed => text.Message("CheckUrl", expected, got, $"{probe.Method} {uri.IdnHost}{uri.AbsolutePath}"),
            (int)HttpStatusCode.TooManyRequests => text.Message("Limited", expected, got),
            >= 500 => text.Message("ProviderProblem", expected, got),
            _ => text.Message("UnexpectedStatus", expected, got),
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Verification probe to {Host} answered {StatusCode}; key accepted: {Accepted}")]
    private static partial void LogProbed(ILogger logger, string host, int? statusCode, bool accepted);
}

/// <summary>
/// Proves a submitted key works by calling the tenant's verification probe with it, before it is stored.
/// The key travels only in the configured header; it is never put in the URL, a log, or the result.
/// </summary>
public interface IApiKeyProbe
{
    Task<ProbeResult> VerifyAsync(VerificationProbe probe, SecretValue key, IReadOnlyCollection<string> allowList, CancellationToken cancellationToken);
}

/// <summary>Whether the probe accepted the key; otherwise what went wrong, in plain words: in the caller's language and, for the audit trail, in English.</summary>
public sealed record ProbeResult(bool Succeeded, LocalizedMessage? Problem)
{
    public static ProbeResult Success { get; } = new(true, null);

    public static ProbeResult Failed(LocalizedMessage problem) => new(false, problem);
}
