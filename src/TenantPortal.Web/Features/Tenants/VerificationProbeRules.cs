using TenantPortal.Web.Features.Platform;
using TenantPortal.Web.Infrastructure.Text;

namespace TenantPortal.Web.Features.Tenants;

/// <summary>What the portal accepts as a tenant's verification probe. Each rule answers with a specific message.</summary>
public static class VerificationProbeRules
{
    public const int HeaderNameMaxLength = 100;
    public const int HeaderPrefixMaxLength = 50;

    // The messages are worded in the caller's UI culture (VerificationProbeRules.resx, .ja.resx beside this file).
    private static readonly ResourceTexts Texts = new(typeof(VerificationProbeRules));

    public static IReadOnlyList<string> Methods { get; } = ["GET", "POST", "HEAD"];

    // Headers the HTTP stack owns, that would change how the request is framed or routed, or that carry another
    // party's credentials. Content-* headers belong to a body the probe does not send.
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "Expect", "TE", "Trailer",
        "Cookie", "Forwarded", "Via", "Origin", "Referer", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto",
    };

    /// <summary>
    /// A specific message for a probe the portal refuses, or null when it may be run. <paramref name="allowList"/> is the
    /// platform's allow-list as stored (<see cref="ProbeAllowListEntry.Stored"/>): the URL must match one entry.
    /// </summary>
    public static string? Validate(VerificationProbe? probe, IReadOnlyCollection<string> allowList)
    {
        ArgumentNullException.ThrowIfNull(allowList);
        if (probe is null)
        {
            return Texts.Format("NoProbe");
        }

        if (!Methods.Contains(probe.Method, StringComparer.Ordinal))
        {
            return Texts.Format("BadMethod", Shorten(probe.Method));
        }

        if (string.IsNullOrWhiteSpace(probe.Url))
        {
            return Texts.Format("UrlRequired");
        }

        if (probe.Url.Length > VerificationProbe.UrlMaxLength)
        {
            return Texts.Format("UrlTooLong", VerificationProbe.UrlMaxLength);
        }

        if (!Uri.TryCreate(probe.Url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            return Texts.Format("UrlNotAbsolute");
        }

        if (uri.Scheme != Uri.UriSchemeHttps)
        {
            return Texts.Format("UrlNotHttps", uri.Scheme);
        }

        if (uri.UserInfo.Length > 0)
        {
            return Texts.Format("UrlUserInfo");
        }

        if (ProbeAllowListEntry.HasEncodedSeparator(uri.AbsolutePath))
        {
            return Texts.Format("UrlEncodedSeparator");
        }

        if (NotAllowed(uri, ProbeAllowListEntry.FromStored(allowList)) is { } refused)
        {
            return refused;
        }

        if (string.IsNullOrEmpty(probe.HeaderName) || probe.HeaderName.Length > HeaderNameMaxLength || !probe.HeaderName.All(IsTokenChar))
        {
            return Texts.Format("BadHeaderName");
        }

        if (ReservedHeaders.Contains(probe.HeaderName)
            || probe.HeaderName.StartsWith("Content-", StringComparison.OrdinalIgnoreCase)
            || probe.HeaderName.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase)
            || probe.HeaderName.StartsWith("X-TenantPortal-", StringComparison.OrdinalIgnoreCase))
        {
            return Texts.Format("ReservedHeader", probe.HeaderName);
        }

        if ((probe.HeaderPrefix ?? "").Length > HeaderPrefixMaxLength)
        {
            return Texts.Format("PrefixTooLong", HeaderPrefixMaxLength);
        }

        if ((probe.HeaderPrefix ?? "").Any(c => char.IsControl(c) || c > '\u007e'))
        {
            return Texts.Format("PrefixNotAscii");
        }

        if (probe.ExpectedStatus is < 100 or > 599)
        {
            return Texts.Format("BadStatus");
        }

        return null;
    }

    private static string? NotAllowed(Uri uri, IReadOnlyList<ProbeAllowListEntry> entries)
    {
        if (entries.Any(e => e.Allows(uri)))
        {
            return null;
        }

        if (entries.Count == 0)
        {
            return Texts.Format("NoAllowList");
        }

        var host = uri.IdnHost.TrimEnd('.');
        var forHost = entries.Where(e => string.Equals(e.Host, host, StringComparison.OrdinalIgnoreCase)).Select(e => e.ToString()).Order(StringComparer.Ordinal).ToList();
        if (forHost.Count == 0)
        {
            return Texts.Format("HostNotAllowed", host, string.Join(", ", entries.Select(e => e.ToString()).Order(StringComparer.Ordinal)));
        }

        var port = uri.Port == ProbeAllowListEntry.DefaultPort ? "" : ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Texts.Format("PathNotAllowed", $"https://{host}{port}{uri.AbsolutePath}", string.Join(", ", forHost), host);
    }

    private static bool IsTokenChar(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
        or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';

    private static string Shorten(string? text) => text is { Length: > 10 } ? text[..10] + "…" : text ?? "";
}
