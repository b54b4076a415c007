using Microsoft.AspNetCore.Http.HttpResults;

namespace TenantPortal.Web.Auth;

/// <summary>Where the browser may be sent once a sign-in is done: a path on this site, else the home page.</summary>
public static class ReturnUrls
{
    public const string Home = "/";

    /// <summary>
    /// <paramref name="url"/> when the framework's local-URL rule accepts it (no scheme or host, no <c>//</c> or <c>/\</c>,
    /// no control character anywhere: browsers drop a tab or a line break and would follow <c>/&#9;/evil.example</c> to
    /// <c>//evil.example</c>), else <see cref="Home"/>. App-relative <c>~/</c> URLs are not taken either: the OpenID
    /// Connect handler would send them to the browser as written.
    /// </summary>
    public static string LocalOrHome(string? url) => url is ['/', ..] && RedirectHttpResult.IsLocalUrl(url) ? url : Home;
}
