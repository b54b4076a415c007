using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TenantPortal.Tests.TestHost;

/// <summary>
/// An HTTPS endpoint on 127.0.0.1 with a certificate made in code for the given host names, standing in for a
/// provider's probe URL or a tenant's webhook. It records every request (headers and body) and answers as told:
/// a status, N failures before success, a redirect, or holding the request until released.
/// </summary>
public sealed class HttpsReceiver : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<string, X509Certificate2> Certificates = new(StringComparer.Ordinal);
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private readonly ConcurrentQueue<(int Status, string? RetryAfter)> _failures = new();
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HttpsReceiver(WebApplication app, X509Certificate2 certificate)
    {
        _app = app;
        Certificate = certificate;
    }

    public X509Certificate2 Certificate { get; }

    public IPEndPoint EndPoint { get; private set; } = null!;

    public int Port => EndPoint.Port;

    /// <summary>The status answered when no failure is queued.</summary>
    public int StatusCode { get; set; } = 200;

    /// <summary>When set, every answer is a 302 to this location.</summary>
    public string? RedirectTo { get; set; }

    /// <summary>When set, requests wait for it (or for the client to give up) before being answered.</summary>
    public TaskCompletionSource? Hold { get; set; }

    public IReadOnlyList<ReceivedRequest> Requests => _requests.ToList();

    public static async Task<HttpsReceiver> StartAsync(params string[] hostNames)
    {
        // RSA key generation is slow on a busy 2-core machine: one certificate per set of names for the whole run.
        var certificate = Certificates.GetOrAdd(string.Join(",", hostNames), _ => CreateCertificate(hostNames));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        var receiver = new HttpsReceiver(app, certificate);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        receiver.EndPoint = new IPEndPoint(IPAddress.Loopback, address.Port);
        return receiver;
    }

    public Uri Url(string host, string pathAndQuery = "/") => new($"https://{host}:{Port}{pathAndQuery}");

    /// <summary>The next <paramref name="times"/> requests are answered with <paramref name="status"/> (and a Retry-After header).</summary>
    public void FailNext(int times, int status = 503, string? retryAfter = null)
    {
        for (var i = 0; i < times; i++)
        {
            _failures.Enqueue((status, retryAfter));
        }
    }

    public async Task<ReceivedRequest> WaitForRequestAsync(int count = 1)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var arrived = Volatile.Read(ref _arrived).Task;
            if (_requests.Count >= count)
            {
                return _requests.ElementAt(count - 1);
            }

            await arrived.WaitAsync(cancel.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Hold?.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        _requests.Enqueue(new ReceivedRequest(context.Request.Method, context.Request.Host.Host, context.Request.Path.Value ?? "",
            context.Request.QueryString.Value ?? "", headers, body));
        Interlocked.Exchange(ref _arrived, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

        if (Hold is { } hold)
        {
            await hold.Task.WaitAsync(context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            if (context.RequestAborted.IsCancellationRequested)
            {
                return;
            }
        }

        if (_failures.TryDequeue(out var failure))
        {
            context.Response.StatusCode = failure.Status;
            if (failure.RetryAfter is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = retryAfter;
            }

            return;
        }

        if (RedirectTo is { } location)
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = location;
            return;
        }

        context.Response.StatusCode = StatusCode;
    }

    private static X509Certificate2 CreateCertificate(string[] hostNames)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=" + (hostNames.FirstOrDefault() ?? "localhost"), rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        foreach (var name in hostNames)
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), password: null);
    }
}

public sealed record ReceivedRequest(string Method, string Host, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
