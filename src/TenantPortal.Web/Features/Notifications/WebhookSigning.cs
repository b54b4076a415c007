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

/// <summary>
/// Makes and reads tenants' webhook signing keys; stored only protected with Data Protection, under a purpose that names
/// the tenant: a protected key copied into another tenant's row does not unprotect there, so one tenant's receiver
/// never gets deliveries signed with another's key. A tenant whose id changes has its key protected again for the new id.
/// </summary>
public sealed class WebhookSigningKeys(IDataProtectionProvider dataProtection)
{
    /// <summary>The first purpose; the tenant id is the second. (v1 had no tenant: keys from then are not read, and must be made again.)</summary>
    public const string Purpose = "TenantPortal.Webhooks.SigningKey.v2";
    public const string Prefix = "whsec_";

    /// <summary>A new random key (256 bits) and its protected form for the tenant's <c>Tenant.WebhookSigningKeyProtected</c>.</summary>
    public (string SigningKey, string Protected) Generate(string tenantId)
    {
        var key = Prefix + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        return (key, ProtectorFor(tenantId).Protect(key));
    }

    /// <summary>
    /// The key in the clear, for signing one delivery to the tenant. Throws <see cref="CryptographicException"/> when the
    /// key ring cannot read it, or when it was protected for another tenant.
    /// </summary>
    public string Unprotect(string tenantId, string protectedKey) => ProtectorFor(tenantId).Unprotect(protectedKey);

    /// <summary>The key protected for the tenant's new id; one that cannot be read any more stays as it is (and unreadable).</summary>
    public string Reprotect(string protectedKey, string fromTenantId, string toTenantId)
    {
        try
        {
            return ProtectorFor(toTenantId).Protect(Unprotect(fromTenantId, protectedKey));
        }
        catch (CryptographicException)
        {
            return protectedKey;
        }
    }

    private IDataProtector ProtectorFor(string tenantId)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        return dataProtection.CreateProtector(Purpose, tenantId);
    }
}
