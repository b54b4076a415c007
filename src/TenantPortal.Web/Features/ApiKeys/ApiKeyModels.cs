using TenantPortal.Web.Features.Rotation;

namespace TenantPortal.Web.Features.ApiKeys;

public sealed record ApiKeyVersionSummary(
    string Version,
    ApiKeyVersionStatus Status,
    DateTimeOffset CreatedAt,
    string CreatedByName,
    string MaskedHint,
    string Fingerprint,
    DateTimeOffset? ExpiresAt,
    bool MissingFromStore = false)
{
    public string ShortVersion => Version.Length > 8 ? Version[..8] : Version;

    /// <summary>An unsalted SHA-256 prefix from before fingerprints were keyed (<see cref="ApiKeyFingerprints"/>): shown marked as legacy.</summary>
    public bool FingerprintIsLegacy => ApiKeyFingerprints.IsLegacy(Fingerprint);

    /// <summary>The store holds this version enabled although the portal disabled or revoked it (drift found by reconciliation).</summary>
    public bool StillEnabledInStore { get; init; }

    public static ApiKeyVersionSummary From(ApiKeyVersion v)
    {
        ArgumentNullException.ThrowIfNull(v);
        return new(v.StoreVersionId, v.Status, v.CreatedAt, v.CreatedByName, v.MaskedHint, v.Fingerprint, v.ExpiresAt, v.MissingFromStoreSince is not null)
        {
            GraceEndsAt = v.DisabledInStoreAt is null ? v.GraceEndsAt : null,
            DisabledAt = v.DisabledInStoreAt,
            RevokeReason = v.RevokeReason,
            StillEnabledInStore = v.StillEnabledInStoreSince is not null,
        };
    }

    /// <summary>For a previous version still enabled: when its grace period ends.</summary>
    public DateTimeOffset? GraceEndsAt { get; init; }

    public DateTimeOffset? DisabledAt { get; init; }

    public string? RevokeReason { get; init; }
}

public sealed record ApiKeyOverview(
    string TenantId,
    string TenantName,
    int RotationIntervalDays,
    RotationStatus Status,
    ApiKeyVersionSummary? Current,
    IReadOnlyList<ApiKeyVersionSummary> History)
{
    public bool CanSubmit { get; init; }

    /// <summary>The previous version, while it is still enabled in its grace period: it can be restored.</summary>
    public ApiKeyVersionSummary? PreviousInGrace { get; init; }

    public RotationPolicy Policy { get; init; } = RotationPolicy.Default;
}

public enum KeyChangeOutcome
{
    Done,

    /// <summary>The input is wrong (the value, the reason, a missing confirmation): nothing was changed.</summary>
    Invalid,

    /// <summary>The key's state does not allow the change (nothing to revoke, no previous version, an offboarded tenant): nothing was changed.</summary>
    Conflict,
    NotFound,
    Failed,

    /// <summary>Another change to the same key held its lock for longer than the wait: nothing was changed.</summary>
    Busy,
}

/// <summary>
/// The result of any change to a tenant's key (submit, restore, revoke): a message for the user, in the UI culture the
/// change ran in, and, when a version was stored, its metadata.
/// </summary>
public sealed record KeyChangeResult(KeyChangeOutcome Outcome, string Message, ApiKeyVersionSummary? Version = null)
{
    /// <summary>After a submit: the version that was current until then (now Previous), if there was one.</summary>
    public string? ReplacedVersion { get; init; }

    /// <summary>A failure after the store took the change: the version it wrote, which reconciliation will record.</summary>
    public string? InDoubtVersion { get; init; }

    public bool Succeeded => Outcome == KeyChangeOutcome.Done;
}

public sealed record TenantLink(string Id, string Name);

/// <summary>Tags on each stored version: enough to rebuild its metadata from the store alone. Never a name or e-mail.</summary>
public static class ApiKeyTags
{
    public const string TenantId = "tenant-id";
    public const string SetByTenantId = "set-by-tid";
    public const string SetByObjectId = "set-by-oid";
    public const string MaskedHint = "masked-hint";
    public const string Fingerprint = "fingerprint";
}
