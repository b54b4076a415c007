using System.Globalization;

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

    // The messages are worded in the caller's UI culture (TextRules.resx, .ja.resx beside this file).
    private static readonly ResourceTexts Texts = new(typeof(TextRules));

    /// <summary>What a checked text is, as the messages name it (resource keys; the caller's language at the time of the check).</summary>
    public static class Subjects
    {
        public const string Reason = "SubjectReason";
        public const string DisplayName = "SubjectDisplayName";
        public const string EmailAddress = "SubjectEmailAddress";
        public const string Search = "SubjectSearch";
        public const string TenantFilter = "SubjectTenantFilter";
        public const string ActionFilter = "SubjectActionFilter";
        public const string ActorFilter = "SubjectActorFilter";
    }

    /// <summary>
    /// Null when <paramref name="value"/> may be kept exactly as typed; otherwise why not, in the caller's language,
    /// naming <paramref name="subject"/> (one of <see cref="Subjects"/>) and the limit. <paramref name="lineBreaks"/> lets a multi-line
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
                return Texts.Format("DirectionMark", Subject(subject), Code(c));
            }

            if (char.IsControl(c) && !(lineBreaks && c is '\r' or '\n'))
            {
                return Texts.Format("ControlCharacter", Subject(subject), Code(c));
            }
        }

        return value.Length > maxLength ? Texts.Format("TooLong", Subject(subject), maxLength, value.Length) : null;
    }

    private static string Subject(string subject) => Texts.Find(subject) ?? subject;

    private static string Code(char c) => ((int)c).ToString("X4", CultureInfo.InvariantCulture);

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
