using TenantPortal.Web.Features.Tenants;

namespace TenantPortal.Tests.Features.Tenants;

public sealed class VerificationProbeRulesTests
{
    private static readonly string[] Allowed = ["api.provider.com"];

    private static VerificationProbe Valid() => new()
    {
        Url = "https://api.provider.com/v1/me",
        Method = "GET",
        HeaderName = "Authorization",
        HeaderPrefix = "Bearer ",
        ExpectedStatus = 200,
    };

    [Fact]
    public void Validate_ValidProbe_ReturnsNull() => Assert.Null(VerificationProbeRules.Validate(Valid(), Allowed));

    [Theory]
    [InlineData("HEAD")]
    [InlineData("POST")]
    public void Validate_OtherAllowedMethods_ReturnNull(string method)
    {
        var probe = Valid();
        probe.Method = method;
        Assert.Null(VerificationProbeRules.Validate(probe, Allowed));
    }

    [Theory]
    [InlineData("Method", "DELETE", "GET, POST or HEAD")]
    [InlineData("Method", "get", "GET, POST or HEAD")]
    [InlineData("Url", "", "Enter the probe URL")]
    [InlineData("Url", "/v1/me", "absolute URL")]
    [InlineData("Url", "http://api.provider.com/v1/me", "must use https://")]
    [InlineData("Url", "ftp://api.provider.com/", "must use https://")]
    [InlineData("Url", "https://user:pass@api.provider.com/v1/me", "user name or password")]
    [InlineData("Url", "https://api.other.com/v1/me", "api.other.com is not on the platform's allow-list")]
    [InlineData("Url", "https://api.provider.com.evil.com/v1/me", "not on the platform's allow-list")]
    [InlineData("HeaderName", "", "single HTTP token")]
    [InlineData("HeaderName", "X Api Key", "single HTTP token")]
    [InlineData("HeaderName", "X-Api-Key:", "single HTTP token")]
    [InlineData("HeaderName", "Host", "the HTTP stack or the portal sets")]
    [InlineData("HeaderName", "content-length", "the HTTP stack or the portal sets")]
    [InlineData("HeaderName", "Transfer-Encoding", "the HTTP stack or the portal sets")]
    [InlineData("HeaderName", "Content-Type", "the HTTP stack or the portal sets")]
    [InlineData("HeaderName", "Proxy-Authorization", "the HTTP stack or the portal sets")]
    [InlineData("HeaderName", "X-TenantPortal-Signature", "the HTTP stack or the portal sets")]
    [InlineData("HeaderPrefix", "Bearer\r\nX-Injected: 1", "printable ASCII")]
    [InlineData("ExpectedStatus", "99", "between 100 and 599")]
    [InlineData("ExpectedStatus", "600", "between 100 and 599")]
    public void Validate_InvalidSetting_SaysWhatIsWrong(string property, string value, string expected)
    {
        var probe = Valid();
        switch (property)
        {
            case "Method": probe.Method = value; break;
            case "Url": probe.Url = value; break;
            case "HeaderName": probe.HeaderName = value; break;
            case "HeaderPrefix": probe.HeaderPrefix = value; break;
            case "ExpectedStatus": probe.ExpectedStatus = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
        }

        var problem = VerificationProbeRules.Validate(probe, Allowed);

        Assert.NotNull(problem);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EmptyAllowList_SaysAPlatformAdminMustAddTheHost()
    {
        var problem = VerificationProbeRules.Validate(Valid(), []);

        Assert.Contains("platform admin must add", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AllowListIsCaseInsensitive() =>
        Assert.Null(VerificationProbeRules.Validate(Valid(), ["API.Provider.com"]));

    [Theory]
    // A bare host (every entry stored before origins) is https on port 443, any path.
    [InlineData("api.provider.com", "https://api.provider.com/v1/me", true)]
    [InlineData("api.provider.com", "https://api.provider.com:443/anything", true)]
    [InlineData("api.provider.com", "https://api.provider.com:8443/v1/me", false)]
    [InlineData("https://api.provider.com:8443", "https://api.provider.com:8443/v1/me", true)]
    [InlineData("https://api.provider.com:8443", "https://api.provider.com/v1/me", false)]
    // A path prefix allows itself and what lies under it, on a segment boundary, case-sensitively.
    [InlineData("https://api.provider.com/v1", "https://api.provider.com/v1", true)]
    [InlineData("https://api.provider.com/v1/", "https://api.provider.com/v1/me", true)]
    [InlineData("https://api.provider.com/v1", "https://api.provider.com/v10/me", false)]
    [InlineData("https://api.provider.com/v1", "https://api.provider.com/V1/me", false)]
    [InlineData("https://api.provider.com/v1", "https://api.provider.com/v2/me", false)]
    [InlineData("https://api.provider.com/v1", "https://api.provider.com/v1/../admin", false)]
    [InlineData("https://api.provider.com/v1", "https://api.provider.com/v1/%2e%2e/admin", false)]
    [InlineData("https://api.provider.com/v1", "https://api.provider.com/", false)]
    public void Validate_AllowListEntry_MatchesSchemeHostPortAndPathPrefix(string entry, string url, bool allowed)
    {
        var probe = Valid();
        probe.Url = url;

        var problem = VerificationProbeRules.Validate(probe, [entry]);

        if (allowed)
        {
            Assert.Null(problem);
        }
        else
        {
            Assert.Contains("is not on the platform's allow-list, which allows only", problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Validate_PortNotAllowed_NamesTheUrlAndWhatTheListAllowsForItsHost()
    {
        var probe = Valid();
        probe.Url = "https://api.provider.com:8443/v1/me?account=7";

        var problem = VerificationProbeRules.Validate(probe, ["api.provider.com", "https://api.provider.com/v2", "api.other.com"]);

        Assert.Equal(
            "The probe URL https://api.provider.com:8443/v1/me is not on the platform's allow-list, which allows only https://api.provider.com/, " +
            "https://api.provider.com/v2 for api.provider.com: the port must be the entry's (443 unless it names one) and the path must be the entry's path or under it.",
            problem);
    }

    [Theory]
    [InlineData("https://api.provider.com/v1/..%2Fadmin")]
    [InlineData("https://api.provider.com/v1/%5C..%5Cadmin")]
    [InlineData("https://api.provider.com/v1/%252e%252e/admin")]
    public void Validate_EncodedSeparatorInThePath_IsRefusedEvenUnderAnAllowedPrefix(string url)
    {
        var probe = Valid();
        probe.Url = url;

        Assert.Equal(
            "The probe URL's path cannot contain an encoded slash, backslash or percent sign (%2F, %5C, %25): a server may decode it into another path.",
            VerificationProbeRules.Validate(probe, ["https://api.provider.com/v1"]));
    }
}
