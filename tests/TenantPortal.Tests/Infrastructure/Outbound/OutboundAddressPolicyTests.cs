using TenantPortal.Web.Infrastructure.Outbound;
using System.Net;

namespace TenantPortal.Tests.Infrastructure.Outbound;

public sealed class OutboundAddressPolicyTests
{
    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.1.2.3", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("10.255.255.255", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.254", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("fc00::1", "private")]
    [InlineData("fd12:3456:789a::1", "private")]
    [InlineData("fd00:ec2::254", "private")]
    [InlineData("169.254.0.1", "link-local")]
    [InlineData("169.254.169.254", "cloud metadata")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("febf::1", "link-local")]
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("100.127.255.254", "carrier-grade NAT")]
    [InlineData("168.63.129.16", "wire server")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("0.1.2.3", "unspecified")]
    [InlineData("::", "unspecified")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("192.0.2.10", "documentation")]
    [InlineData("2001:db8::1", "documentation")]
    [InlineData("198.18.0.1", "benchmarking")]
    // IPv4 written inside IPv6: mapped, compatible, NAT64 and 6to4 forms of refused addresses.
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("::ffff:10.0.0.1", "private")]
    [InlineData("::ffff:192.168.0.1", "private")]
    [InlineData("::ffff:169.254.169.254", "cloud metadata")]
    [InlineData("::ffff:168.63.129.16", "wire server")]
    [InlineData("::ffff:100.64.0.1", "carrier-grade NAT")]
    [InlineData("::ffff:0.0.0.0", "unspecified")]
    [InlineData("::ffff:255.255.255.255", "broadcast")]
    [InlineData("::ffff:224.0.0.1", "multicast")]
    [InlineData("::10.0.0.1", "private")]
    [InlineData("64:ff9b::a9fe:a9fe", "cloud metadata")]
    [InlineData("2002:0a00:0001::1", "private")]
    public void Classify_NonPublicAddress_NamesItsKind(string address, string kind)
    {
        var refusal = OutboundAddressPolicy.Classify(IPAddress.Parse(address));

        Assert.NotNull(refusal);
        Assert.Contains(kind, refusal, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("20.190.128.1")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("168.63.129.17")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("2002:0808:0808::1")]
    public void Classify_PublicAddress_IsAllowed(string address) =>
        Assert.Null(OutboundAddressPolicy.Classify(IPAddress.Parse(address)));

    [Fact]
    public void Default_RefusesLoopbackOnAnyPort() =>
        Assert.NotNull(OutboundAddressPolicy.Default.Refusal(IPAddress.Loopback, 443));

    [Fact]
    public void AllowingLoopbackEndpointsForTests_ExemptsOnlyThatExactEndpoint()
    {
        var policy = OutboundAddressPolicy.AllowingLoopbackEndpointsForTests(new IPEndPoint(IPAddress.Loopback, 5001));

        Assert.Null(policy.Refusal(IPAddress.Loopback, 5001));
        Assert.Null(policy.Refusal(IPAddress.Parse("::ffff:127.0.0.1"), 5001));
        Assert.NotNull(policy.Refusal(IPAddress.Loopback, 5002));
        Assert.NotNull(policy.Refusal(IPAddress.Parse("127.0.0.2"), 5001));
        Assert.NotNull(policy.Refusal(IPAddress.Parse("10.0.0.1"), 5001));
    }

    [Fact]
    public void AllowingLoopbackEndpointsForTests_RefusesToExemptANonLoopbackAddress() =>
        Assert.Throws<ArgumentException>(() => OutboundAddressPolicy.AllowingLoopbackEndpointsForTests(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 443)));
}
