namespace TenantPortal.Web.Infrastructure.Text;

/// <summary>
/// What text from people may hold before the portal stores it or shows it to someone else: reasons, names, addresses,
/// searches. Control characters and the invisible marks that change the direction of text (U+202A–U+202E,
/// U+2066–U+2069, U+200E, U+200F, U+061C) can make a name or a reason read differently on a staff member's screen
/// than it is stored, so typed text that holds one is refused, with the character named; a name that comes from
/// Entra, which the portal cannot refuse, is neutralized instead. Lengths are stated in the message and enforced,
/// never cut silently.
/// </summary>
public static class TextRules
{
    /// <summary>The longest text a search or a "contains" filter takes.</summary>
    public const int SearchMaxLength = 100;

    /// <summary>What a neutralized character becomes: visible, so that a reader sees something was there.</summary>
    public const char Replacement = '\uFFFD';

    /// <summary>
    /// Null when <paramref name="value"/> may be kept exactly as typed; otherwise why not, naming
    /// <paramref name="subject"/> (e.g. "The reason") and the limit. <paramref name="lineBreaks"/> lets a multi-line
    /// field keep its line breaks (CR, LF); every other control character is refused everywhere.
    /// </summary>
    public static string? Check(string? value, string subject, int maxLength, bool lineBreaks = false)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        foreach (var c in value)
        {
            if (IsDirectionMark(c))
            {
                return $"{subject} contains an invisible character that changes the direction of text (U+{(int)c:X4}), "
                    + "which can make it read differently than it is stored: remove it.";
            }

            if (char.IsControl(c) && !(lineBreaks && c is '\r' or '\n'))
            {
                return $"{subject} contains a control character (U+{(int)c:X4}): remove it.";
            }
        }

        return value.Length > maxLength ? $"{subject} can have at most {maxLength} characters ({value.Length} given)." : null;
    }

    /// <summary>
    /// The same rule for a search or filter: no control character or direction mark anywhere in it (surrounding line
    /// breaks included), and at most <paramref name="maxLength"/> characters once trimmed.
    /// </summary>
    public static string? CheckSearch(string? value, string subject, int maxLength = SearchMaxLength) =>
        Check(value, subject, int.MaxValue) ?? Check(value?.Trim(), subject, maxLength);

    /// <summary>
    /// Text the portal must take as it comes (a name from Entra) made safe to show: each control character or direction
    /// mark becomes <see cref="Replacement"/>, and text longer than <paramref name="maxLength"/> ends with "…".
    /// </summary>
    public static string Neutralize(string value, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 2);
        var chars = value.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsControl(chars[i]) || IsDirectionMark(chars[i]))
            {
                chars[i] = Replacement;
            }
        }

        if (chars.Length <= maxLength)
        {
            return new string(chars);
        }

        // Cut before the limit, never between the two halves of a surrogate pair.
        var keep = maxLength - 1;
        if (char.IsHighSurrogate(chars[keep - 1]))
        {
            keep--;
        }

        return new string(chars, 0, keep) + "…";
    }

    public static bool IsDirectionMark(char c) =>
        c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
