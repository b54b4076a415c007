namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>Metadata of one version of a tenant's API key. The value itself lives only in the secret store.</summary>
public sealed class ApiKeyVersion
{
    public long Id { get; init; }

    public required string TenantId { get; init; }

    /// <summary>The secret store's version id (Key Vault's 32-hex version).</summary>
    public required string StoreVersionId { get; init; }

    private ApiKeyVersionStatus _status;

    /// <summary>Set when the row is created; changed afterwards only by <see cref="MoveTo"/>, through the transition table.</summary>
    public ApiKeyVersionStatus Status { get => _status; init => _status = value; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the rotation policy wants this version replaced; also the store's <c>exp</c>.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>From when the version counts as "due soon": its due date less the policy's longest reminder lead time.</summary>
    public DateTimeOffset? DueSoonAt { get; set; }

    public DateTimeOffset? StatusChangedAt { get; set; }

    public Guid CreatedByTenantId { get; init; }

    public Guid CreatedByObjectId { get; init; }

    public required string CreatedByName { get; set; }

    /// <summary>At most the last four characters, and only for keys of 16 or more characters.</summary>
    public required string MaskedHint { get; set; }

    /// <summary>A short one-way fingerprint, so an admin can tell two versions apart without seeing either.</summary>
    public required string Fingerprint { get; set; }

    /// <summary>For a previous version: when its grace period ends and the monitor disables it in the store.</summary>
    public DateTimeOffset? GraceEndsAt { get; set; }

    /// <summary>For the current version: the next moment the rotation monitor has something to say about it (a reminder, the due date).</summary>
    public DateTimeOffset? NextNoticeAt { get; set; }

    /// <summary>When the version was disabled in the secret store (grace ended, revoked, offboarded).</summary>
    public DateTimeOffset? DisabledInStoreAt { get; set; }

    /// <summary>Why the version was revoked; plain words from the admin, never a key.</summary>
    public string? RevokeReason { get; set; }

    /// <summary>Set by reconciliation when the secret store no longer knows this version; cleared if it reappears.</summary>
    public DateTimeOffset? MissingFromStoreSince { get; set; }

    /// <summary>
    /// Set by reconciliation when the store holds this version enabled although the portal disabled or revoked it
    /// (someone re-enabled it in the vault); cleared once the store has it disabled again.
    /// </summary>
    public DateTimeOffset? StillEnabledInStoreSince { get; set; }

    /// <summary>Whether the store should be serving this version: what the portal last told it.</summary>
    public bool IsEnabledInStore => DisabledInStoreAt is null && KeyTransitions.IsLive(Status);

    /// <summary>Moves the version to <paramref name="to"/> on <paramref name="cause"/>; a move the table does not allow is a bug and throws.</summary>
    internal void MoveTo(KeyEvent cause, ApiKeyVersionStatus to, DateTimeOffset now)
    {
        if (!KeyTransitions.Allows(_status, cause, to))
        {
            throw new InvalidOperationException($"A key version cannot move from {_status} to {to} on {cause}.");
        }

        if (_status != to)
        {
            _status = to;
            StatusChangedAt = now;
        }
    }
}

public enum ApiKeyVersionStatus
{
    Pending,
    Current,
    Previous,
    Superseded,
    Disabled,
    Revoked,
}
