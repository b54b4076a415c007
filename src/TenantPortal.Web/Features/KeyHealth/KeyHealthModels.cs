using System.Text.Json;
using System.Text.Json.Serialization;
using TenantPortal.Web.Features.ApiKeys;

namespace TenantPortal.Web.Features.KeyHealth;

/// <summary>The body of <c>POST /api/v1/key-usage</c>, as TenantPortal.KeyReader sends it. Counts and times only.</summary>
public sealed record KeyUsageReportRequest(Guid? BatchId, long? DroppedEntries, IReadOnlyList<KeyUsageReportEntry>? Entries);

/// <summary>One tenant and version in a report.</summary>
public sealed record KeyUsageReportEntry(
    string? TenantId,
    string? Version,
    long? Uses,
    DateTimeOffset? LastUsedAt,
    long? Rejections,
    DateTimeOffset? FirstRejectedAt,
    DateTimeOffset? LastRejectedAt);

/// <summary>An entry once checked: tenant id in the portal's lower case, counts consistent with their times.</summary>
public sealed record KeyUsageEntry(
    string TenantId,
    string Version,
    long Uses,
    DateTimeOffset? LastUsedAt,
    long Rejections,
    DateTimeOffset? FirstRejectedAt,
    DateTimeOffset? LastRejectedAt);

/// <summary>A checked batch.</summary>
public sealed record KeyUsageBatchReport(Guid BatchId, long DroppedEntries, IReadOnlyList<KeyUsageEntry> Entries);

/// <summary>What the portal did with a batch.</summary>
public sealed record KeyUsageReportResponse(
    Guid BatchId,
    int Entries,
    int Accepted,
    int Unknown,
    IReadOnlyList<KeyUsageUnknownEntry> UnknownEntries,
    bool Replayed);

/// <summary>An entry the portal knows no tenant or version for (listed on the first answer only, at most 100).</summary>
public sealed record KeyUsageUnknownEntry(string TenantId, string Version);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, MaxDepth = 8)]
[JsonSerializable(typeof(KeyUsageReportRequest))]
[JsonSerializable(typeof(KeyUsageReportResponse))]
[JsonSerializable(typeof(IEnumerable<string[]>))]
internal sealed partial class KeyHealthJsonContext : JsonSerializerContext;

/// <summary>A tenant's key as the backend sees it: per version, newest first.</summary>
public sealed record KeyHealthOverview(string TenantId, DateTimeOffset At, TimeSpan StaleAfter, IReadOnlyList<KeyVersionHealth> Versions)
{
    public KeyVersionHealth? Current => Versions.FirstOrDefault(v => v.Status == ApiKeyVersionStatus.Current);

    /// <summary>The previous version while it is in its grace period (still enabled), if any.</summary>
    public KeyVersionHealth? PreviousInGrace => Versions.FirstOrDefault(v => v.Status == ApiKeyVersionStatus.Previous);
}

/// <param name="IsStale">A current version not used by the backend for <see cref="KeyHealthOptions.StaleAfter"/> (counted from when it was set, if never).</param>
public sealed record KeyVersionHealth(
    string Version,
    ApiKeyVersionStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt,
    long Uses,
    long Rejections,
    DateTimeOffset? FirstRejectedAt,
    DateTimeOffset? LastRejectedAt,
    DateTimeOffset? LastReportedAt,
    bool IsStale)
{
    /// <summary>The latest rejection incident's first rejection (see <see cref="KeyUsage.IncidentStartedAt"/>).</summary>
    public DateTimeOffset? IncidentStartedAt { get; init; }

    /// <summary>Rejections reported since <see cref="IncidentStartedAt"/>.</summary>
    public long IncidentRejections { get; init; }

    /// <summary>The provider keeps rejecting this version: every report since <see cref="IncidentStartedAt"/> carried a rejection, none a use without one.</summary>
    public bool IsBeingRejected { get; init; }

    public string ShortVersion => Version.Length > 8 ? Version[..8] : Version;
}
