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
