using Microsoft.Extensions.Logging.Testing;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.ApiKeys;

public sealed class ApiKeyProbeTests : IAsyncLifetime
{
    private const string Canary = "sk_live_CANARY_probe_7f3c9e21d4b8";
    private HttpsReceiver _receiver = null!;
    private OutboundHarness _harness = null!;

    public async Task InitializeAsync()
    {
        _receiver = await HttpsReceiver.StartAsync("api.provider.test", "evil.test");
        var dns = new StaticDnsResolver()
            .Map("api.provider.test", "127.0.0.1")
            .Map("internal.provider.test", "10.0.0.12")
            .Map("evil.test", "127.0.0.1");
        _harness = OutboundHarness.Create(dns, [_receiver]);
    }

    public async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private IApiKeyProbe Probe => _harness.Get<IApiKeyProbe>();

    /// <summary>The receiver listens on a random port, so the allow-list names it: a bare host would mean port 443.</summary>
    private string[] Allowed => [Origin("api.provider.test")];

    private string Origin(string host) => $"https://{host}:{_receiver.Port}";

    private VerificationProbe ProbeFor(string path = "/v1/me", string host = "api.provider.test") => new()
    {
        Url = _receiver.Url(host, path).ToString(),
        Method = "GET",
        HeaderName = "Authorization",
        HeaderPrefix = "Bearer ",
        ExpectedStatus = 200,
    };

