using System.ComponentModel.DataAnnotations;

namespace TenantPortal.Web.Infrastructure.Outbound;

/// <summary>Timeouts for calls to tenant-supplied URLs (verification probes, webhooks). Nothing here opens an address.</summary>
public sealed class OutboundOptions
{
    public const string SectionName = "Outbound";

    /// <summary>The longest DNS lookup plus TCP connect plus TLS handshake may take.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00", ErrorMessage = "Outbound:ConnectTimeout must be between 1 second and 1 minute.")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest a whole call may take, connect included, until the response headers arrive.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:02:00", ErrorMessage = "Outbound:RequestTimeout must be between 1 second and 2 minutes.")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
