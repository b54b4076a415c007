using TenantPortal.Web.Auth;

namespace TenantPortal.Web.Features.ApiKeys;

public static class ApiKeyOperations
{
    public static readonly TenantOperationRequirement Submit = new(nameof(Submit), staffMayRead: false, PortalAppRoles.ApiKeysRotate);
    public static readonly TenantOperationRequirement Revoke = new(nameof(Revoke), staffMayRead: false, PortalAppRoles.ApiKeysRotate);
    public static readonly TenantOperationRequirement RestorePrevious = new(nameof(RestorePrevious), staffMayRead: false, PortalAppRoles.ApiKeysRotate);
    public static readonly TenantOperationRequirement ViewStatus = new(nameof(ViewStatus), staffMayRead: true, PortalAppRoles.ApiKeysRead);
}
