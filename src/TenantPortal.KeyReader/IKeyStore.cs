namespace TenantPortal.KeyReader;

/// <summary>The read side of a store: the current version of one secret. There is no write method, by design.</summary>
internal interface IKeyStore
{
    /// <summary>
    /// Reads the current version: the newest enabled one by creation time (the latest, unless the portal has disabled it to
    /// restore the previous one); <see cref="StoreReadStatus.Disabled"/> when no version is enabled (revoked). Never throws
    /// for a store answer: failures come back as a <see cref="StoreRead"/>.
    /// </summary>
    Task<StoreRead> ReadCurrentAsync(string secretName, CancellationToken cancellationToken);
}

internal enum StoreReadStatus
{
    Found,
    NotFound,
    Disabled,

    /// <summary>An answer that waiting will not change: access refused, a value the key ring cannot decrypt.</summary>
    Refused,

    /// <summary>No answer: unreachable, throttled, 5xx, timed out. A cached value may stand in.</summary>
    Failed,
}

/// <summary>What a store said. Holds a value only when <see cref="Status"/> is <see cref="StoreReadStatus.Found"/>; never prints it.</summary>
internal sealed class StoreRead
{
    private StoreRead(StoreReadStatus status, string? version, string? value, string? taggedTenantId, string? reason, Exception? error, bool latestDisabled = false)
    {
        Status = status;
        Version = version;
        Value = value;
        TaggedTenantId = taggedTenantId;
        Reason = reason;
        Error = error;
        LatestDisabled = latestDisabled;
    }

    public StoreReadStatus Status { get; }

    public string? Version { get; }

    public string? Value { get; }

    /// <summary>The version's <c>tenant-id</c> tag as the portal writes it, when there is one.</summary>
    public string? TaggedTenantId { get; }

    /// <summary>Why it failed, for messages and logs: never a value.</summary>
    public string? Reason { get; }

    public Exception? Error { get; }

    /// <summary>
    /// The store saw the latest version disabled. With <see cref="StoreReadStatus.Found"/>: the value is the newest enabled
    /// version, so an older one (unless the latest was enabled again meanwhile). With <see cref="StoreReadStatus.Failed"/>: the read stopped after that, so a cached value
    /// read as the latest may be the very version now disabled.
    /// </summary>
    public bool LatestDisabled { get; }

    public static StoreRead Found(string version, string value, string? taggedTenantId, bool latestDisabled = false) =>
        new(StoreReadStatus.Found, version, value, taggedTenantId, null, null, latestDisabled);

    public static readonly StoreRead NotFound = new(StoreReadStatus.NotFound, null, null, null, null, null);

    public static readonly StoreRead Disabled = new(StoreReadStatus.Disabled, null, null, null, null, null);

    public static StoreRead Refused(string reason, Exception? error = null) => new(StoreReadStatus.Refused, null, null, null, reason, error);

    public static StoreRead Failed(string reason, Exception? error = null, bool latestDisabled = false) =>
        new(StoreReadStatus.Failed, null, null, null, reason, error, latestDisabled);

    public override string ToString() => (Reason is null ? Status.ToString() : $"{Status}: {Reason}") + (LatestDisabled ? " (latest version disabled)" : "");
}

/// <summary>The tag names the portal writes on each version (TenantPortal.Web's <c>ApiKeyTags</c>).</summary>
internal static class StoreTags
{
    public const string TenantId = "tenant-id";
}
