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
    Invalid,
    NotFound,
    Failed,
}

/// <summary>The result of a restore or a revoke: a message for the user.</summary>
public sealed record KeyChangeResult(KeyChangeOutcome Outcome, string Message)
{
    public bool Succeeded => Outcome == KeyChangeOutcome.Done;

    public static KeyChangeResult NotFound { get; } = new(KeyChangeOutcome.NotFound, "Tenant not found.");
}

public enum SubmitApiKeyOutcome
{
    Stored,
    Invalid,
    NotFound,
    Failed,
}

/// <summary>The result of a submit: a message for the user and, when stored, the new version's metadata.</summary>
public sealed record SubmitApiKeyResult(SubmitApiKeyOutcome Outcome, string Message, ApiKeyVersionSummary? Version = null)
{
    public bool Succeeded => Outcome == SubmitApiKeyOutcome.Stored;

    public static readonly SubmitApiKeyResult NotFound = new(SubmitApiKeyOutcome.NotFound, "Tenant not found.");
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
