namespace TenantPortal.Web.Features.KeyHealth;

/// <summary>Audit actions of key health. Reasons carry counts and ids only.</summary>
public static class KeyHealthAuditActions
{
    /// <summary>A usage batch from the backend, on the platform chain.</summary>
    public const string UsageReported = "KeyUsage.Reported";
}
