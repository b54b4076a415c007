namespace TenantPortal.Web.Features.KeyHealth;

/// <summary>Audit actions of key health. Reasons carry counts and ids only.</summary>
public static class KeyHealthAuditActions
{
    /// <summary>A usage batch from the backend, on the platform chain.</summary>
    public const string UsageReported = "KeyUsage.Reported";

    /// <summary>The provider kept rejecting a tenant's current key: a new incident, its contacts told.</summary>
    public const string KeyRejected = "KeyHealth.KeyRejected";

    /// <summary>A previous version whose grace ended was still used by the backend: its contacts told, then disabled or kept.</summary>
    public const string PreviousStillUsed = "KeyHealth.PreviousStillUsed";

    /// <summary>Support viewed the key health lists.</summary>
    public const string SupportViewed = "Support.KeyHealthViewed";
}
