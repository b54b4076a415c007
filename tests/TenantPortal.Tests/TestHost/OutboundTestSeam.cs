using TenantPortal.Web.Infrastructure.Outbound;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;

namespace TenantPortal.Tests.TestHost;

/// <summary>A DNS stand-in: names map to the addresses a test chooses; anything else is "host not found".</summary>
public sealed class StaticDnsResolver : IOutboundDnsResolver
{
    private readonly ConcurrentDictionary<string, IPAddress[]> _map = new(StringComparer.OrdinalIgnoreCase);

    public StaticDnsResolver Map(string host, params string[] addresses)
    {
        _map[host] = addresses.Select(IPAddress.Parse).ToArray();
        return this;
    }

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        _map.TryGetValue(host, out var addresses)
            ? Task.FromResult(addresses)
            : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
}

/// <summary>
/// How tests reach in-process HTTPS receivers through the portal's outbound client: replace the address policy with
/// one that exempts exactly those loopback endpoints, replace DNS, and trust exactly the receivers' certificates.
/// Everything else — redirects, timeouts, the connect callback, the other address rules — stays the production code.
/// </summary>
public static class OutboundTestSeam
{
    public static void Use(IServiceCollection services, StaticDnsResolver dns, params HttpsReceiver[] receivers)
    {
        services.AddSingleton(OutboundAddressPolicy.AllowingLoopbackEndpointsForTests(receivers.Select(r => r.EndPoint).ToArray()));
        services.AddSingleton<IOutboundDnsResolver>(dns);
        var thumbprints = receivers.Select(r => r.Certificate.Thumbprint).ToHashSet(StringComparer.OrdinalIgnoreCase);
        services.AddHttpClient(OutboundHttpClient.ClientName).ConfigurePrimaryHttpMessageHandler((handler, _) =>
            ((SocketsHttpHandler)handler).SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                errors == SslPolicyErrors.None || (certificate is not null && thumbprints.Contains(certificate.GetCertHashString())));
    }
}
