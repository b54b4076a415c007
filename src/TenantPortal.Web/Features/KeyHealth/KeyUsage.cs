namespace TenantPortal.Web.Features.KeyHealth;

/// <summary>
/// What the SaaS backend reported about one version of a tenant's key, summed over its reports: how often it was
/// served, when last, and how often the third-party API refused it. Metadata only; removed with its version.
/// </summary>
public sealed class KeyUsage
{
    /// <summary>The version this is about (<c>ApiKeyVersion.Id</c>): one row per version.</summary>
    public long ApiKeyVersionId { get; init; }

    public long Uses { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public long Rejections { get; set; }

    public DateTimeOffset? FirstRejectedAt { get; set; }

    public DateTimeOffset? LastRejectedAt { get; set; }

    /// <summary>
    /// The latest rejection incident's first rejection. An incident opens with a reported rejection when none is open,
    /// and stays open while rejections keep coming; a report of uses without rejections (a reader interval in which the
    /// key was served and never refused) ends it, and a rejection more than <see cref="KeyHealthOptions.IncidentQuietPeriod"/>
    /// after the previous one starts a new one. See docs/rotation.md#key-health.
    /// </summary>
    public DateTimeOffset? IncidentStartedAt { get; set; }

    /// <summary>Rejections reported since <see cref="IncidentStartedAt"/>.</summary>
    public long IncidentRejections { get; set; }

    /// <summary>When the latest incident ended (the last use of the report that ended it); null while it is open.</summary>
    public DateTimeOffset? IncidentEndedAt { get; set; }

    /// <summary>How many incidents this version had; each one is told once (<see cref="NotifiedIncidents"/>).</summary>
    public int Incidents { get; set; }

    /// <summary>How many of <see cref="Incidents"/> were decided (told to the contacts, or found not worth telling).</summary>
    public int NotifiedIncidents { get; set; }

    /// <summary>True while the latest incident is open: every report since its first rejection carried a rejection.</summary>
    public bool InIncident => IncidentStartedAt is not null && IncidentEndedAt is null;

    /// <summary>When a report last said something about this version.</summary>
    public DateTimeOffset LastReportedAt { get; set; }

    /// <summary>Incremented by every update: two reports adding to the same row at once cannot lose one another's counts.</summary>
    public long Revision { get; set; }

    internal void Add(KeyUsageEntry entry, DateTimeOffset now, TimeSpan incidentQuietPeriod)
    {
        if (entry.Rejections > 0)
        {
            var first = entry.FirstRejectedAt ?? now;
            if (!InIncident || (LastRejectedAt is { } previous && first - previous > incidentQuietPeriod))
            {
                IncidentStartedAt = first;
                IncidentRejections = 0;
                IncidentEndedAt = null;
                Incidents++;
            }

            IncidentRejections += entry.Rejections;
        }
        else if (entry.Uses > 0 && InIncident)
        {
            IncidentEndedAt = entry.LastUsedAt ?? now;
        }

        Uses += entry.Uses;
        LastUsedAt = Later(LastUsedAt, entry.LastUsedAt);
        Rejections += entry.Rejections;
        FirstRejectedAt = FirstRejectedAt is { } a && entry.FirstRejectedAt is { } b ? (a <= b ? a : b) : FirstRejectedAt ?? entry.FirstRejectedAt;
        LastRejectedAt = Later(LastRejectedAt, entry.LastRejectedAt);
        LastReportedAt = now;
        Revision++;
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is { } x && b is { } y ? (x >= y ? x : y) : a ?? b;
}

/// <summary>
/// A key usage batch the portal applied, by its id, for <see cref="KeyHealthOptions.BatchRetention"/>: a retry of the
/// same batch gets the same answer and adds nothing. Counts only.
/// </summary>
public sealed class KeyUsageBatch
{
    public const int ClientMaxLength = 110;

    public Guid BatchId { get; init; }

    /// <summary>The backend that sent it: <c>{tid}/{azp}</c>.</summary>
    public required string Client { get; init; }

    public DateTimeOffset ReceivedAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    public int Entries { get; init; }

    public int Accepted { get; init; }

    public int Unknown { get; init; }

    /// <summary>Entries the reader said it dropped before this batch (its queue was full while the portal was unreachable).</summary>
    public long DroppedByReader { get; init; }
}
