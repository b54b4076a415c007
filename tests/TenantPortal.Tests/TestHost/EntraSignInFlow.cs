using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace TenantPortal.Tests.TestHost;

/// <summary>What a browser does during an Entra sign-in against <see cref="TestOidcIssuer"/>.</summary>
public static partial class EntraSignInFlow
{
    /// <summary>A cookie-keeping client on https, so the portal's Secure cookies (correlation, nonce, session) come back.</summary>
    public static HttpClient Browser(PortalAppFactory portal) => portal.CreateClient(new WebApplicationFactoryClientOptions
    {
        BaseAddress = new Uri("https://localhost"),
        AllowAutoRedirect = false,
        HandleCookies = true,
    });

    /// <summary>
    /// Follows the challenge to the issuer, which approves <paramref name="user"/> and answers with an auto-posting form,
    /// and posts that form back to the portal's /signin-oidc. Returns the portal's answer to the post.
    /// </summary>
    public static Task<HttpResponseMessage> SignInAsync(
        TestOidcIssuer issuer, HttpClient browser, TestUser user, string returnUrl, IssuerFault fault = IssuerFault.None) =>
        SignInFromAsync(issuer, browser, user, $"/authentication/sign-in?returnUrl={Uri.EscapeDataString(returnUrl)}", fault);

    /// <summary>As <see cref="SignInAsync"/>, starting at <paramref name="challengePath"/> exactly as written (query encoding included).</summary>
    public static async Task<HttpResponseMessage> SignInFromAsync(
        TestOidcIssuer issuer, HttpClient browser, TestUser user, string challengePath, IssuerFault fault = IssuerFault.None)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(browser);
        issuer.SignInNext(user, fault);
        var challenge = await browser.GetAsync(challengePath);
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);

        using var toIssuer = new HttpClient(issuer.CreateTrustingHandler());
        var formPage = await toIssuer.GetStringAsync(challenge.Headers.Location);
        var action = FormAction().Match(formPage);
        Assert.True(action.Success, $"The issuer answered without a form_post form: {formPage}");
        var fields = HiddenInput().Matches(formPage).ToDictionary(
            m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        Assert.Contains("code", fields.Keys);

        using var post = new FormUrlEncodedContent(fields);
        return await browser.PostAsync(WebUtility.HtmlDecode(action.Groups["action"].Value), post);
    }

    [GeneratedRegex("<form[^>]*action=\"(?<action>[^\"]+)\"")]
    private static partial Regex FormAction();

    [GeneratedRegex("<input[^>]*type=\"hidden\"[^>]*name=\"(?<name>[^\"]+)\"[^>]*value=\"(?<value>[^\"]*)\"")]
    private static partial Regex HiddenInput();
}
