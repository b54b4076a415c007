namespace TenantPortal.Web.Features.ApiKeys.Api;

/// <summary>
/// One <c>Idempotency-Key</c> a client app sent with a PUT of a tenant's key, for a day: which value it was for (its
/// keyed fingerprint, never the value) and, once the submit succeeded, the version it stored and the one it replaced,
/// from which the answer is replayed. Metadata only.
/// </summary>
public sealed class ApiIdempotencyRecord
{
    public const int KeyMaxLength = 255;
    public const int ClientMaxLength = 110;

    public long Id { get; init; }

    public required string TenantId { get; init; }

    /// <summary>The caller: <c>{tid}/{azp}</c>. Keys are scoped to the app that sent them.</summary>
    public required string Client { get; init; }

    public required string Key { get; init; }

    /// <summary>The keyed fingerprint of the value (as stored on a version): the same key with another value is refused.</summary>
    public required string RequestFingerprint { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>The store version the submit created, once it succeeded; null while it runs.</summary>
    public string? StoredVersion { get; set; }

    /// <summary>The version that was current before it, if any.</summary>
    public string? ReplacedVersion { get; set; }
}
