using System.ComponentModel.DataAnnotations;

namespace TenantPortal.Web.Auth;

public sealed class PortalAuthOptions
{
    public const string SectionName = "Authentication";

    /// <summary>
    /// The SaaS provider's own Entra tenant. Staff roles (<c>Support.Reader</c>, <c>Platform.Admin</c>) count only
    /// when signed in from it: in a multi-tenant app a customer's administrator can assign any app role to their
    /// own users, so a role alone proves nothing about staff.
    /// </summary>
    [Required(ErrorMessage = "Authentication:HomeTenantId must be set to the provider's own Entra tenant id.")]
    public Guid? HomeTenantId { get; set; }

    /// <summary>How long a sign-in lasts without activity (sliding).</summary>
    [Range(typeof(TimeSpan), "00:05:00", "12:00:00", ErrorMessage = "Authentication:SessionLifetime must be between 5 minutes and 12 hours.")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The longest a sign-in lasts however active the user is (the sliding lifetime never extends past it), so that
    /// a role removed in Entra or a disabled account takes effect at the latest by then.
    /// </summary>
    [Range(typeof(TimeSpan), "00:05:00", "1.00:00:00", ErrorMessage = "Authentication:AbsoluteSessionLifetime must be between 5 minutes and 24 hours.")]
    public TimeSpan AbsoluteSessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// How often a signed-in session is checked again (its organisation still onboarded, its lifetime not exceeded), in
    /// an open Blazor circuit and on plain HTTP requests.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "00:05:00", ErrorMessage = "Authentication:RevalidationInterval must be between 10 seconds and 5 minutes.")]
    public TimeSpan RevalidationInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// With Entra sign-in, how long a session goes on while Entra cannot be asked about it (network, timeout, 5xx)
    /// since Entra last confirmed it. A refusal from Entra (account disabled, sessions revoked, role removed) ends the
    /// session at once whatever this says; zero ends sessions at the first check Entra cannot answer.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "Authentication:EntraOutageTolerance must be between 0 and 1 hour.")]
    public TimeSpan EntraOutageTolerance { get; set; } = TimeSpan.FromMinutes(15);
}
