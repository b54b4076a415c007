using TenantPortal.Web.Auth;

namespace TenantPortal.Web.Features.ApiKeys;

public static class ApiKeyOperations
{
    public static readonly TenantOperationRequirement Submit = new(nameof(Submit), staffMayRead: false);
    public static readonly TenantOperationRequirement ViewStatus = new(nameof(ViewStatus), staffMayRead: true);
}
