using System.Diagnostics;

namespace TenantPortal.KeyReader;

/// <summary>
/// One version of a tenant's API key. The value is behind <see cref="Reveal"/>, a method rather than a property,
/// so that serializers, structured-logging destructuring and debugger displays never pick it up; <see cref="ToString"/>
/// prints the tenant and version only.
/// </summary>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class TenantApiKey
{
    private readonly string _value;

    /// <summary>Creates a key; public so that a backend's tests can fake <see cref="ITenantApiKeyProvider"/>.</summary>
    public TenantApiKey(string tenantId, string version, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentException.ThrowIfNullOrEmpty(version);
        ArgumentNullException.ThrowIfNull(value);
        TenantId = tenantId;
        Version = version;
        _value = value;
    }

    /// <summary>The tenant the key belongs to.</summary>
    public string TenantId { get; }

    /// <summary>The store's version id (Key Vault's 32 hex digits): safe to log, and what changes on each rotation.</summary>
    public string Version { get; }

    /// <summary>The key itself, for the call to the third-party API. Never log it or put it in a message.</summary>
    public string Reveal() => _value;

    /// <summary>The tenant and version, never the value.</summary>
    public override string ToString() => $"API key of tenant {TenantId}, version {Version} (value redacted)";
}
