using Microsoft.AspNetCore.Authorization;

namespace TenantPortal.Web.Auth;

public static class PortalPolicies
{
    /// <summary>May manage the API key of the tenant(s) their Entra tenant maps to (checked per tenant in the service).</summary>
    public const string TenantAdmin = nameof(TenantAdmin);

    /// <summary>May see rotation status across all tenants: support readers and platform admins of the home tenant.</summary>
    public const string StatusOverview = nameof(StatusOverview);

    /// <summary>May read the audit trail: tenant admins (their own tenant, checked in the service) and staff.</summary>
    public const string AuditReader = nameof(AuditReader);

    /// <summary>May onboard and offboard tenants and set platform rotation settings: platform admins of the home tenant.</summary>
    public const string PlatformAdmin = nameof(PlatformAdmin);

    /// <summary>The policy of an <c>/api/v1</c> endpoint: an app-only token (<see cref="AppTokenAuthentication.Scheme"/>, never the cookie) with <paramref name="appRole"/>.</summary>
    public static string AppRole(string appRole) => $"AppRole:{appRole}";

    /// <summary>Key Vault events from Azure Event Grid: an app-only token from the provider's own directory with <see cref="PortalAppRoles.EventGridSubscriber"/>.</summary>
    public const string EventGridDelivery = nameof(EventGridDelivery);

    public static void AddPortalPolicies(this AuthorizationOptions options, Guid homeTenantId)
    {
        options.AddPolicy(EventGridDelivery, p => p
            .AddAuthenticationSchemes(AppTokenAuthentication.Scheme)
            .RequireAuthenticatedUser()
            .RequireAssertion(c => PortalActor.From(c.User) is { IsApp: true } actor && actor.EntraTenantId == homeTenantId
                && actor.IsInRole(PortalAppRoles.EventGridSubscriber)));

        foreach (var appRole in PortalAppRoles.All)
        {
            options.AddPolicy(AppRole(appRole), p => p
                .AddAuthenticationSchemes(AppTokenAuthentication.Scheme)
                .RequireAuthenticatedUser()
                .RequireAssertion(c => PortalActor.From(c.User) is { IsApp: true } actor && actor.IsInRole(appRole)));
        }

        options.AddPolicy(TenantAdmin, p => p.RequireAssertion(c =>
            PortalActor.From(c.User) is { IsApp: false } actor && actor.IsInRole(PortalRoles.TenantAdmin)));

        options.AddPolicy(StatusOverview, p => p.RequireAssertion(c =>
            PortalActor.From(c.User) is { } actor && actor.IsStaff(homeTenantId)
            && (actor.IsInRole(PortalRoles.SupportReader) || actor.IsInRole(PortalRoles.PlatformAdmin))));

        options.AddPolicy(PlatformAdmin, p => p.RequireAssertion(c =>
            PortalActor.From(c.User) is { } actor && actor.IsStaff(homeTenantId) && actor.IsInRole(PortalRoles.PlatformAdmin)));

        options.AddPolicy(AuditReader, p => p.RequireAssertion(c =>
            PortalActor.From(c.User) is { } actor
            && (actor.IsInRole(PortalRoles.TenantAdmin)
                || (actor.IsStaff(homeTenantId) && (actor.IsInRole(PortalRoles.SupportReader) || actor.IsInRole(PortalRoles.PlatformAdmin))))));
    }

    /// <summary>Staff are people of the home tenant: automation never is, whatever its token says.</summary>
    public static bool IsStaff(this PortalActor actor, Guid homeTenantId) => !actor.IsApp && actor.EntraTenantId == homeTenantId;

    /// <summary>
    /// Whether any of the actor's roles means something in the portal: <c>Tenant.Admin</c>, or a staff role from the
    /// home tenant. A customer's user holding only a staff role (their own admin can assign any app role) has none.
    /// </summary>
    public static bool HasPortalRole(this PortalActor actor, Guid homeTenantId) =>
        (!actor.IsApp && actor.IsInRole(PortalRoles.TenantAdmin))
        || (actor.IsStaff(homeTenantId) && (actor.IsInRole(PortalRoles.SupportReader) || actor.IsInRole(PortalRoles.PlatformAdmin)));
}
