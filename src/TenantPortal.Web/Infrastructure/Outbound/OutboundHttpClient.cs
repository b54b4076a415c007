using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace TenantPortal.Web.Infrastructure.Outbound;

/// <summary>
/// Sends one request to a tenant-supplied HTTPS URL and says what happened (<see cref="OutboundProblem"/>: a reason
/// and its parameters, worded when read). The underlying client
/// (<see cref="ClientName"/>) connects through <see cref="OutboundConnector"/>, follows no redirect, uses no proxy and
/// keeps no cookies; the whole call is bounded by <see cref="OutboundOptions.RequestTimeout"/> on the portal's clock.
/// Response bodies are not read. Only the host is logged, never the path, query or headers.
/// </summary>
public sealed partial class OutboundHttpClient(
    IHttpClientFactory clients,
    IOptions<OutboundOptions> options,
    TimeProvider time,
    ILogger<OutboundHttpClient> logger)
{
    public const string ClientName = "TenantPortal.Outbound";

    public async Task<OutboundResponse> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri;
        if (uri is not { IsAbsoluteUri: true } || uri.Scheme != Uri.UriSchemeHttps)
        {
            return OutboundResponse.Failed(OutboundFailure.NotHttps, new OutboundProblem(OutboundProblemReason.NotHttps, uri?.IsAbsoluteUri == true ? uri.IdnHost : ""));
        }

        var host = uri.IdnHost;
        using var timeout = new CancellationTokenSource(options.Value.RequestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var started = time.GetTimestamp();
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var status = (int)response.StatusCode;
            var elapsedMs = (long)time.GetElapsedTime(started).TotalMilliseconds;
            LogAnswered(logger, request.Method.Method, host, status, elapsedMs);
            var redirectHost = status is >= 300 and < 400 && response.Headers.Location is { } location
                ? (location.IsAbsoluteUri ? location : new Uri(uri, location)).IdnHost
                : null;
            return new OutboundResponse(OutboundFailure.None, null, status, redirectHost, RetryAfter(response, status));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, request.Method.Method, host, OutboundFailure.Timeout);
            return OutboundResponse.Failed(OutboundFailure.Timeout, OutboundProblem.TimedOut(host, options.Value.RequestTimeout));
        }
        catch (HttpRequestException ex)
        {
            var (failure, problem) = Describe(ex, host);
            LogFailed(logger, request.Method.Method, host, failure);
            return OutboundResponse.Failed(failure, problem);
        }
    }

    /// <summary>The longest wait a receiver's Retry-After is honoured for.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(6);

    /// <summary>
    /// How long a 429 or 503 asks the caller to wait (Retry-After as seconds or an HTTP date), capped at
    /// <see cref="MaxRetryAfter"/>; null when it does not say or asks for no wait.
    /// </summary>
    private TimeSpan? RetryAfter(HttpResponseMessage response, int status)
    {
        if (status is not (429 or 503) || response.Headers.RetryAfter is not { } retryAfter)
        {
            return null;
        }

        // "0" or a date already past asks for nothing beyond the usual back-off.
        var wait = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - time.GetUtcNow() : TimeSpan.Zero);
        return wait <= TimeSpan.Zero ? null : wait > MaxRetryAfter ? MaxRetryAfter : wait;
    }

    /// <summary>"401 Unauthorized": the standard reason phrase, never the one the server sent (it could echo anything).</summary>
    public static string StatusText(int status) =>
        ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? $"{status} {phrase}" : status.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static (OutboundFailure, OutboundProblem) Describe(HttpRequestException ex, string host)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case OutboundAddressRefusedException refused:
                    return (OutboundFailure.AddressRefused, refused.Problem);
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain }:
                    return (OutboundFailure.NameNotResolved, new(OutboundProblemReason.NameNotResolved, host));
                case AuthenticationException:
                    return (OutboundFailure.TlsFailed, new(OutboundProblemReason.TlsFailed, host));
                case TimeoutException:
                    return (OutboundFailure.Timeout, new(OutboundProblemReason.ConnectTimeout, host));
            }
        }

        return ex.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => (OutboundFailure.NameNotResolved, new(OutboundProblemReason.NameNotResolved, host)),
            HttpRequestError.SecureConnectionError => (OutboundFailure.TlsFailed, new(OutboundProblemReason.TlsFailed, host)),
            HttpRequestError.ConnectionError => (OutboundFailure.ConnectionFailed, new(OutboundProblemReason.ConnectionRefused, host)),
            _ => (OutboundFailure.ConnectionFailed, new(OutboundProblemReason.ConnectionDropped, host)),
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbound {Method} to {Host} answered {StatusCode} in {ElapsedMs} ms")]
    private static partial void LogAnswered(ILogger logger, string method, string host, int statusCode, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbound {Method} to {Host} failed: {Failure}")]
    private static partial void LogFailed(ILogger logger, string method, string host, OutboundFailure failure);
}

public enum OutboundFailure
{
    None,
    NotHttps,
    AddressRefused,
    NameNotResolved,
    Timeout,
    ConnectionFailed,
    TlsFailed,
}

/// <summary>An answer's status (the host a redirect points to, the wait a 429 or 503 asks for), or why there was none.</summary>
public sealed record OutboundResponse(
    OutboundFailure Failure, OutboundProblem? Problem, int? StatusCode = null, string? RedirectHost = null, TimeSpan? RetryAfter = null)
{
    public bool IsRedirect => StatusCode is >= 300 and < 400;

    public static OutboundResponse Failed(OutboundFailure failure, OutboundProblem problem) => new(failure, problem);
}
