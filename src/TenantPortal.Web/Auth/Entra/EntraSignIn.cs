using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Abstractions;
using Microsoft.Identity.Web;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace TenantPortal.Web.Auth.Entra;

public static class EntraSignIn
{
    /// <summary>
    /// Production sign-in: Microsoft.Identity.Web's OpenID Connect handler with the authorization code flow and PKCE,
    /// multi-tenant (<c>TenantId=organizations</c>) behind the portal's allow-list, claims kept as Entra names them.
    /// </summary>
    public static IHostApplicationBuilder AddPortalEntraSignIn(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var section = builder.Configuration.GetSection(EntraSignInOptions.SectionName);
        services.AddOptions<EntraSignInOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();

        services.AddAuthentication(OpenIdConnectDefaults.AuthenticationScheme).AddMicrosoftIdentityWebApp(section);
        services.TryAddSingleton<ICredentialsLoader, DefaultCredentialsLoader>();
        services.AddSingleton<CodeRedemptionCredential>();
        services.AddSingleton<EntraSessionCheck>();
        services.AddScoped<EntraSignInEvents>();

        // Registered after Microsoft.Identity.Web's own configuration, so these settings win.
        services.Configure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, o =>
        {
            o.ResponseType = OpenIdConnectResponseType.Code;
            o.UsePkce = true;
            o.MapInboundClaims = false;
            // A refresh token, so that revalidation can ask Entra whether the user may go on (EntraSessionCheck).
            if (!o.Scope.Contains(OpenIdConnectScope.OfflineAccess))
            {
                o.Scope.Add(OpenIdConnectScope.OfflineAccess);
            }

            o.TokenValidationParameters.NameClaimType = PortalClaimTypes.Name;
            o.TokenValidationParameters.RoleClaimType = PortalClaimTypes.Roles;

            var codeReceived = o.Events.OnAuthorizationCodeReceived;
            o.Events.OnAuthorizationCodeReceived = async context =>
            {
                await context.HttpContext.RequestServices.GetRequiredService<CodeRedemptionCredential>().ApplyAsync(context);
                await codeReceived(context);
            };

            var tokenValidated = o.Events.OnTokenValidated;
            o.Events.OnTokenValidated = async context =>
            {
                await tokenValidated(context);
                if (context.Result is null)
                {
                    await context.HttpContext.RequestServices.GetRequiredService<EntraSignInEvents>().TokenValidatedAsync(context);
                }
            };

            // The handler's final redirect goes wherever the challenge's properties say; whoever started the challenge,
            // it ends on a path of this site.
            var ticketReceived = o.Events.OnTicketReceived;
            o.Events.OnTicketReceived = async context =>
            {
                await ticketReceived(context);
                context.ReturnUri = ReturnUrls.LocalOrHome(context.ReturnUri);
            };

            var remoteFailure = o.Events.OnRemoteFailure;
            o.Events.OnRemoteFailure = async context =>
            {
                await remoteFailure(context);
                if (context.Result is null)
                {
                    await context.HttpContext.RequestServices.GetRequiredService<EntraSignInEvents>().RemoteFailureAsync(context);
                }
            };
        });
        // After every Configure, Microsoft.Identity.Web's included: its issuer check then needs no metadata fetch (EntraIssuerTemplates).
        services.AddOptions<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme)
            .PostConfigure<IOptions<EntraSignInOptions>>((o, entra) => EntraIssuerTemplates.Apply(o.TokenValidationParameters, entra.Value));
        return builder;
    }
}
