using System.Diagnostics.CodeAnalysis;
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

    private SecretName(string value) => Value = value;

    public string Value { get; }

    public static SecretName ForTenant(string tenantId)
    {
        if (!IsValidTenantId(tenantId, out var error))
        {
            throw new ArgumentException(error, nameof(tenantId));
        }

        return new SecretName(Prefix + tenantId + Suffix);
    }

    /// <summary>Key Vault allows <c>0-9 a-z A-Z -</c> and 1–127 characters for the whole name.</summary>
    public static bool IsValidTenantId([NotNullWhen(true)] string? tenantId, [NotNullWhen(false)] out string? error)
    {
        if (string.IsNullOrEmpty(tenantId))
        {
            error = "A tenant id is required.";
            return false;
        }

        if (tenantId.Length > MaxTenantIdLength)
        {
            error = $"A tenant id can have at most {MaxTenantIdLength} characters, so that the secret name stays within Key Vault's {MaxLength}.";
            return false;
        }

        if (!AllowedCharacters().IsMatch(tenantId))
        {
            error = "A tenant id can contain only letters a-z and A-Z, digits 0-9 and hyphens.";
            return false;
        }

        error = null;
        return true;
    }

    public override string ToString() => Value;

    [GeneratedRegex("^[0-9a-zA-Z-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex AllowedCharacters();
}
