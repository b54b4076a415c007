using System.Text;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>What the portal accepts as an API key, and its masked hint (its fingerprint: <see cref="ApiKeyFingerprints"/>).</summary>
public static class ApiKeyValueRules
{
    public const int MaxBytes = 8 * 1024;
    public const int HintMinimumLength = 16;
    public const string HintMask = "••••";

    /// <summary>Returns a specific message for a value the portal refuses, or null when it is acceptable.</summary>
    public static string? Validate(SecretValue? value)
    {
        var text = value?.Expose();
        if (string.IsNullOrEmpty(text))
        {
            return "Enter the API key.";
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return "The API key is blank: it contains only spaces or line breaks.";
        }

        if (Encoding.UTF8.GetByteCount(text) > MaxBytes)
        {
            return $"The API key is longer than the limit of 8 KB ({MaxBytes:N0} bytes).";
        }

        if (char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1]))
        {
            return "The API key starts or ends with a space or line break, which is usually a copy-and-paste slip. Remove it and submit again.";
        }

        if (text.Any(char.IsControl))
        {
            return "The API key contains a line break, tab or other control character. API keys never do: check what was pasted.";
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
