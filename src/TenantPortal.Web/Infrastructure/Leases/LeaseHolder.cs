namespace TenantPortal.Web.Infrastructure.Leases;

/// <summary>
/// This portal instance's name as a lease holder: one per host, so two hosts in one process (as in the tests) are two
/// holders, as two App Service instances are.
/// </summary>
public sealed class LeaseHolder
{
    public string Id { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
}
