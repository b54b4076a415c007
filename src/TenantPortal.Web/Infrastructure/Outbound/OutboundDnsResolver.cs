using System.Net;

namespace TenantPortal.Web.Infrastructure.Outbound;

/// <summary>
/// Resolves host names for outbound calls. The connection is opened to an address this returned and the
/// <see cref="OutboundAddressPolicy"/> checked, never to a second lookup, so a DNS answer that changes between
/// the check and the connect (rebinding) cannot slip past. Tests replace it to map names to chosen addresses.
/// </summary>
public interface IOutboundDnsResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

internal sealed class SystemDnsResolver : IOutboundDnsResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Dns.GetHostAddressesAsync(host, cancellationToken);
}
