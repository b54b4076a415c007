using System.Net;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;

namespace TenantPortal.Tests.Auth;

public sealed class ReturnUrlsTests : IDisposable
{
    private readonly PortalAppFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Theory]
    [InlineData("/", "/")]
    [InlineData("/tenants/contoso/api-key?tab=versions", "/tenants/contoso/api-key?tab=versions")]
    [InlineData("/%09/evil.example", "/%09/evil.example")]
    [InlineData(null, "/")]
    [InlineData("", "/")]
    [InlineData("/\t/evil.example", "/")]
    [InlineData("/\n/evil.example", "/")]
    [InlineData("/\r/evil.example", "/")]
    [InlineData("/tenants\t/evil.example", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("\\\\evil.example", "/")]
    [InlineData("//evil.example", "/")]
    [InlineData("///evil.example", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("evil.example", "/")]
    [InlineData("~/tenants", "/")]
    public void LocalOrHome_AnyText_KeepsOnlyAPathOnThisSite(string? url, string expected) =>
        Assert.Equal(expected, ReturnUrls.LocalOrHome(url));

    [Theory]
    [InlineData("/%09/evil.example")]
    [InlineData("/%0A/evil.example")]
    [InlineData("/%0D/evil.example")]
    [InlineData("/%5Cevil.example")]
    [InlineData("%2F%2Fevil.example")]
    [InlineData("https%3A%2F%2Fevil.example%2F")]
    public async Task SignIn_DevelopmentWithAForeignReturnUrl_OffersThePersonasWithTheHomePage(string encodedReturnUrl)
    {
        using var browser = _factory.CreateBrowserLikeClient();

        var challenge = await browser.GetAsync($"{AuthServiceCollectionExtensions.SignInPath}?returnUrl={encodedReturnUrl}");
        var page = await browser.GetStringAsync($"/dev/sign-in?returnUrl={encodedReturnUrl}");

        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        Assert.Equal("/dev/sign-in?returnUrl=%2F", challenge.Headers.Location!.OriginalString);
        Assert.Contains("<input type=\"hidden\" name=\"returnUrl\" value=\"/\" />", page, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/\t/evil.example")]
    [InlineData("/\n/evil.example")]
    [InlineData("/\r/evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("//evil.example")]
    [InlineData("https://evil.example/")]
    public async Task DevelopmentSignIn_PostedForeignReturnUrl_RedirectsHome(string returnUrl)
    {
        using var browser = _factory.CreateBrowserLikeClient();

        var location = await PortalAppFactory.SignInAsync(browser, "contoso-admin", returnUrl);

        Assert.Equal("/", location.OriginalString);
    }

    [Fact]
    public async Task DevelopmentSignIn_PostedLocalReturnUrl_RedirectsThere()
    {
        using var browser = _factory.CreateBrowserLikeClient();

        var location = await PortalAppFactory.SignInAsync(browser, "contoso-admin", "/tenants/contoso/api-key");

        Assert.Equal("/tenants/contoso/api-key", location.OriginalString);
    }
}
