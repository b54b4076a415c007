namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>
/// The HMAC key fingerprints are made with, protected by the Data Protection key ring (base64 of the protected bytes):
/// one row, shared by every instance. The database holds it only encrypted; what decrypts it is the key ring, whose
/// keys are in turn encrypted with the certificate kept outside the database.
/// </summary>
public sealed class FingerprintKey
{
    public const string CurrentId = "v1";

    public required string Id { get; init; }

    public required string ProtectedKey { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
