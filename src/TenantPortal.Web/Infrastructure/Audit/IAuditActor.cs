namespace TenantPortal.Web.Infrastructure.Audit;

/// <summary>
/// Who acted, as an audit row records it. Auth's <c>PortalActor</c> implements it, so that the trail records actors
/// without depending on how they sign in.
/// </summary>
public interface IAuditActor
{
    Guid EntraTenantId { get; }

    Guid ObjectId { get; }

    string DisplayName { get; }

    /// <summary>The actor's roles, comma-separated.</summary>
    string RoleList { get; }

    /// <summary>Set when the actor is not a person in the browser, e.g. <see cref="AuditChannels.Api"/>.</summary>
    string? Channel { get; }
}
