using System.ComponentModel.DataAnnotations;

namespace TenantPortal.KeyReader;

/// <summary>
/// Key usage reports to TenantPortal (the <c>TenantApiKeyReader:UsageReporting</c> section): per tenant and version,
/// how often the key was served, when last, and how often the third-party API refused it
/// (<see cref="ITenantApiKeyProvider.ReportRejected"/>). Off until <see cref="PortalUri"/> is set. Never a value.
/// </summary>
public sealed class TenantApiKeyUsageReportingOptions
{
    /// <summary>The portal's base address, e.g. <c>https://portal.contoso.com/</c>; reports go to <c>/api/v1/key-usage</c>. Empty: no counting, no reports.</summary>
    public Uri? PortalUri { get; set; }

    /// <summary>
    /// The portal's Application ID URI in Entra (e.g. <c>api://tenantportal-prod</c>): the reader's identity asks for a
    /// token for <c>&lt;this&gt;/.default</c>. Required with <see cref="PortalUri"/>. The identity needs the portal's
    /// application role <c>KeyUsage.Report</c>, granted in the provider's own directory.
    /// </summary>
    public string? PortalAppIdUri { get; set; }

    /// <summary>How often the counts are gathered and one report is sent: at most one a minute by default.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Tenant and version entries kept while the portal cannot be reached (and versions counted at once for
    /// rejections alone). When full, the oldest are dropped, one warning is logged, and the next report that reaches the
    /// portal says how many.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxPendingEntries { get; set; } = 10_000;

    /// <summary>Entries in one report (the portal takes at most 10,000).</summary>
    [Range(1, 10_000)]
    public int MaxBatchEntries { get; set; } = 5_000;

    /// <summary>The longest one report may take, token included; it is retried at the next interval with the same batch id.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);

    internal bool Enabled => PortalUri is not null;
}
