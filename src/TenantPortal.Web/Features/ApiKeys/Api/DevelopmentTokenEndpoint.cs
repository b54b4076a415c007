using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Auth.AppTokens;
using TenantPortal.Web.Data;
using TenantPortal.Web.Infrastructure.Api;

namespace TenantPortal.Web.Features.ApiKeys.Api;

/// <summary>
/// <c>POST /dev/api-token?tenant=contoso</c>: on the embedded default only (mapped when the development personas are,
/// which start-up refuses outside Development), an app-only token for the tenant's first directory, as its automation
/// app would get from Entra. Answers the token as plain text, for <c>TOKEN=$(curl …)</c>.
/// </summary>
public static class DevelopmentTokenEndpoint
{
    public const string Path = "/dev/api-token";

    public static IEndpointRouteBuilder MapDevelopmentTokenEndpoint(this IEndpointRouteBuilder endpoints)
    {
        if (endpoints.ServiceProvider.GetService<DevelopmentAppTokens>() is null)
        {
            return endpoints;
        }

        endpoints.MapPost(Path, async (string? tenant, string? roles, string? app, DevelopmentAppTokens tokens, IDbContextFactory<PortalDbContext> contexts, CancellationToken cancellationToken) =>
        {
            var requested = (roles ?? string.Join(',', PortalAppRoles.All)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (requested.FirstOrDefault(r => !PortalAppRoles.All.Contains(r, StringComparer.Ordinal)) is { } unknown)
            {
                return ApiProblem.Result(StatusCodes.Status400BadRequest, "unknown_role",
                    $"'{unknown}' is not an application role of the portal's API; the roles are {string.Join(", ", PortalAppRoles.All)}.");
            }

            await using var db = contexts.CreateDbContext();
            var directory = await db.TenantDirectories.AsNoTracking()
                .Where(d => d.TenantId == tenant)
                .Select(d => (Guid?)d.EntraTenantId)
                .FirstOrDefaultAsync(cancellationToken);
            if (directory is not { } tid)
            {
                return ApiProblem.Result(StatusCodes.Status404NotFound, "tenant_not_found",
                    "Name an onboarded tenant: ?tenant=contoso (the embedded default has contoso and fabrikam).");
            }

            var appId = string.IsNullOrWhiteSpace(app) ? DevelopmentAppTokens.DefaultAppId : app.Trim();
            if (appId.Length > 64 || appId.Any(char.IsControl))
            {
                return ApiProblem.Result(StatusCodes.Status400BadRequest, "invalid_app", "app must be at most 64 characters, without control characters.");
            }

            return TypedResults.Text(tokens.Issue(tid, appId, requested.Distinct(StringComparer.Ordinal).ToList()));
        }).ExcludeFromDescription().DisableAntiforgery();
        return endpoints;
    }
}
