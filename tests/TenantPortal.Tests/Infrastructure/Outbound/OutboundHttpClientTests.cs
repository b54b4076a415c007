using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Infrastructure.Outbound;

namespace TenantPortal.Tests.Infrastructure.Outbound;

public sealed class OutboundHttpClientTests : IAsyncLifetime
{
    private HttpsReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await HttpsReceiver.StartAsync("api.provider.test", "hooks.tenant.test");

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("10.1.2.3", "private network")]
    [InlineData("172.20.0.5", "private network")]
    [InlineData("192.168.10.10", "private network")]
    [InlineData("169.254.169.254", "cloud metadata")]
    [InlineData("168.63.129.16", "wire server")]
    [InlineData("100.64.1.1", "carrier-grade NAT")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("224.0.0.251", "multicast")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("::1", "loopback")]
    [InlineData("fd00::1", "private network")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("::ffff:169.254.169.254", "cloud metadata")]
    [InlineData("::ffff:10.0.0.1", "private network")]
    public async Task SendAsync_HostResolvingToRefusedAddress_IsRefusedBeforeConnecting(string address, string kind)
    {
        var dns = new StaticDnsResolver().Map("internal.example.com", address);
        await using var harness = OutboundHarness.Create(dns);

        using var request = new HttpRequestMessage(HttpMethod.Get, "https://internal.example.com/v1/me");
        var response = await harness.Get<OutboundHttpClient>().SendAsync(request, default);

        Assert.Equal(OutboundFailure.AddressRefused, response.Failure);
        Assert.Contains(kind, response.Problem?.English, StringComparison.Ordinal);
        Assert.Contains("internal.example.com", response.Problem?.English, StringComparison.Ordinal);
        Assert.DoesNotContain(address, response.Problem?.English, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_Failures_AreWordedInTheReadersLanguage_AndInEnglishForTheRecord()
    {
        var dns = new StaticDnsResolver().Map("internal.example.com", "10.0.0.7");
        await using var harness = OutboundHarness.Create(dns);
        var client = harness.Get<OutboundHttpClient>();
        using var japanese = UiCulture.Use("ja");

        using var refusedRequest = new HttpRequestMessage(HttpMethod.Get, "https://internal.example.com/v1/me");
        var refused = (await client.SendAsync(refusedRequest, default)).Problem!;
        using var unknownRequest = new HttpRequestMessage(HttpMethod.Get, "https://nowhere.example.com/");
        var unknown = (await client.SendAsync(unknownRequest, default)).Problem!;
        using var plainRequest = new HttpRequestMessage(HttpMethod.Get, "http://internal.example.com/");
        var plain = (await client.SendAsync(plainRequest, default)).Problem!;

        Assert.Equal("internal.example.com は プライベート ネットワーク のアドレスに解決されるため、ポータルからは呼び出しません。", refused.Text);
        Assert.Equal("internal.example.com resolves to a private network address, which the portal never calls.", refused.English);
        Assert.Equal("ホスト名 nowhere.example.com を解決できませんでした。", unknown.Text);
        Assert.Equal("The host name nowhere.example.com could not be resolved.", unknown.English);
        Assert.Equal("呼び出せるのは https:// の URL だけです。", plain.Text);
        Assert.Equal("Only https:// URLs are called.", plain.English);
    }

    [Fact]
    public void AddressKinds_EveryKindThePolicyNames_HasATextOfItsOwn()
    {
        string[] samples =
        [
            "0.1.2.3", "127.0.0.1", "10.1.2.3", "100.64.1.1", "169.254.1.1", "169.254.169.254", "168.63.129.16", "192.0.0.8",
            "192.0.2.1", "198.18.0.1", "224.0.0.251", "255.255.255.255", "240.0.0.1", "::", "::1", "fd00::1", "fec0::1", "fe80::1",
            "ff02::1", "2001:db8::1", "100::1",
        ];

        var kinds = samples.Select(a => OutboundAddressPolicy.Classify(IPAddress.Parse(a))!).Distinct().ToList();

        Assert.Equal(17, kinds.Count);
        Assert.Empty(kinds.Except(OutboundProblem.WordedAddressKinds));
        using var japanese = UiCulture.Use("ja");
        Assert.All(kinds, kind => Assert.DoesNotContain(kind, OutboundProblem.AddressRefused("h.example", kind).Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SendAsync_HostWithOnePublicAndOnePrivateAddress_IsRefused()
    {
        var dns = new StaticDnsResolver().Map("mixed.example.com", "8.8.8.8", "10.0.0.7");
        await using var harness = OutboundHarness.Create(dns);

        using var request = new HttpRequestMessage(HttpMethod.Get, "https://mixed.example.com/");
        var response = await harness.Get<OutboundHttpClient>().SendAsync(request, default);

        Assert.Equal(OutboundFailure.AddressRefused, response.Failure);
    }

    [Theory]
    [InlineData("https://127.0.0.1:{0}/")]
    [InlineData("https://[::1]:{0}/")]
    [InlineData("https://[::ffff:127.0.0.1]:{0}/")]
    [InlineData("https://localhost:{0}/")]
    public async Task SendAsync_ProductionPolicy_CannotReachALoopbackReceiver(string template)
    {
        var dns = new StaticDnsResolver().Map("localhost", "127.0.0.1");
        await using var harness = OutboundHarness.Create(dns);

        using var request = new HttpRequestMessage(HttpMethod.Get, string.Format(System.Globalization.CultureInfo.InvariantCulture, template, _receiver.Port));
        var response = await harness.Get<OutboundHttpClient>().SendAsync(request, default);

        Assert.Equal(OutboundFailure.AddressRefused, response.Failure);
        Assert.Empty(_receiver.Requests);
    }

    [Fact]
    public async Task SendAsync_TestSeam_ReachesExactlyTheExemptedReceiver()
    {
        var dns = new StaticDnsResolver().Map("api.provider.test", "127.0.0.1");
        await using var harness = OutboundHarness.Create(dns, [_receiver]);

        using var request = new HttpRequestMessage(HttpMethod.Get, _receiver.Url("api.provider.test", "/v1/me"));
        var response = await harness.Get<OutboundHttpClient>().SendAsync(request, default);

        Assert.Equal(OutboundFailure.None, response.Failure);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("/v1/me", Assert.Single(_receiver.Requests).Path);
    }

    [Fact]
    public async Task SendAsync_Redirect_IsNotFollowed()
    {
        var dns = new StaticDnsResolver().Map("api.provider.test", "127.0.0.1").Map("elsewhere.test", "127.0.0.1");
        _receiver.RedirectTo = "https://elsewhere.test/landing?x=1";
        await using var harness = OutboundHarness.Create(dns, [_receiver]);

        using var request = new HttpRequestMessage(HttpMethod.Get, _receiver.Url("api.provider.test", "/v1/me"));
        var response = await harness.Get<OutboundHttpClient>().SendAsync(request, default);

        Assert.Equal(302, response.StatusCode);
        Assert.True(response.IsRedirect);
        Assert.Equal("elsewhere.test", response.RedirectHost);
        Assert.Single(_receiver.Requests);
    }

    [Fact]
    public async Task SendAsync_PlainHttp_IsRefusedWithoutARequest()
    {
        var dns = new StaticDnsResolver().Map("api.provider.test", "127.0.0.1");
        await using var harness = OutboundHarness.Create(dns, [_receiver]);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://api.provider.test:{_receiver.Port}/");
        var response = await harness.Get<OutboundHttpClient>().SendAsync(request, default);

        Assert.Equal(OutboundFailure.NotHttps, response.Failure);
        Assert.Empty(_receiver.Requests);
    }

    [Fact]
    public async Task SendAsync_NoAnswerWithinTheTimeout_ReportsATimeoutOnThePortalClock()
    {
        var dns = new StaticDnsResolver().Map("api.provider.test", "127.0.0.1");
        _receiver.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = OutboundHarness.Create(dns, [_receiver]);

        using var request = new HttpRequestMessage(HttpMethod.Get, _receiver.Url("api.provider.test"));
        var sending = harness.Get<OutboundHttpClient>().SendAsync(request, default);
        await _receiver.WaitForRequestAsync();
        Assert.False(sending.IsCompleted);
        harness.Time.Advance(TimeSpan.FromSeconds(10));
        var response = await sending.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(OutboundFailure.Timeout, response.Failure);
        Assert.Contains("did not answer within 10 seconds", response.Problem?.English, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_UntrustedCertificate_ReportsATlsFailure()
    {
        var dns = new StaticDnsResolver().Map("api.provider.test", "127.0.0.1");
        // The receiver is reachable, but its certificate is not trusted (the seam's trust part is left out).
        await using var harness = OutboundHarness.Create(dns, configure: s =>
            s.AddSingleton(OutboundAddressPolicy.AllowingLoopbackEndpointsForTests(_receiver.EndPoint)));

        using var request = new HttpRequestMessage(HttpMethod.Get, _receiver.Url("api.provider.test"));
        var response = await harness.Get<OutboundHttpClient>().SendAsync(request, default);

        Assert.Equal(OutboundFailure.TlsFailed, response.Failure);
        Assert.Empty(_receiver.Requests);
    }

    [Fact]
    public async Task SendAsync_NothingListening_ReportsConnectionFailed()
    {
        var port = FreePort();
        var dns = new StaticDnsResolver().Map("down.provider.test", "127.0.0.1");
        await using var harness = OutboundHarness.Create(dns, configure: s =>
            s.AddSingleton(OutboundAddressPolicy.AllowingLoopbackEndpointsForTests(new IPEndPoint(IPAddress.Loopback, port))));

        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://down.provider.test:{port}/");
        var response = await harness.Get<OutboundHttpClient>().SendAsync(request, default);

        Assert.Equal(OutboundFailure.ConnectionFailed, response.Failure);
        Assert.Contains("Could not connect to down.provider.test", response.Problem?.English, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_UnknownHost_ReportsNameNotResolved()
    {
        await using var harness = OutboundHarness.Create(new StaticDnsResolver());

        using var request = new HttpRequestMessage(HttpMethod.Get, "https://nowhere.example.com/");
        var response = await harness.Get<OutboundHttpClient>().SendAsync(request, default);

        Assert.Equal(OutboundFailure.NameNotResolved, response.Failure);
    }

    [Fact]
    public async Task SendAsync_DnsAnswerChangesToPrivate_TheNewAnswerIsCheckedAtConnect()
    {
        // A rebinding attacker answers with a public address when the URL is checked and a private one later.
        var dns = new StaticDnsResolver().Map("rebind.example.com", "8.8.8.8");
        await using var harness = OutboundHarness.Create(dns);
        Assert.Null(await harness.Get<OutboundConnector>().CheckHostAsync("rebind.example.com", 443, default));

        dns.Map("rebind.example.com", "169.254.169.254");
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://rebind.example.com/hook");
        var response = await harness.Get<OutboundHttpClient>().SendAsync(request, default);

        Assert.Equal(OutboundFailure.AddressRefused, response.Failure);
        Assert.Contains("cloud metadata", response.Problem?.English, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
