using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace TenantPortal.Web.Features.Notifications;

/// <summary>
/// Webhook signatures: <c>X-TenantPortal-Signature: sha256=&lt;hex HMAC-SHA256&gt;</c> over <c>"{timestamp}.{body}"</c>,
/// keyed with the UTF-8 bytes of the tenant's signing key (the <c>whsec_…</c> text shown once to the admin).
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-TenantPortal-Signature";
    public const string TimestampHeader = "X-TenantPortal-Timestamp";
    public const string DeliveryHeader = "X-TenantPortal-Delivery";
    public const string EventHeader = "X-TenantPortal-Event";

    public static string Compute(string signingKey, long timestamp, string body)
    {
        ArgumentNullException.ThrowIfNull(signingKey);
        ArgumentNullException.ThrowIfNull(body);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingKey),
            Encoding.UTF8.GetBytes(timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture) + "." + body));
        return "sha256=" + Convert.ToHexStringLower(mac);
    }
}

/// <summary>Makes and reads tenants' webhook signing keys; stored only protected with Data Protection.</summary>
public sealed class WebhookSigningKeys(IDataProtectionProvider dataProtection)
{
    public const string Purpose = "TenantPortal.Webhooks.SigningKey.v1";
    public const string Prefix = "whsec_";

    private readonly IDataProtector _protector = dataProtection.CreateProtector(Purpose);

    /// <summary>A new random key (256 bits) and its protected form for <c>Tenant.WebhookSigningKeyProtected</c>.</summary>
    public (string SigningKey, string Protected) Generate()
    {
        var key = Prefix + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        return (key, _protector.Protect(key));
    }

    /// <summary>The key in the clear, for signing one delivery. Throws <see cref="CryptographicException"/> when the key ring cannot read it.</summary>
    public string Unprotect(string protectedKey) => _protector.Unprotect(protectedKey);
}
