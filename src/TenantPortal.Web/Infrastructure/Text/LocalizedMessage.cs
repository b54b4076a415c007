using System.Globalization;
using Microsoft.Extensions.Localization;

namespace TenantPortal.Web.Infrastructure.Text;

/// <summary>
/// A message a service both shows and records: <see cref="Text"/> in the reader's language (the current UI culture: a
/// circuit's, or an API request's), <see cref="English"/> for the audit trail and the logs, which stay English.
/// </summary>
public sealed record LocalizedMessage(string Text, string English);

public static class LocalizerExtensions
{
    /// <summary>The text of <paramref name="key"/> for the record: the neutral (English) resource, formatted invariantly.</summary>
    public static string English(this IStringLocalizer localizer, string key, params object[] arguments)
    {
        ArgumentNullException.ThrowIfNull(localizer);
        var (culture, uiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        try
        {
            return localizer[key, arguments];
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
