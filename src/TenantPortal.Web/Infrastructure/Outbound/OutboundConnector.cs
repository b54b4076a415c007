using System.Net;
using System.Net.Sockets;

namespace TenantPortal.Web.Infrastructure.Outbound;

/// <summary>
/// Opens the TCP connections of the outbound HTTP client (its <c>ConnectCallback</c>): resolves the host itself,
/// refuses it when any of its addresses is not public (<see cref="OutboundAddressPolicy"/>), then connects to one
/// of exactly those checked addresses.
/// </summary>
public sealed class OutboundConnector(OutboundAddressPolicy policy, IOutboundDnsResolver dns)
{
    /// <summary>Resolves <paramref name="host"/> and checks every address; throws <see cref="OutboundAddressRefusedException"/> or <see cref="SocketException"/> (host not found).</summary>
    public async Task<IPAddress[]> ResolveCheckedAsync(string host, int port, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        var literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        var addresses = IPAddress.TryParse(literal, out var ip) ? [ip] : await dns.ResolveAsync(host, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        // Refuse the host when any answer is refused: a name that mixes public and internal addresses is not one to call.
        foreach (var address in addresses)
        {
            if (policy.Refusal(address, port) is { } kind)
            {
                throw new OutboundAddressRefusedException(host, kind);
            }
        }

        return addresses;
    }

    /// <summary>Why <paramref name="host"/> may not be called; null when it resolves to public addresses only.</summary>
    public async Task<OutboundProblem?> CheckHostAsync(string host, int port, CancellationToken cancellationToken)
    {
        try
        {
            await ResolveCheckedAsync(host, port, cancellationToken);
            return null;
        }
        catch (OutboundAddressRefusedException ex)
        {
            return ex.Problem;
        }
        catch (SocketException)
        {
            return new OutboundProblem(OutboundProblemReason.NameNotResolved, host);
        }
    }

    internal async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = await ResolveCheckedAsync(endpoint.Host, endpoint.Port, cancellationToken);
        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }
}

/// <summary>The host resolves to an address the portal never calls. The message (English) names the kind of address, never the address.</summary>
public sealed class OutboundAddressRefusedException(string host, string kind)
    : IOException(OutboundProblem.AddressRefused(host, kind).English)
{
    public string Host { get; } = host;

    public string Kind { get; } = kind;

    public OutboundProblem Problem => OutboundProblem.AddressRefused(Host, Kind);
}
