using System.Net;
using System.Net.Sockets;

namespace TenantPortal.Web.Infrastructure.Outbound;

/// <summary>
/// Which addresses the portal may open a connection to when it calls a URL that a tenant typed (verification
/// probes, webhooks): public unicast only. Loopback, private, link-local (the cloud metadata service), shared
/// (CGNAT), Azure's wire server, multicast, broadcast, reserved and documentation ranges are refused, also when
/// written inside an IPv6 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4).
/// </summary>
/// <remarks>
/// There is no configuration setting that opens an address. Tests that call a receiver on 127.0.0.1 replace the
/// registered policy with <see cref="AllowingLoopbackEndpointsForTests"/>, which exempts exact loopback
/// endpoints (address and port) and nothing else; no other code calls it.
/// </remarks>
public sealed class OutboundAddressPolicy
{
    private static readonly IPAddress AzureWireServer = IPAddress.Parse("168.63.129.16");
    private static readonly IPAddress CloudMetadata = IPAddress.Parse("169.254.169.254");

    private static readonly (IPNetwork Network, string Kind)[] RefusedV4 =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "unspecified (\"this network\")"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback"),
        (IPNetwork.Parse("10.0.0.0/8"), "private network"),
        (IPNetwork.Parse("172.16.0.0/12"), "private network"),
        (IPNetwork.Parse("192.168.0.0/16"), "private network"),
        (IPNetwork.Parse("100.64.0.0/10"), "shared carrier-grade NAT"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local"),
        (IPNetwork.Parse("192.0.0.0/24"), "reserved (IETF protocol assignments)"),
        (IPNetwork.Parse("192.0.2.0/24"), "documentation"),
        (IPNetwork.Parse("198.51.100.0/24"), "documentation"),
        (IPNetwork.Parse("203.0.113.0/24"), "documentation"),
        (IPNetwork.Parse("198.18.0.0/15"), "benchmarking"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast"),
        (IPNetwork.Parse("255.255.255.255/32"), "broadcast"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved"),
    ];

    private static readonly (IPNetwork Network, string Kind)[] RefusedV6 =
    [
        (IPNetwork.Parse("::/128"), "unspecified"),
        (IPNetwork.Parse("::1/128"), "loopback"),
        (IPNetwork.Parse("fc00::/7"), "private network (unique local)"),
        (IPNetwork.Parse("fec0::/10"), "private network (site-local)"),
        (IPNetwork.Parse("fe80::/10"), "link-local"),
        (IPNetwork.Parse("ff00::/8"), "multicast"),
        (IPNetwork.Parse("2001:db8::/32"), "documentation"),
        (IPNetwork.Parse("100::/64"), "reserved (discard)"),
    ];

    // IPv6 prefixes that carry an IPv4 address, and where in the 16 bytes it sits.
    private static readonly (IPNetwork Network, int Offset)[] EmbeddedV4 =
    [
        (IPNetwork.Parse("::/96"), 12),             // IPv4-compatible (deprecated)
        (IPNetwork.Parse("64:ff9b::/96"), 12),      // NAT64 well-known prefix
        (IPNetwork.Parse("64:ff9b:1::/48"), 12),    // NAT64 local-use prefix
        (IPNetwork.Parse("2002::/16"), 2),          // 6to4
    ];

    private readonly HashSet<IPEndPoint> _exempt;

    private OutboundAddressPolicy(IEnumerable<IPEndPoint> exempt) => _exempt = [.. exempt];

    /// <summary>The production policy: public unicast addresses only, no exemptions.</summary>
    public static OutboundAddressPolicy Default { get; } = new([]);

    /// <summary>
    /// For tests only: the default rules, except that these exact loopback endpoints may be called (in-process
    /// HTTPS receivers). Anything that is not a loopback endpoint is refused here, so this cannot open a network.
    /// </summary>
    internal static OutboundAddressPolicy AllowingLoopbackEndpointsForTests(params IPEndPoint[] endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.FirstOrDefault(e => !IPAddress.IsLoopback(e.Address)) is { } other)
        {
            throw new ArgumentException($"Only loopback endpoints can be exempted, not {other}.", nameof(endpoints));
        }

        return new OutboundAddressPolicy(endpoints);
    }

    /// <summary>Why a connection to <paramref name="address"/>:<paramref name="port"/> is refused, or null when it is allowed.</summary>
    public string? Refusal(IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(address);
        return _exempt.Count > 0 && _exempt.Contains(new IPEndPoint(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, port))
            ? null
            : Classify(address);
    }

    /// <summary>
    /// The kind of a non-public address in plain words (<c>"loopback"</c>, <c>"private network"</c>, …), or null for
    /// a public unicast address.
    /// </summary>
    public static string? Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            // IPNetwork does not match an IPv4-mapped address against its IPv6 prefix: unwrap it explicitly.
            return Classify(address.MapToIPv4());
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (EmbeddedIPv4(address) is { } embedded)
            {
                return Classify(embedded);
            }

            foreach (var (network, kind) in RefusedV6)
            {
                if (network.Contains(address))
                {
                    return kind;
                }
            }

            return null;
        }

        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return "non-IP";
        }

        if (address.Equals(CloudMetadata))
        {
            return "link-local (the cloud metadata service)";
        }

        if (address.Equals(AzureWireServer))
        {
            return "Azure platform (wire server)";
        }

        foreach (var (network, kind) in RefusedV4)
        {
            if (network.Contains(address))
            {
                return kind;
            }
        }

        return null;
    }

    private static IPAddress? EmbeddedIPv4(IPAddress v6)
    {
        // "::" and "::1" sit inside ::/96 but are the IPv6 unspecified and loopback addresses themselves.
        if (v6.Equals(IPAddress.IPv6Any) || v6.Equals(IPAddress.IPv6Loopback))
        {
            return null;
        }

        foreach (var (network, offset) in EmbeddedV4)
        {
            if (network.Contains(v6))
            {
                return new IPAddress(v6.GetAddressBytes().AsSpan(offset, 4));
            }
        }

        return null;
    }
}
