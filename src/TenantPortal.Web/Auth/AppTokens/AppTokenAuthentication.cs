using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Web;
using TenantPortal.Web.Auth.AppTokens;
using TenantPortal.Web.Auth.Entra;

namespace TenantPortal.Web.Auth;

/// <summary>
/// The automation API's authentication: app-only Entra access tokens (client credentials, or workload identity
/// federation) issued by a customer's own directory to their automation app, for the portal's API. On the embedded
/// default the same scheme validates the development token endpoint's tokens instead.
/// </summary>
public static class AppTokenAuthentication
{
    public const string Scheme = "AppToken";

    /// <summary>The identity type the scheme gives a validated token; <see cref="PortalActor"/> reads automation from it.</summary>
    public const string AuthenticationType = "TenantPortal.AppToken";

    internal static void AddPortalAppTokens(this IHostApplicationBuilder builder, AuthenticationBuilder authentication, bool developmentSignIn)
    {
        var services = builder.Services;
        if (developmentSignIn)
        {
            services.AddSingleton<DevelopmentAppTokens>();
            authentication.AddJwtBearer(Scheme);
            services.AddOptions<JwtBearerOptions>(Scheme).Configure<DevelopmentAppTokens>((o, tokens) =>
                o.TokenValidationParameters = tokens.ValidationParameters());
        }
        else
        {
            var section = builder.Configuration.GetSection(EntraSignInOptions.SectionName);
            authentication.AddMicrosoftIdentityWebApi(
                _ => { },
                o =>
                {
                    section.Bind(o);
                    // A token without a role is answered 403 by the endpoint's policy, naming the role, rather than a bare 401.
                    o.AllowWebApiToBeAuthorizedByACL = true;
                },
                Scheme);
            // Its issuer check then needs no metadata fetch, so no request blocks a thread on one (EntraIssuerTemplates).
            services.AddOptions<JwtBearerOptions>(Scheme)
                .PostConfigure<IOptions<EntraSignInOptions>>((o, entra) => EntraIssuerTemplates.Apply(o.TokenValidationParameters, entra.Value));
        }

        services.TryAddSingleton<AllowListChanges>();
        services.AddSingleton<AppTokenDirectories>();
        services.AddScoped<AppTokenEvents>();
        // After Microsoft.Identity.Web's own configuration: its handlers run first, then the portal's.
        services.PostConfigure<JwtBearerOptions>(Scheme, o =>
        {
            o.MapInboundClaims = false;
            o.TokenValidationParameters.NameClaimType = PortalClaimTypes.Name;
            o.TokenValidationParameters.RoleClaimType = PortalClaimTypes.Roles;
            o.Events ??= new JwtBearerEvents();

            var tokenValidated = o.Events.OnTokenValidated;
            o.Events.OnTokenValidated = async context =>
            {
                await tokenValidated(context);
                if (context.Result is null)
                {
                    await context.HttpContext.RequestServices.GetRequiredService<AppTokenEvents>().TokenValidatedAsync(context);
                }
            };
            o.Events.OnChallenge = context => context.HttpContext.RequestServices.GetRequiredService<AppTokenEvents>().ChallengeAsync(context);
            o.Events.OnForbidden = context => context.HttpContext.RequestServices.GetRequiredService<AppTokenEvents>().ForbiddenAsync(context);
        });
    }
}
