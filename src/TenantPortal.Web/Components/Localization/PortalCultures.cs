using System.Globalization;

namespace TenantPortal.Web.Components.Localization;

/// <summary>The languages the portal speaks: English (the default, and the neutral resources) and Japanese.</summary>
public static class PortalCultures
{
    public const string Default = "en";

    /// <summary>Each with its name in its own language, as the language switch shows it.</summary>
    public static IReadOnlyList<PortalCulture> All { get; } =
    [
        new("en", "English"),
        new("ja", "日本語"),
    ];

    public static IReadOnlyList<CultureInfo> Cultures { get; } = [.. All.Select(c => CultureInfo.GetCultureInfo(c.Name))];

    /// <summary>The supported culture named exactly <paramref name="name"/> (<c>en</c>, <c>ja</c>), else null.</summary>
    public static PortalCulture? Find(string? name) => All.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));

    /// <summary>The supported culture the current UI culture belongs to (<c>ja-JP</c> is <c>ja</c>), else the default.</summary>
    public static PortalCulture Current
    {
        get
        {
            for (var culture = CultureInfo.CurrentUICulture; !Equals(culture, CultureInfo.InvariantCulture); culture = culture.Parent)
            {
                if (Find(culture.Name) is { } found)
                {
                    return found;
                }
            }

            return All[0];
        }
    }
}

public sealed record PortalCulture(string Name, string NativeName);
