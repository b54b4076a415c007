namespace TenantPortal.Web.Infrastructure.Audit;

/// <summary>
/// Where the current user connects from, for the audit trail. Filled from the HTTP request, or, inside a
/// Blazor circuit (which has no HttpContext), from the request that opened the page.
/// </summary>
public sealed class ClientConnection
{
    public string? ClientIp { get; private set; }

    public string? UserAgent { get; private set; }

    public void Set(string? clientIp, string? userAgent)
    {
        ClientIp = clientIp is { Length: > 45 } ? clientIp[..45] : clientIp;
        UserAgent = userAgent is { Length: > 512 } ? userAgent[..512] : userAgent;
    }
}
