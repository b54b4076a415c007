using System.Text;
using Microsoft.Extensions.Localization;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>What the portal accepts as an API key, and its masked hint (its fingerprint: <see cref="ApiKeyFingerprints"/>).</summary>
public static class ApiKeyValueRules
{
    public const int MaxBytes = 8 * 1024;
    public const int HintMinimumLength = 16;
    public const string HintMask = "••••";

    /// <summary>
    /// Returns a specific message for a value the portal refuses, or null when it is acceptable. The messages are
    /// <see cref="ApiKeyService"/>'s (<c>ApiKeyService.resx</c>: a static class cannot name a localizer), in the
    /// localizer's culture.
    /// </summary>
    public static string? Validate(SecretValue? value, IStringLocalizer<ApiKeyService> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var text = value?.Expose();
        if (string.IsNullOrEmpty(text))
        {
            return messages["ValueMissing"];
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return messages["ValueBlank"];
        }

        if (Encoding.UTF8.GetByteCount(text) > MaxBytes)
        {
            return messages["ValueTooLong", MaxBytes];
        }

        if (char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1]))
        {
            return messages["ValueSurroundingSpace"];
        }

        if (text.Any(char.IsControl))
        {
            return messages["ValueControlCharacter"];
        }

        return null;
    }

    /// <summary><c>••••a9F2</c>: at most the last four characters, and only for keys long enough that four reveal little.</summary>
    public static string MaskedHint(SecretValue value)
    {
        var text = value.Expose();
        return text.Length >= HintMinimumLength ? HintMask + text[^4..] : HintMask;
    }
}
