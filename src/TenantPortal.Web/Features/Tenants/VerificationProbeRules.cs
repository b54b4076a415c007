using TenantPortal.Web.Features.Platform;

namespace TenantPortal.Web.Features.Tenants;

/// <summary>What the portal accepts as a tenant's verification probe. Each rule answers with a specific message.</summary>
public static class VerificationProbeRules
{
    public const int HeaderNameMaxLength = 100;
    public const int HeaderPrefixMaxLength = 50;

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
            return "No verification probe is configured.";
        }

        if (!Methods.Contains(probe.Method, StringComparer.Ordinal))
        {
            return $"The probe method must be GET, POST or HEAD, not \"{Shorten(probe.Method)}\".";
        }

        if (string.IsNullOrWhiteSpace(probe.Url))
        {
            return "Enter the probe URL.";
        }

        if (probe.Url.Length > VerificationProbe.UrlMaxLength)
        {
            return $"The probe URL is longer than {VerificationProbe.UrlMaxLength} characters.";
        }

        if (!Uri.TryCreate(probe.Url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            return "The probe URL must be an absolute URL such as https://api.example.com/v1/me.";
        }

        if (uri.Scheme != Uri.UriSchemeHttps)
        {
            return $"The probe URL must use https://, not {uri.Scheme}://: the key is sent only over TLS.";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "The probe URL must not contain a user name or password (user@host): the key goes in a header.";
        }

        if (ProbeAllowListEntry.HasEncodedSeparator(uri.AbsolutePath))
        {
            return $"The probe URL's {ProbeAllowListEntry.EncodedSeparatorRule}";
        }

        if (NotAllowed(uri, ProbeAllowListEntry.FromStored(allowList)) is { } refused)
        {
            return refused;
        }

        if (string.IsNullOrEmpty(probe.HeaderName) || probe.HeaderName.Length > HeaderNameMaxLength || !probe.HeaderName.All(IsTokenChar))
        {
            return "The header name must be a single HTTP token of at most 100 letters, digits or !#$%&'*+-.^_`|~ (for example Authorization or X-Api-Key).";
        }

        if (ReservedHeaders.Contains(probe.HeaderName)
            || probe.HeaderName.StartsWith("Content-", StringComparison.OrdinalIgnoreCase)
            || probe.HeaderName.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase)
            || probe.HeaderName.StartsWith("X-TenantPortal-", StringComparison.OrdinalIgnoreCase))
        {
            return $"The key cannot be sent in the {probe.HeaderName} header: the HTTP stack or the portal sets that one. Use Authorization or the provider's key header.";
        }

        if ((probe.HeaderPrefix ?? "").Length > HeaderPrefixMaxLength)
        {
            return $"The header prefix is longer than {HeaderPrefixMaxLength} characters.";
        }

        if ((probe.HeaderPrefix ?? "").Any(c => char.IsControl(c) || c > '\u007e'))
        {
            return "The header prefix may contain only printable ASCII characters (for example \"Bearer \").";
        }

        if (probe.ExpectedStatus is < 100 or > 599)
        {
            return "The expected status must be an HTTP status code between 100 and 599.";
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
            return "No probe origin is allowed yet: a platform admin must add the provider's origin to the allow-list first.";
        }

        var host = uri.IdnHost.TrimEnd('.');
        var forHost = entries.Where(e => string.Equals(e.Host, host, StringComparison.OrdinalIgnoreCase)).Select(e => e.ToString()).Order(StringComparer.Ordinal).ToList();
        if (forHost.Count == 0)
        {
            return $"The probe host {host} is not on the platform's allow-list ({string.Join(", ", entries.Select(e => e.ToString()).Order(StringComparer.Ordinal))}).";
        }

        var port = uri.Port == ProbeAllowListEntry.DefaultPort ? "" : ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $"The probe URL https://{host}{port}{uri.AbsolutePath} is not on the platform's allow-list, which allows only {string.Join(", ", forHost)} " +
            $"for {host}: the port must be the entry's (443 unless it names one) and the path must be the entry's path or under it.";
    }

    private static bool IsTokenChar(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
        or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';

    private static string Shorten(string? text) => text is { Length: > 10 } ? text[..10] + "…" : text ?? "";
}
