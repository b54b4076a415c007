using System.ComponentModel.DataAnnotations;

namespace TenantPortal.Web.Infrastructure.Audit;

/// <summary>Bounds on the audit trail's own resources, so that a flood of events cannot exhaust the process.</summary>
public sealed class AuditOptions
{
    public const string SectionName = "Audit";

    /// <summary>How many standalone appends may wait for the writer; one more is refused (the caller fails closed).</summary>
    [Range(1, 1_000_000, ErrorMessage = "Audit:QueueCapacity must be between 1 and 1000000.")]
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Denial rows one actor may write per minute; further denials in that minute become one summary row.</summary>
    [Range(1, 10_000, ErrorMessage = "Audit:DeniedPerActorPerMinute must be between 1 and 10000.")]
    public int DeniedPerActorPerMinute { get; set; } = 30;
}
