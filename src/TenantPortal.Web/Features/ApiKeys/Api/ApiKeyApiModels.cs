namespace TenantPortal.Web.Features.ApiKeys.Api;

/// <summary>The body of <c>PUT /api/v1/tenants/{tenantId}/api-key</c>. The value goes to the store and never comes back.</summary>
public sealed record ApiKeyValueRequest(string Value);

/// <summary>The body of <c>POST …/api-key/revoke</c>: why, in the caller's words (audited).</summary>
public sealed record ApiKeyRevokeRequest(string Reason);

/// <summary>The version a PUT stored.</summary>
public sealed record ApiKeySubmitResponse(
    string TenantId,
    string Version,
    string MaskedHint,
    string Fingerprint,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RotateBy,
    string? ReplacedVersion)
{
    public static ApiKeySubmitResponse From(string tenantId, ApiKeyVersionSummary version, string? replacedVersion)
    {
        ArgumentNullException.ThrowIfNull(version);
        return new(tenantId, version.Version, version.MaskedHint, version.Fingerprint, ApiTimes.Milliseconds(version.CreatedAt),
            ApiTimes.Milliseconds(version.ExpiresAt), replacedVersion);
    }
}

/// <summary>One version of a tenant's key: metadata only.</summary>
public sealed record ApiKeyVersionResponse(
    string Version,
    string Status,
    string MaskedHint,
    string Fingerprint,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? RotateBy,
    DateTimeOffset? GraceEndsAt,
    DateTimeOffset? DisabledAt,
    string? RevokeReason,
    bool MissingFromStore,
    bool StillEnabledInStore)
{
    public static ApiKeyVersionResponse From(ApiKeyVersionSummary v)
    {
        ArgumentNullException.ThrowIfNull(v);
        return new(v.Version, v.Status.ToString(), v.MaskedHint, v.Fingerprint, ApiTimes.Milliseconds(v.CreatedAt), v.CreatedByName,
            ApiTimes.Milliseconds(v.ExpiresAt), ApiTimes.Milliseconds(v.GraceEndsAt), ApiTimes.Milliseconds(v.DisabledAt), v.RevokeReason,
            v.MissingFromStore, v.StillEnabledInStore);
    }
}

/// <summary>A tenant's key: its rotation status, the current version, the previous one while in grace, and the history (newest first).</summary>
public sealed record ApiKeyStatusResponse(
    string TenantId,
    string Status,
    int RotationIntervalDays,
    ApiKeyVersionResponse? Current,
    ApiKeyVersionResponse? PreviousInGrace,
    IReadOnlyList<ApiKeyVersionResponse> Versions);

/// <summary>What a revoke or restore did.</summary>
public sealed record ApiKeyChangeResponse(string TenantId, string Message, string? Version);

/// <summary>Times in the API to the millisecond: what a PUT answers is what a later GET reads back from the database.</summary>
internal static class ApiTimes
{
    public static DateTimeOffset Milliseconds(DateTimeOffset time) => new(time.Ticks - (time.Ticks % TimeSpan.TicksPerMillisecond), time.Offset);

    public static DateTimeOffset? Milliseconds(DateTimeOffset? time) => time is { } t ? Milliseconds(t) : null;
}
