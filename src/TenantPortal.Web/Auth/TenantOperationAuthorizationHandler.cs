using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace TenantPortal.Web.Auth;

/// <summary>A named operation on one tenant, e.g. <c>ApiKeyOperations.Submit</c>.</summary>
public sealed class TenantOperationRequirement(string name, bool staffMayRead, string? appRole = null) : IAuthorizationRequirement
{
    public string Name { get; } = name;

    /// <summary>
    /// The application role that lets a tenant's automation (an app-only token) perform this operation on its own
    /// tenant; null when automation may not perform it at all.
    /// </summary>
    public string? AppRole { get; } = appRole;

    /// <summary>Read-only operations that support readers and platform admins may perform on any tenant.</summary>
    public bool StaffMayRead { get; } = staffMayRead;

    public override string ToString() => Name;
}

/// <summary>
/// Decides whether an actor may perform an operation on one tenant. Tenant admins act only on a tenant their
/// Entra tenant maps to; staff of the home tenant may read any tenant's metadata, never change it. A tenant's automation
/// (app-only token) acts on its own tenant with the operation's application role, and only that: a person's role on an
/// app token, or an app role on a person's sign-in, grants nothing.
/// </summary>
public sealed class TenantOperationAuthorizationHandler(IOptions<PortalAuthOptions> options)
    : AuthorizationHandler<TenantOperationRequirement, ITenantResource>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, TenantOperationRequirement requirement, ITenantResource resource)
    {
        var actor = PortalActor.From(context.User);
        if (actor is null)
        {
            return Task.CompletedTask;
        }

        if (actor.IsApp)
        {
            if (requirement.AppRole is { } appRole && actor.IsInRole(appRole)
                && resource.IsManagedFrom(actor.EntraTenantId) && !resource.IsOffboarded)
            {
                context.Succeed(requirement);
            }

            return Task.CompletedTask;
        }

        // An offboarded tenant's own users can no longer act on it; staff can still read its history.
        var isOwnTenantAdmin = actor.IsInRole(PortalRoles.TenantAdmin) && resource.IsManagedFrom(actor.EntraTenantId) && !resource.IsOffboarded;
        var isStaffReader = requirement.StaffMayRead
            && options.Value.HomeTenantId is { } home && actor.IsStaff(home)
            && (actor.IsInRole(PortalRoles.SupportReader) || actor.IsInRole(PortalRoles.PlatformAdmin));

        if (isOwnTenantAdmin || isStaffReader)
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
