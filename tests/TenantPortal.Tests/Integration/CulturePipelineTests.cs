using System.Net;
using System.Text.RegularExpressions;
using TenantPortal.Tests.TestHost;

namespace TenantPortal.Tests.Integration;

/// <summary>The request's culture: the culture cookie set by POST /culture, else Accept-Language, else English.</summary>
public sealed partial class CulturePipelineTests : IDisposable
{
    private readonly PortalAppFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Theory]
    [InlineData("ja-JP,ja;q=0.9,en;q=0.8")]
    [InlineData("ja")]
    public async Task Page_ForABrowserThatPrefersJapanese_IsJapanese(string acceptLanguage)
    {
        using var client = _factory.CreateBrowserLikeClient();

        var page = await GetAsync(client, "/dev/sign-in", acceptLanguage);

        Assert.Contains("<html lang=\"ja\">", page, StringComparison.Ordinal);
        Assert.Contains("<title>サインイン (開発用)</title>", page, StringComparison.Ordinal);
        Assert.Contains("Contoso のテナント管理者", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("fr-FR,fr;q=0.9")]
    [InlineData("en-GB")]
    public async Task Page_WithoutJapaneseInTheBrowsersLanguages_IsEnglish(string? acceptLanguage)
    {
        using var client = _factory.CreateBrowserLikeClient();

        var page = await GetAsync(client, "/dev/sign-in", acceptLanguage);

        Assert.Contains("<html lang=\"en\">", page, StringComparison.Ordinal);
        Assert.Contains("<title>Sign in (development)</title>", page, StringComparison.Ordinal);
        Assert.Contains("Tenant admin of Contoso", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChoosingJapanese_SetsTheCultureCookie_ReturnsToThePage_AndOutranksTheBrowser()
    {
        using var client = _factory.CreateBrowserLikeClient();

        using var response = await PostCultureAsync(client, "ja", "/dev/sign-in?returnUrl=%2Faudit");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/dev/sign-in?returnUrl=%2Faudit", response.Headers.Location!.OriginalString);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.Culture=", StringComparison.Ordinal));
        Assert.StartsWith(".AspNetCore.Culture=c%3Dja%7Cuic%3Dja; expires=", cookie, StringComparison.Ordinal);
        Assert.EndsWith("; path=/; samesite=lax; httponly", cookie, StringComparison.Ordinal);
        var page = await GetAsync(client, "/dev/sign-in", "en-US,en;q=0.9");
        Assert.Contains("<html lang=\"ja\">", page, StringComparison.Ordinal);
        Assert.Contains("<title>サインイン (開発用)</title>", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChoosingEnglish_AfterJapanese_OutranksABrowserThatPrefersJapanese()
    {
        using var client = _factory.CreateBrowserLikeClient();
        (await PostCultureAsync(client, "ja", "/")).Dispose();

        (await PostCultureAsync(client, "en", "/")).Dispose();

        Assert.Contains("<title>Sign in (development)</title>", await GetAsync(client, "/dev/sign-in", "ja"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fr")]
    [InlineData("ja-JP")]
    [InlineData("JA")]
    [InlineData("")]
    public async Task ChoosingALanguageThePortalDoesNotSpeak_IsRefused_AndChangesNothing(string culture)
    {
        using var client = _factory.CreateBrowserLikeClient();

        using var response = await PostCultureAsync(client, culture, "/");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal($"\"Unknown language '{culture}'. Choose one of: en, ja.\"", await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain(response.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith(".AspNetCore.Culture", StringComparison.Ordinal)));
        Assert.Contains("<html lang=\"en\">", await GetAsync(client, "/dev/sign-in", null), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://evil.example/phish")]
    [InlineData("//evil.example/phish")]
    [InlineData("/\\evil.example")]
    [InlineData(null)]
    public async Task ChoosingALanguage_WithAReturnUrlOffTheSite_GoesHome(string? returnUrl)
    {
        using var client = _factory.CreateBrowserLikeClient();

        using var response = await PostCultureAsync(client, "ja", returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("/dev/sign-in?returnUrl=%2Ftenants%2Fcontoso%2Fapi-key", "/dev/sign-in?returnUrl=%2Ftenants%2Fcontoso%2Fapi-key")]
    [InlineData("/dev/sign-in?returnUrl=%2F%2Fevil.example", "/dev/sign-in?returnUrl=%2F")]
    [InlineData("/authentication/no-access", "/authentication/no-access")]
    public async Task LanguageSwitch_ComesBackToThePage_WithOnlyALocalSignInTarget(string path, string expected)
    {
        using var client = _factory.CreateBrowserLikeClient();

        var page = await GetAsync(client, path, null);

        var form = LanguageSwitchForm().Match(page);
        Assert.True(form.Success, "The page has no language switch.");
        Assert.Contains($"<input type=\"hidden\" name=\"returnUrl\" value=\"{expected}\" />", form.Value, StringComparison.Ordinal);
        Assert.Contains("name=\"culture\" value=\"ja\"", form.Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChoosingALanguage_WithoutTheAntiforgeryToken_IsRefused()
    {
        using var client = _factory.CreateBrowserLikeClient();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["culture"] = "ja", ["returnUrl"] = "/" });

        using var response = await client.PostAsync("/culture", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(response.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith(".AspNetCore.Culture", StringComparison.Ordinal)));
    }

    private static async Task<string> GetAsync(HttpClient client, string path, string? acceptLanguage)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (acceptLanguage is not null)
        {
            request.Headers.AcceptLanguage.ParseAdd(acceptLanguage);
        }

        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Static rendering writes characters outside Basic Latin as character references.
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
    }

    /// <summary>Posts the language switch's form as a browser would, with the antiforgery token from a page's form.</summary>
    private static async Task<HttpResponseMessage> PostCultureAsync(HttpClient client, string culture, string? returnUrl)
    {
        var page = await client.GetStringAsync("/dev/sign-in");
        var fields = new Dictionary<string, string>
        {
            ["culture"] = culture,
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(AntiforgeryToken().Match(page).Groups[1].Value),
        };
        if (returnUrl is not null)
        {
            fields["returnUrl"] = returnUrl;
        }

        using var form = new FormUrlEncodedContent(fields);
        return await client.PostAsync("/culture", form);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    [GeneratedRegex("<form method=\"post\" action=\"/culture\".*?</form>", RegexOptions.Singleline)]
    private static partial Regex LanguageSwitchForm();
}
