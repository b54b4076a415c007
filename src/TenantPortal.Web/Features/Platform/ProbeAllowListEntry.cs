using System.Globalization;
using TenantPortal.Web.Infrastructure.Text;

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


    // The messages are worded in the caller's UI culture (ProbeAllowListEntry.resx, .ja.resx beside this file).
    private static readonly ResourceTexts Texts = new(typeof(ProbeAllowListEntry));

    /// <summary>The entry as it is stored and shown on the settings page: the bare host when nothing else is stated.</summary>
    public string Stored => Port == DefaultPort && PathPrefix == "/" ? Host : ToString();

    /// <summary>Parses one entry as a platform admin typed it; a specific message naming the entry, or null and the entry.</summary>
    public static string? TryParse(string raw, out ProbeAllowListEntry? entry)
    {
        ArgumentNullException.ThrowIfNull(raw);
        entry = null;
        var text = raw.Trim();
        var shown = text.Length > 60 ? text[..60] + "…" : text;
        if (text.Length > MaxLength)
        {
            return Texts.Format("TooLong", shown, MaxLength);
        }

        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            text = "https://" + text;
        }
        else if (!text[..schemeEnd].Equals(Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase))
        {
            return Texts.Format("NotHttps", shown, text[..schemeEnd]);
        }

        if (text.IndexOfAny(['?', '#']) >= 0)
        {
            return Texts.Format("QueryOrFragment", shown);
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            return Texts.Format("NotAnOrigin", shown);
        }

        if (uri.UserInfo.Length > 0)
        {
            return Texts.Format("UserInfo", shown);
        }

        var host = uri.IdnHost.TrimEnd('.').ToLowerInvariant();
        if (uri.HostNameType != UriHostNameType.Dns || !host.Contains('.', StringComparison.Ordinal) || host.Length > 253)
        {
            return Texts.Format("NotDns", shown);
        }

        if (uri.Port < 1)
        {
            return Texts.Format("BadPort", shown);
        }

        if (HasEncodedSeparator(uri.AbsolutePath))
        {
            return Texts.Format("EncodedSeparator", shown);
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
