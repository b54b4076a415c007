using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using TenantPortal.Web.Infrastructure.Text;
using System.Text.RegularExpressions;

namespace TenantPortal.Web.SecretStore;

/// <summary>The store's name for a tenant's key: <c>tenant-&lt;id&gt;-api-key</c>, within Key Vault's naming rules.</summary>
public readonly partial record struct SecretName
{
    public const int MaxLength = 127;
    private const string Prefix = "tenant-";
    private const string Suffix = "-api-key";

    /// <summary>The longest tenant id that still fits Key Vault's 127-character limit.</summary>
    public const int MaxTenantIdLength = MaxLength - 15;

    // The rule's messages in the caller's UI culture (SecretName.resx, .ja.resx beside this file); exceptions stay English.
    private static readonly ResourceTexts Texts = new(typeof(SecretName));

    private SecretName(string value) => Value = value;

    public string Value { get; }

    public static SecretName ForTenant(string tenantId)
    {
        if (Problem(tenantId, CultureInfo.InvariantCulture) is { } error)
        {
            throw new ArgumentException(error, nameof(tenantId));
        }

        return new SecretName(Prefix + tenantId + Suffix);
    }

    /// <summary>Key Vault allows <c>0-9 a-z A-Z -</c> and 1–127 characters for the whole name; <paramref name="error"/> in the caller's language.</summary>
    public static bool IsValidTenantId([NotNullWhen(true)] string? tenantId, [NotNullWhen(false)] out string? error)
    {
        if (Problem(tenantId, CultureInfo.CurrentUICulture) is { } problem)
        {
            error = problem;
            return false;
        }

        error = null;
        return true;
    }

    private static string? Problem(string? tenantId, CultureInfo language)
    {
        if (string.IsNullOrEmpty(tenantId))
        {
            return Texts.FormatIn(language, "TenantIdRequired");
        }

        if (tenantId.Length > MaxTenantIdLength)
        {
            return Texts.FormatIn(language, "TenantIdTooLong", MaxTenantIdLength, MaxLength);
        }

        return AllowedCharacters().IsMatch(tenantId) ? null : Texts.FormatIn(language, "TenantIdCharacters");
    }

    public override string ToString() => Value;

    [GeneratedRegex("^[0-9a-zA-Z-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex AllowedCharacters();
}
