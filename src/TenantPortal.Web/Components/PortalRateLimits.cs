using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Features.Audit;
using TenantPortal.Web.Features.Support;

namespace TenantPortal.Web.Components;

public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    /// <summary>Requests a minute from one client address to the sign-in endpoints and the OpenID Connect callback.</summary>
    [Range(1, 100_000, ErrorMessage = "RateLimits:SignInPerMinute must be between 1 and 100000.")]
    public int SignInPerMinute { get; set; } = 120;

    /// <summary>Audit and rotation status exports a minute from one client address.</summary>
    [Range(1, 100_000, ErrorMessage = "RateLimits:ExportsPerMinute must be between 1 and 100000.")]
    public int ExportsPerMinute { get; set; } = 30;
}

/// <summary>
/// ASP.NET Core's rate limiter on the paths an anonymous caller can hammer to write audit rows or load the server:
/// the sign-in endpoints and the OpenID Connect callback, and the audit and rotation status exports. One fixed window a minute per client
/// address; beyond it, 429 with Retry-After and nothing else happens (no audit row, no handler). It runs before
/// authentication, because the callback is handled by the authentication middleware itself.
/// </summary>
public static class PortalRateLimits
{
    public const string OpenIdConnectCallbackPath = "/signin-oidc";

    public static IHostApplicationBuilder AddPortalRateLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (context, _) =>
            {
                // The refusal is the answer: no status-code page re-running the pipeline (a POST would meet antiforgery there).
                if (context.HttpContext.Features.Get<IStatusCodePagesFeature>() is { } pages)
                {
                    pages.Enabled = false;
                }

                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                return ValueTask.CompletedTask;
            };
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(Partition);
        });
        return builder;
    }

    private static RateLimitPartition<string> Partition(HttpContext http)
    {
        var path = http.Request.Path;
        var limits = http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        var client = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (path.StartsWithSegments("/authentication") || path.StartsWithSegments(OpenIdConnectCallbackPath)
            || path.StartsWithSegments(DevelopmentSignIn.SignInPath))
        {
            return Window($"sign-in:{client}", limits.SignInPerMinute);
        }

        if (path.StartsWithSegments(AuditEndpoints.ExportCsvPath) || path.StartsWithSegments(AuditEndpoints.ExportJsonPath)
            || path.StartsWithSegments(RotationStatusLinks.ExportCsvPath))
        {
            return Window($"export:{client}", limits.ExportsPerMinute);
        }

        return RateLimitPartition.GetNoLimiter("none");
    }

    private static RateLimitPartition<string> Window(string key, int permits) => RateLimitPartition.GetFixedWindowLimiter(key, _ =>
        new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true });
}
