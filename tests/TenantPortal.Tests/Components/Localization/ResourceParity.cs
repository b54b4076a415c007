using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Resources;
using System.Text.RegularExpressions;

namespace TenantPortal.Tests.Components.Localization;

/// <summary>The portal's compiled resources: the neutral (English) sets in the assembly and each language's satellite.</summary>
internal static partial class ResourceParity
{
    private const string Suffix = ".resources";

    /// <summary>Resource sets by base name (<c>TenantPortal.Web.Components.Layout.NavMenu</c>), each key with its text.</summary>
    public static Dictionary<string, Dictionary<string, string>> Neutral(Assembly assembly) =>
        Read(assembly, name => name[..^Suffix.Length]);

    public static Dictionary<string, Dictionary<string, string>> Translated(Assembly assembly, string culture)
    {
        Assembly satellite;
        try
        {
            satellite = assembly.GetSatelliteAssembly(CultureInfo.GetCultureInfo(culture));
        }
        catch (FileNotFoundException)
        {
            return [];
        }

        return Read(satellite, name => name.EndsWith($".{culture}{Suffix}", StringComparison.Ordinal)
            ? name[..^($".{culture}".Length + Suffix.Length)]
            : throw new InvalidOperationException($"{name} in the {culture} satellite is not named for {culture}."));
    }

    /// <summary>
    /// Every way the translation differs in shape from the English: a file without its pair, a key in one language
    /// only, an empty text, a placeholder (<c>{0}</c>) the other language lacks. Empty when they match.
    /// </summary>
    public static List<string> Differences(
        IReadOnlyDictionary<string, Dictionary<string, string>> neutral,
        IReadOnlyDictionary<string, Dictionary<string, string>> translated,
        string culture)
    {
        var problems = new List<string>();
        foreach (var set in neutral.Keys.Except(translated.Keys).Order(StringComparer.Ordinal))
        {
            problems.Add($"{set}: no {culture} file");
        }

        foreach (var set in translated.Keys.Except(neutral.Keys).Order(StringComparer.Ordinal))
        {
            problems.Add($"{set}: a {culture} file without the English one");
        }

        foreach (var set in neutral.Keys.Intersect(translated.Keys).Order(StringComparer.Ordinal))
        {
            var english = neutral[set];
            var other = translated[set];
            problems.AddRange(english.Keys.Except(other.Keys).Order(StringComparer.Ordinal).Select(k => $"{set}: '{k}' only in English"));
            problems.AddRange(other.Keys.Except(english.Keys).Order(StringComparer.Ordinal).Select(k => $"{set}: '{k}' only in {culture}"));
            foreach (var key in english.Keys.Intersect(other.Keys).Order(StringComparer.Ordinal))
            {
                if (string.IsNullOrWhiteSpace(english[key]) || string.IsNullOrWhiteSpace(other[key]))
                {
                    problems.Add($"{set}: '{key}' is empty in {(string.IsNullOrWhiteSpace(english[key]) ? "English" : culture)}");
                }
                else if (!Placeholders(english[key]).SetEquals(Placeholders(other[key])))
                {
                    problems.Add($"{set}: '{key}' has placeholders {Describe(english[key])} in English but {Describe(other[key])} in {culture}");
                }
            }
        }

        return problems;
    }

    private static string Describe(string text) =>
        Placeholders(text) is { Count: > 0 } found ? string.Join(" ", found.Order(StringComparer.Ordinal).Select(p => $"{{{p}}}")) : "none";

    private static HashSet<string> Placeholders(string text) => [.. Placeholder().Matches(text).Select(m => m.Groups[1].Value)];

    private static Dictionary<string, Dictionary<string, string>> Read(Assembly assembly, Func<string, string> baseName)
    {
        var sets = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.EndsWith(Suffix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new ResourceReader(stream);
            var entries = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (DictionaryEntry entry in reader)
            {
                entries[(string)entry.Key] = entry.Value as string ?? "";
            }

            sets[baseName(name)] = entries;
        }

        return sets;
    }

    // {0}, {1:N0}, {2,5}: the argument index is what must match.
    [GeneratedRegex(@"(?<!\{)\{(\d+)(?:[,:][^}]*)?\}")]
    private static partial Regex Placeholder();
}
