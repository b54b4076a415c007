namespace TenantPortal.Web.Infrastructure.Audit;

/// <summary>One append-only row of the audit trail. It never holds a secret value.</summary>
public sealed class AuditEvent
{
    public const int ChangesMaxLength = 512;

    public const int ActionMaxLength = 64;

    /// <summary>Long enough for a revoke or offboard reason as the admin typed it (their input is held to this limit).</summary>
    public const int ReasonMaxLength = 500;

    public long Id { get; init; }

    public DateTimeOffset OccurredAt { get; init; }

    public Guid? ActorTenantId { get; init; }

    public Guid? ActorObjectId { get; init; }

    public string? ActorName { get; init; }

    public required string ActorRole { get; init; }

    /// <summary>The portal tenant acted upon (as requested, even when it does not exist).</summary>
    public string? TenantId { get; init; }

    public required string Action { get; init; }

    public AuditOutcome Outcome { get; init; }

    public string? SecretName { get; init; }

    public string? KeyVersion { get; init; }

    /// <summary>A short, value-free reason for a failure or denial.</summary>
    public string? Reason { get; init; }

    /// <summary>
    /// What changed, as before → after for each changed field (e.g. a tenant's display name or rotation policy).
    /// Built from named metadata fields only, never from a key; bounded, so a long change list ends with "…".
    /// </summary>
    public string? Changes { get; init; }

    public required string CorrelationId { get; init; }

    /// <summary>How the actor reached the portal when not through the browser: <see cref="AuditChannels.Api"/> for automation; null for the browser and the portal's own work.</summary>
    public string? Channel { get; init; }

    public string? ClientIp { get; init; }

    public string? UserAgent { get; init; }

    /// <summary>The hash chain this event belongs to: its tenant's, or <see cref="AuditChains.Platform"/>.</summary>
    public required string ChainId { get; init; }

    /// <summary>Position in the chain, from 1, without gaps.</summary>
    public long Sequence { get; internal set; }

    /// <summary>The hash of the event before it in the chain (64 zeros for the first).</summary>
    public string PreviousHash { get; internal set; } = "";

    /// <summary>SHA-256 of <see cref="PreviousHash"/> and this event's canonical form, hex.</summary>
    public string Hash { get; internal set; } = "";

    /// <summary>A fresh, unchained copy, for retrying an append in a new transaction.</summary>
    internal AuditEvent Unchained() => new()
    {
        OccurredAt = OccurredAt, ActorTenantId = ActorTenantId, ActorObjectId = ActorObjectId, ActorName = ActorName,
        ActorRole = ActorRole, TenantId = TenantId, Action = Action, Outcome = Outcome, SecretName = SecretName,
        KeyVersion = KeyVersion, Reason = Reason, Changes = Changes, CorrelationId = CorrelationId, ClientIp = ClientIp, UserAgent = UserAgent,
        ChainId = ChainId, Channel = Channel,
    };
}

/// <summary>The head of one hash chain: its last sequence and hash. The sequence is the concurrency token.</summary>
public sealed class AuditChainHead
{
    public required string ChainId { get; init; }

    public long Sequence { get; set; }

    public required string Hash { get; set; }
}

/// <summary>Where a retention purge cut a chain: verification resumes from this hash.</summary>
public sealed class AuditCheckpoint
{
    public required string ChainId { get; init; }

    public long Sequence { get; init; }

    public required string Hash { get; init; }

    public DateTimeOffset CutBefore { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

public static class AuditChains
{
    /// <summary>Events that concern no existing tenant. '#' cannot occur in a tenant id, so no tenant collides with it.</summary>
    public const string Platform = "#platform";

    public static readonly string Genesis = new('0', 64);
}

public static class AuditChannels
{
    /// <summary>The automation API (<c>/api/v1</c>), called with an app-only token.</summary>
    public const string Api = "api";

    public const int MaxLength = 16;
}

public enum AuditOutcome
{
    Requested,
    Succeeded,
    Failed,
    Denied,
}

public static class AuditActions
{
    public const string ApiKeySubmit = "ApiKey.Submit";
    public const string ApiKeyRotate = "ApiKey.Rotate";
    public const string ApiKeyView = "ApiKey.View";
    public const string ApiKeyRestore = "ApiKey.RestorePrevious";
    public const string ApiKeyRevoke = "ApiKey.Revoke";
    public const string ApiKeyPreviousDisabled = "ApiKey.PreviousDisabled";
    public const string ApiKeyVerify = "ApiKey.Verify";
    public const string ApiRoleMissing = "Api.RoleMissing";
    public const string SupportOverview = "Support.Overview";
    public const string AuditViewed = "Audit.Viewed";
    public const string AuditExported = "Audit.Exported";
    public const string AuditVerified = "Audit.Verified";
    public const string AuditPurged = "Audit.Purged";
    public const string ReconciliationRestored = "Reconciliation.VersionRestored";
    public const string ReconciliationMissing = "Reconciliation.VersionMissingFromStore";
    public const string ReconciliationDisabledInStore = "Reconciliation.VersionDisabledInStore";
    public const string ReconciliationEnabledInStore = "Reconciliation.VersionEnabledInStore";
    public const string ReconciliationInDoubtSettled = "Reconciliation.InDoubtSettled";
    public const string SignIn = "Auth.SignIn";
    public const string SessionEnded = "Auth.SessionEnded";
    public const string SignOut = "Auth.SignOut";
    public const string PlatformSettingsUpdate = "Platform.SettingsUpdate";
    public const string TenantOnboard = "Tenant.Onboard";
    public const string TenantUpdate = "Tenant.Update";
    public const string TenantOffboard = "Tenant.Offboard";
    public const string TenantReonboard = "Tenant.Reonboard";
    public const string TenantView = "Tenant.View";
    public const string TenantContactsUpdate = "Tenant.ContactsUpdate";
    public const string TenantPolicyUpdate = "Tenant.PolicyUpdate";
    public const string TenantProbeUpdate = "Tenant.ProbeUpdate";
}
