using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Web.Auth.Development;

public sealed class DevelopmentSignInOptions
{
    public const string SectionName = "Authentication:DevelopmentSignIn";

    /// <summary>Offer the named personas instead of Entra ID. Defaults to on in Development; refused elsewhere.</summary>
    public bool? Enabled { get; set; }
}

/// <summary>Registered only when the development sign-in is on.</summary>
public sealed class DevelopmentSignInEnabled;

public static class DevelopmentSignIn
{
    public const string SignInPath = "/dev/sign-in";
    public const string SignInEndpoint = "/authentication/dev-sign-in";

    public static bool IsEnabled(IConfiguration configuration, IHostEnvironment environment)
    {
        var enabled = configuration.GetSection(DevelopmentSignInOptions.SectionName).Get<DevelopmentSignInOptions>()?.Enabled;
        if (enabled == true && !environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"Authentication:DevelopmentSignIn:Enabled is true in the '{environment.EnvironmentName}' environment. " +
                "The development sign-in hands out any identity without a password and is allowed only in Development.");
        }

        return enabled ?? environment.IsDevelopment();
    }

    public static ClaimsPrincipal CreatePrincipal(DevelopmentPersona persona)
    {
        var identity = new ClaimsIdentity(
            [
                new Claim(PortalClaimTypes.TenantId, persona.EntraTenantId.ToString()),
                new Claim(PortalClaimTypes.ObjectId, persona.ObjectId.ToString()),
                new Claim(PortalClaimTypes.Name, persona.DisplayName),
                new Claim(PortalClaimTypes.Roles, persona.Role),
            ],
            authenticationType: "Development",
            nameType: PortalClaimTypes.Name,
            roleType: PortalClaimTypes.Roles);
        return new ClaimsPrincipal(identity);
    }

    public static IEndpointRouteBuilder MapDevelopmentSignIn(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(SignInEndpoint, async Task<IResult> (
            [FromForm] string persona,
            [FromForm] string? returnUrl,
            HttpContext http,
            AuditTrail audit,
            SignInAllowList allowList) =>
        {
            var chosen = DevelopmentPersonas.Find(persona);
            if (chosen is null)
            {
                return Results.BadRequest("Unknown persona.");
            }

            var principal = CreatePrincipal(chosen);
            // The personas go through the same allow-list as Entra sign-in: an offboarded tenant's persona is refused.
            if (!await allowList.IsAllowedAsync(chosen.EntraTenantId, http.RequestAborted))
            {
                await audit.AppendAsync(audit.Create(PortalActor.From(principal), AuditActions.SignIn, AuditOutcome.Denied, tenantId: null,
                    reason: "Organisation not onboarded (development persona)"), http.RequestAborted);
                return Results.LocalRedirect(SignInRefusal.NotOnboardedPath);
            }

            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
            await audit.AppendAsync(
                audit.Create(PortalActor.From(principal), AuditActions.SignIn, AuditOutcome.Succeeded, tenantId: null, reason: "Development persona"),
                http.RequestAborted);
            return Results.LocalRedirect(ReturnUrls.LocalOrHome(returnUrl));
        });
        return endpoints;
    }
}
