using System.Globalization;
using System.Resources;

namespace TenantPortal.Web.Infrastructure.Text;

/// <summary>
/// The texts of a class that cannot take an <c>IStringLocalizer</c> (a static class or a value type): the
/// <c>.resx</c>/<c>.ja.resx</c> beside it, read in the caller's UI culture and formatted in its culture.
/// </summary>
public sealed class ResourceTexts(Type owner)
{
    private readonly ResourceManager _resources = new(owner);

    /// <summary><paramref name="key"/> in the caller's language, with <paramref name="arguments"/> formatted in its culture.</summary>
    public string Format(string key, params object[] arguments) =>
        string.Format(CultureInfo.CurrentCulture, Get(key, CultureInfo.CurrentUICulture), arguments);

    /// <summary><paramref name="key"/> in <paramref name="language"/> (the invariant culture: English, for exceptions and logs), formatted invariantly.</summary>
    public string FormatIn(CultureInfo language, string key, params object[] arguments) =>
        string.Format(CultureInfo.InvariantCulture, Get(key, language), arguments);

    /// <summary><paramref name="key"/> in the caller's language, or null when there is no such text.</summary>
    public string? Find(string key) => _resources.GetString(key, CultureInfo.CurrentUICulture);

    private string Get(string key, CultureInfo language) =>
        _resources.GetString(key, language) ?? throw new InvalidOperationException($"No text '{key}' for {_resources.BaseName}.");
}
