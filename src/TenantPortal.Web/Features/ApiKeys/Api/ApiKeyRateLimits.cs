using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Infrastructure.Api;

namespace TenantPortal.Web.Features.ApiKeys.Api;

public sealed class ApiRateLimitOptions
{
    public const string SectionName = "Api:RateLimits";

    /// <summary>Changes (PUT, revoke, restore) a minute to one tenant's key from one Entra directory.</summary>
    [Range(1, 10_000, ErrorMessage = "Api:RateLimits:WritesPerTenantPerMinute must be between 1 and 10000.")]
    public int WritesPerTenantPerMinute { get; set; } = 10;

    /// <summary>Requests a minute from one client app (its directory and <c>azp</c>), reads included.</summary>
    [Range(1, 100_000, ErrorMessage = "Api:RateLimits:RequestsPerClientPerMinute must be between 1 and 100000.")]
    public int RequestsPerClientPerMinute { get; set; } = 120;
}

/// <summary>
/// The automation API's limits, System.Threading.RateLimiting's fixed windows (the limiter ASP.NET Core's middleware
/// uses), applied in an endpoint filter: after the token is validated, so the partitions are the caller's proven
/// directory and app, and an outsider with a bad token cannot spend a tenant's budget. A tenant's write budget is per
/// directory acting on it, for the same reason. Beyond it: 429 with Retry-After, and nothing else happens.
/// </summary>
public sealed class ApiKeyRateLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string> _clients;
    private readonly PartitionedRateLimiter<string> _writes;

    public ApiKeyRateLimits(IOptions<ApiRateLimitOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clients = Windows(options.Value.RequestsPerClientPerMinute);
        _writes = Windows(options.Value.WritesPerTenantPerMinute);
    }

    /// <summary>An endpoint filter: <paramref name="write"/> for the changes, false for the reads.</summary>
    public static Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> Filter(bool write) => async (context, next) =>
    {
        var http = context.HttpContext;
        var refused = http.RequestServices.GetRequiredService<ApiKeyRateLimits>().TryAcquire(http, write);
        return refused ?? await next(context);
    };

    private IResult? TryAcquire(HttpContext http, bool write)
    {
        var actor = PortalActor.From(http.User);
        var client = $"{actor?.EntraTenantId}/{actor?.AppId}";
        using (var lease = _clients.AttemptAcquire(client))
        {
            if (!lease.IsAcquired)
            {
                return Refused(http, lease, "This client app has made the most requests allowed in a minute.");
            }
        }

        if (write)
        {
            // Key Vault names and tenant ids are case-insensitive: Contoso and contoso share one budget.
            var tenant = (http.GetRouteValue("tenantId") as string ?? "").ToLowerInvariant();
            using var lease = _writes.AttemptAcquire($"{tenant}|{actor?.EntraTenantId}");
            if (!lease.IsAcquired)
            {
                return Refused(http, lease, "This tenant's key has had the most changes allowed in a minute through the API.");
            }
        }

        return null;
    }

    private static IResult Refused(HttpContext http, RateLimitLease lease, string what)
    {
        var seconds = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 60;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return ApiProblem.Result(StatusCodes.Status429TooManyRequests, "rate_limited", $"{what} Retry in {seconds} s; nothing was changed.");
    }

    private static PartitionedRateLimiter<string> Windows(int permits) => PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true,
        }));

    public void Dispose()
    {
        _clients.Dispose();
        _writes.Dispose();
    }
}
