using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace TenantPortal.KeyReader;

/// <summary>The portal's tenant id rules (Key Vault's secret name rules less <c>tenant-</c> and <c>-api-key</c>) and the secret name.</summary>
internal static class TenantIds
{
    /// <summary>Key Vault allows 127 characters for the whole name, 15 of which are the prefix and suffix.</summary>
    public const int MaxLength = 127 - 15;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-");

    public static void ThrowIfInvalid([NotNull] string? tenantId)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        if (tenantId.Length == 0)
        {
            throw new ArgumentException("A tenant id is required.", nameof(tenantId));
        }

        if (tenantId.Length > MaxLength)
        {
            throw new ArgumentException($"A tenant id can have at most {MaxLength} characters, so that the secret name stays within Key Vault's 127.", nameof(tenantId));
        }

        if (tenantId.AsSpan().ContainsAnyExcept(Allowed))
        {
            throw new ArgumentException("A tenant id can contain only letters a-z and A-Z, digits 0-9 and hyphens.", nameof(tenantId));
        }
    }

    public static string SecretNameOf(string tenantId) => "tenant-" + tenantId + "-api-key";
}

/// <summary>A store's version id as the reader serves it (Key Vault's and the local store's: 32 hex digits).</summary>
internal static class KeyVersions
{
    public const int MaxLength = 64;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-");

    public static bool IsValid([NotNullWhen(true)] string? version) =>
        version is { Length: > 0 and <= MaxLength } && !version.AsSpan().ContainsAnyExcept(Allowed);

    public static void ThrowIfInvalid([NotNull] string? version)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (!IsValid(version))
        {
            throw new ArgumentException($"A key version is the store's version id (TenantApiKey.Version): 1–{MaxLength} letters, digits and hyphens.", nameof(version));
        }
    }
}
