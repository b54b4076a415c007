using System.Globalization;

namespace TenantPortal.Web.Features.Platform;

/// <summary>
/// One entry of the platform's verification probe allow-list: an https origin (host, and port 443 unless stated) with
/// an optional path prefix. A probe URL matches when its scheme, host and port are the entry's and its path is the
/// prefix or lies under it on a segment boundary (<c>/v1</c> allows <c>/v1</c> and <c>/v1/me</c>, not <c>/v10</c>).
/// Stored in <see cref="PlatformSettings.ProbeAllowedHosts"/> as text: a bare host for <c>https://host:443/</c> — which
/// is what every entry meant before entries were origins, so stored lists keep their meaning — else the origin and prefix.
/// </summary>
public sealed record ProbeAllowListEntry(string Host, int Port, string PathPrefix)
{
    public const int DefaultPort = 443;
    public const int MaxLength = 300;

    public const string EncodedSeparatorRule =
        "path cannot contain an encoded slash, backslash or percent sign (%2F, %5C, %25): a server may decode it into another path.";

    /// <summary>The entry as it is stored and shown on the settings page: the bare host when nothing else is stated.</summary>
    public string Stored => Port == DefaultPort && PathPrefix == "/" ? Host : ToString();

    /// <summary>Parses one entry as a platform admin typed it; a specific message naming the entry, or null and the entry.</summary>
    public static string? TryParse(string raw, out ProbeAllowListEntry? entry)
    {
        ArgumentNullException.ThrowIfNull(raw);
        entry = null;
        var text = raw.Trim();
        var shown = $"\"{(text.Length > 60 ? text[..60] + "…" : text)}\"";
        if (text.Length > MaxLength)
        {
            return $"{shown} is longer than {MaxLength} characters.";
        }

        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            text = "https://" + text;
        }
        else if (!text[..schemeEnd].Equals(Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase))
        {
            return $"{shown}: only https:// origins can be allowed, not {text[..schemeEnd]}://, because the key is sent only over TLS.";
        }

        if (text.IndexOfAny(['?', '#']) >= 0)
        {
            return $"{shown}: an entry is an origin with an optional path prefix; it cannot have a query (?) or fragment (#).";
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            return $"{shown} is not an origin: write e.g. api.example.com, https://api.example.com:8443 or https://api.example.com/v1.";
        }

        if (uri.UserInfo.Length > 0)
        {
            return $"{shown}: an entry cannot contain a user name or password (user@host).";
        }

        var host = uri.IdnHost.TrimEnd('.').ToLowerInvariant();
        if (uri.HostNameType != UriHostNameType.Dns || !host.Contains('.', StringComparison.Ordinal) || host.Length > 253)
        {
            return $"{shown}: the host must be a DNS name such as api.example.com; IP addresses and single-label names are not accepted.";
        }

        if (uri.Port < 1)
        {
            return $"{shown}: the port must be between 1 and 65535.";
        }

        if (HasEncodedSeparator(uri.AbsolutePath))
        {
            return $"{shown}: the {EncodedSeparatorRule}";
        }

        var prefix = uri.AbsolutePath.TrimEnd('/');
        entry = new ProbeAllowListEntry(host, uri.Port, prefix.Length == 0 ? "/" : prefix);
        return null;
    }

    /// <summary>The stored entries that parse; one that does not (which saving never lets in) allows nothing.</summary>
    public static IReadOnlyList<ProbeAllowListEntry> FromStored(IEnumerable<string> stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var entries = new List<ProbeAllowListEntry>();
        foreach (var text in stored.Where(s => !string.IsNullOrWhiteSpace(s)))
        {
            if (TryParse(text, out var entry) is null)
            {
                entries.Add(entry!);
            }
        }

        return entries;
    }

    /// <summary>An encoded separator would let a path look as if it were under a prefix while the server reads it elsewhere.</summary>
    public static bool HasEncodedSeparator(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.Contains("%2F", StringComparison.OrdinalIgnoreCase)
            || path.Contains("%5C", StringComparison.OrdinalIgnoreCase)
            || path.Contains("%25", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Whether <paramref name="url"/> has this entry's scheme, host and port and a path under its prefix.</summary>
    public bool Allows(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || url.Scheme != Uri.UriSchemeHttps || url.Port != Port
            || !string.Equals(url.IdnHost.TrimEnd('.'), Host, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var path = url.AbsolutePath;
        return PathPrefix == "/" || path == PathPrefix || path.StartsWith(PathPrefix + "/", StringComparison.Ordinal);
    }

    /// <summary>The full form, e.g. <c>https://api.example.com/</c> or <c>https://api.example.com:8443/v1</c>.</summary>
    public override string ToString() =>
        $"https://{Host}{(Port == DefaultPort ? "" : ":" + Port.ToString(CultureInfo.InvariantCulture))}{PathPrefix}";
}