    [Fact]
    public async Task VerifyAsync_ExpectedStatus_SucceedsAndSendsTheKeyOnlyInTheHeader()
    {
        var result = await Probe.VerifyAsync(ProbeFor("/v1/me?check=1"), new SecretValue(Canary), Allowed, default);

        Assert.True(result.Succeeded, result.Problem?.English);
        Assert.Null(result.Problem?.English);
        var request = Assert.Single(_receiver.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal("Bearer " + Canary, request.Header("Authorization"));
        Assert.DoesNotContain(Canary, request.Path + request.Query, StringComparison.Ordinal);
        Assert.Equal(1, request.Headers.Values.Count(v => v.Contains(Canary, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task VerifyAsync_CustomHeaderWithoutPrefix_SendsTheBareKey()
    {
        var probe = ProbeFor();
        probe.HeaderName = "X-Api-Key";
        probe.HeaderPrefix = "";
        probe.Method = "POST";
        probe.ExpectedStatus = 204;
        _receiver.StatusCode = 204;

        var result = await Probe.VerifyAsync(probe, new SecretValue(Canary), Allowed, default);

        Assert.True(result.Succeeded, result.Problem?.English);
        var request = Assert.Single(_receiver.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal(Canary, request.Header("X-Api-Key"));
        Assert.Null(request.Header("Authorization"));
    }

    [Fact]
    public async Task VerifyAsync_Unauthorized_SaysTheKeyWasRefused()
    {
        _receiver.StatusCode = 401;

        var result = await Probe.VerifyAsync(ProbeFor(), new SecretValue(Canary), Allowed, default);

        Assert.False(result.Succeeded);
        Assert.Equal("The verification probe expected 200 OK, got 401 Unauthorized — the key was refused.", result.Problem?.English);
    }

    [Fact]
    public async Task VerifyAsync_Redirect_IsNotFollowedAndNamesTheTarget()
    {
        _receiver.RedirectTo = "https://evil.test/steal";

        var result = await Probe.VerifyAsync(ProbeFor(), new SecretValue(Canary), Allowed, default);

        Assert.False(result.Succeeded);
        Assert.Contains("redirect", result.Problem?.English, StringComparison.Ordinal);
        Assert.Contains("evil.test", result.Problem?.English, StringComparison.Ordinal);
        Assert.Contains("use the final URL", result.Problem?.English, StringComparison.Ordinal);
        Assert.Single(_receiver.Requests);
        Assert.DoesNotContain(_receiver.Requests, r => r.Path == "/steal");
    }

    [Fact]
    public async Task VerifyAsync_NoAnswer_ReportsATimeout()
    {
        _receiver.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var verifying = Probe.VerifyAsync(ProbeFor(), new SecretValue(Canary), Allowed, default);
        await _receiver.WaitForRequestAsync();
        _harness.Time.Advance(TimeSpan.FromSeconds(11));
        var result = await verifying.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(result.Succeeded);
        Assert.Contains("did not answer within 10 seconds", result.Problem?.English, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_NoAnswerUnderJapanese_SaysSoInJapanese_TheRecordStaysEnglish()
    {
        _receiver.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var japanese = UiCulture.Use("ja");

        var verifying = Probe.VerifyAsync(ProbeFor(), new SecretValue(Canary), Allowed, default);
        await _receiver.WaitForRequestAsync();
        _harness.Time.Advance(TimeSpan.FromSeconds(11));
        var result = await verifying.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(result.Succeeded);
        Assert.Equal("検証プローブを実行できませんでした: api.provider.test が 10 秒以内に応答しませんでした。", result.Problem?.Text);
        Assert.Equal("The verification probe could not be run: api.provider.test did not answer within 10 seconds.", result.Problem?.English);
    }

    [Fact]
    public async Task VerifyAsync_HostNotOnTheAllowListUnderJapanese_RefusesInJapanese_TheRecordStaysEnglish()
    {
        using var japanese = UiCulture.Use("ja");

        var result = await Probe.VerifyAsync(ProbeFor(host: "evil.test"), new SecretValue(Canary), Allowed, default);

        Assert.False(result.Succeeded);
        var allowList = System.Text.RegularExpressions.Regex.Match(result.Problem!.English, @"\((.+)\)").Groups[1].Value;
        Assert.Contains("api.provider.test", allowList, StringComparison.Ordinal);
        Assert.Equal($"The probe host evil.test is not on the platform's allow-list ({allowList}).", result.Problem.English);
        Assert.Equal($"プローブのホスト evil.test はプラットフォームの許可リスト ({allowList}) に含まれていません。", result.Problem.Text);
        Assert.Empty(_receiver.Requests);
    }

    [Fact]
    public async Task VerifyAsync_HostNotOnTheAllowList_IsRefusedWithoutARequest()
    {
        var result = await Probe.VerifyAsync(ProbeFor(host: "evil.test"), new SecretValue(Canary), Allowed, default);

        Assert.False(result.Succeeded);
        Assert.Contains("evil.test is not on the platform's allow-list", result.Problem?.English, StringComparison.Ordinal);
        Assert.Empty(_receiver.Requests);
    }

    [Fact]
    public async Task VerifyAsync_BareHostEntry_MeansPort443_SoAnotherPortIsRefusedWithoutARequest()
    {
        var result = await Probe.VerifyAsync(ProbeFor(), new SecretValue(Canary), ["api.provider.test"], default);

        Assert.False(result.Succeeded);
        Assert.Equal(
            $"The probe URL https://api.provider.test:{_receiver.Port}/v1/me is not on the platform's allow-list, which allows only https://api.provider.test/ " +
            "for api.provider.test: the port must be the entry's (443 unless it names one) and the path must be the entry's path or under it.",
            result.Problem?.English);
        Assert.Empty(_receiver.Requests);
    }

    [Fact]
    public async Task VerifyAsync_PathOutsideTheEntrysPrefix_IsRefusedWithoutARequest()
    {
        var result = await Probe.VerifyAsync(ProbeFor("/v10/me"), new SecretValue(Canary), [Origin("api.provider.test") + "/v1"], default);

        Assert.False(result.Succeeded);
        Assert.Contains($"https://api.provider.test:{_receiver.Port}/v10/me is not on the platform's allow-list", result.Problem?.English, StringComparison.Ordinal);
        Assert.Empty(_receiver.Requests);
        Assert.True((await Probe.VerifyAsync(ProbeFor("/v1/me"), new SecretValue(Canary), [Origin("api.provider.test") + "/v1"], default)).Succeeded);
    }

    [Fact]
    public async Task VerifyAsync_PlainHttp_IsRefusedWithoutARequest()
    {
        var probe = ProbeFor();
        probe.Url = $"http://api.provider.test:{_receiver.Port}/v1/me";

        var result = await Probe.VerifyAsync(probe, new SecretValue(Canary), Allowed, default);

        Assert.False(result.Succeeded);
        Assert.Contains("must use https://", result.Problem?.English, StringComparison.Ordinal);
        Assert.Empty(_receiver.Requests);
    }

    [Fact]
    public async Task VerifyAsync_AllowedHostResolvingToAPrivateAddress_IsRefused()
    {
        var probe = ProbeFor(host: "internal.provider.test");

        var result = await Probe.VerifyAsync(probe, new SecretValue(Canary), [Origin("internal.provider.test")], default);

        Assert.False(result.Succeeded);
        Assert.Contains("private network address", result.Problem?.English, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_EveryOutcome_KeepsTheKeyOutOfLogsAndResults()
    {
        var results = new List<ProbeResult>
        {
            await Probe.VerifyAsync(ProbeFor(), new SecretValue(Canary), Allowed, default),
        };
        _receiver.StatusCode = 403;
        results.Add(await Probe.VerifyAsync(ProbeFor(), new SecretValue(Canary), Allowed, default));
        _receiver.RedirectTo = "https://evil.test/" + Uri.EscapeDataString(Canary);
        results.Add(await Probe.VerifyAsync(ProbeFor(), new SecretValue(Canary), Allowed, default));
        results.Add(await Probe.VerifyAsync(ProbeFor(host: "evil.test"), new SecretValue(Canary), Allowed, default));
        results.Add(await Probe.VerifyAsync(ProbeFor(host: "internal.provider.test"), new SecretValue(Canary), [Origin("internal.provider.test")], default));
        results.Add(await Probe.VerifyAsync(ProbeFor(host: "unknown.provider.test"), new SecretValue(Canary), [Origin("unknown.provider.test")], default));
        _receiver.RedirectTo = null;
        _receiver.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = _receiver.Requests.Count;
        var hanging = Probe.VerifyAsync(ProbeFor(), new SecretValue(Canary), Allowed, default);
        await _receiver.WaitForRequestAsync(seen + 1);
        _harness.Time.Advance(TimeSpan.FromSeconds(11));
        results.Add(await hanging.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains(results, r => r.Succeeded);
        Assert.All(results, r => Assert.DoesNotContain(Canary, r.ToString(), StringComparison.Ordinal));
        var logs = _harness.Logs.GetSnapshot();
        Assert.NotEmpty(logs);
        Assert.All(logs, r => Assert.DoesNotContain(Canary, Describe(r), StringComparison.Ordinal));
    }

    private static string Describe(FakeLogRecord record) =>
        $"{record.Category} {record.Message} {record.Exception} " + string.Join(" ", record.StructuredState?.Select(s => s.Value) ?? []);
}
