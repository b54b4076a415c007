namespace TenantPortal.Web.Features.Audit;

/// <summary>One append-only row of the audit trail. It never holds a secret value.</summary>
public sealed class AuditEvent
{
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

    public required string CorrelationId { get; init; }

    public string? ClientIp { get; init; }

    public string? UserAgent { get; init; }
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
    public const string ApiKeyView = "ApiKey.View";
    public const string SupportOverview = "Support.Overview";
    public const string ReconciliationRestored = "Reconciliation.VersionRestored";
    public const string ReconciliationMissing = "Reconciliation.VersionMissingFromStore";
    public const string SignIn = "Auth.SignIn";
    public const string SignOut = "Auth.SignOut";
}
