using System.Globalization;
using Microsoft.Extensions.Localization;

namespace TenantPortal.Web.Infrastructure.Text;

/// <summary>
/// A message a service both shows and records: <see cref="Text"/> in the reader's language (the current UI culture: a
/// circuit's, or an API request's), <see cref="English"/> for the audit trail and the logs, which stay English.
/// </summary>
public sealed record LocalizedMessage(string Text, string English)
{
    /// <summary>
    /// A text worded by code that reads the current UI culture (a static class's <c>ResourceTexts</c>): once in the
    /// reader's language, once in English for the record.
    /// </summary>
    public static LocalizedMessage Of(Func<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        return new(words(), LocalizerExtensions.InEnglish(words));
    }
}

public static class LocalizerExtensions
{
    /// <summary>The text of <paramref name="key"/> for the record: the neutral (English) resource, formatted invariantly.</summary>
    public static string English(this IStringLocalizer localizer, string key, params object[] arguments)
    {
        ArgumentNullException.ThrowIfNull(localizer);
        return InEnglish(() => localizer[key, arguments]);
    }

    /// <summary>Runs <paramref name="words"/> under the invariant culture: the neutral (English) resources, formatted invariantly.</summary>
    public static string InEnglish(Func<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        var (culture, uiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        try
        {
            return words();
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = uiCulture;
        }
    }

    /// <summary><paramref name="key"/> in the reader's language and in English.</summary>
    public static LocalizedMessage Message(this IStringLocalizer localizer, string key, params object[] arguments)
    {
        ArgumentNullException.ThrowIfNull(localizer);
        return new(localizer[key, arguments], localizer.English(key, arguments));
    }
}
