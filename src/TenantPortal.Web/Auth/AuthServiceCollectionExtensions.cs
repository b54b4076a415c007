using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Auth.Entra;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Web.Auth;

public static class AuthServiceCollectionExtensions
{
    public const string SignInPath = "/authentication/sign-in";
    public const string SignOutPath = "/authentication/sign-out";
    public const string SelectAccountPrompt = "select_account";

    public static IHostApplicationBuilder AddPortalAuthentication(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var developmentSignIn = DevelopmentSignIn.IsEnabled(builder.Configuration, builder.Environment);

        services.AddOptions<PortalAuthOptions>()
            .BindConfiguration(PortalAuthOptions.SectionName)
            .PostConfigure(o => o.HomeTenantId ??= developmentSignIn ? DevelopmentPersonas.HomeTenantId : null)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        if (developmentSignIn)
        {
            services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
                .AddCookie(o => o.LoginPath = DevelopmentSignIn.SignInPath);
            services.AddSingleton<DevelopmentSignInEnabled>();
        }
        else if (builder.Configuration.GetSection(EntraSignInOptions.SectionName).Exists())
        {
            builder.AddPortalEntraSignIn();
        }
        else
        {
            throw new InvalidOperationException(
                "No sign-in is configured: set the AzureAd section (Instance, TenantId, ClientId) for Entra ID, " +
                "or run in the Development environment to use the development personas.");
        }

        builder.AddPortalAppTokens(services.AddAuthentication(), developmentSignIn);

        services.PostConfigure<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme, o =>
        {
            o.Cookie.Name = "TenantPortal.Auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = builder.Configuration.GetSection(PortalAuthOptions.SectionName).Get<PortalAuthOptions>()?.SessionLifetime
                ?? TimeSpan.FromHours(1);
            o.AccessDeniedPath = SignInRefusal.AccessDeniedPath;
            o.EventsType = typeof(PortalCookieEvents);
        });
        services.AddScoped<PortalCookieEvents>();
        services.AddSingleton<SignInAllowList>();
        services.AddSingleton<SessionValidator>();
        services.AddHttpContextAccessor();
        // Before the Blazor host's own registration (a TryAdd), so circuits get the revalidating provider.
        services.AddScoped<AuthenticationStateProvider, RevalidatingPortalAuthenticationStateProvider>();

        var homeTenant = builder.Configuration.GetValue<Guid?>($"{PortalAuthOptions.SectionName}:HomeTenantId")
            ?? (developmentSignIn ? DevelopmentPersonas.HomeTenantId : Guid.Empty);
        services.AddAuthorization(o => o.AddPortalPolicies(homeTenant));
        services.AddSingleton<IAuthorizationHandler, TenantOperationAuthorizationHandler>();
        services.AddCascadingAuthenticationState();
        services.AddScoped<ClientConnection>();
        return builder;
    }

    public static WebApplication UsePortalClientConnection(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            context.RequestServices.GetRequiredService<ClientConnection>()
                .Set(context.Connection.RemoteIpAddress?.ToString(), context.Request.Headers.UserAgent.ToString());
            return next(context);
        });
        return app;
    }

    public static IEndpointRouteBuilder MapPortalAuthentication(this IEndpointRouteBuilder endpoints)
    {
        if (endpoints.ServiceProvider.GetService<DevelopmentSignInEnabled>() is not null)
        {
            endpoints.MapDevelopmentSignIn();
        }

        endpoints.MapGet(SignInPath, (HttpContext http, string? returnUrl, string? prompt) =>
        {
            var target = ReturnUrls.LocalOrHome(returnUrl);
            if (http.RequestServices.GetService<DevelopmentSignInEnabled>() is not null)
            {
                return Results.LocalRedirect($"{DevelopmentSignIn.SignInPath}?returnUrl={Uri.EscapeDataString(target)}");
            }

            var properties = new AuthenticationProperties { RedirectUri = target };
            if (prompt == SelectAccountPrompt)
            {
                // "Sign in with another account" after a refusal: otherwise Entra signs the same account in again at once.
                properties.SetParameter(OpenIdConnectParameterNames.Prompt, SelectAccountPrompt);
            }

            return Results.Challenge(properties, [OpenIdConnectDefaults.AuthenticationScheme]);
        });

        endpoints.MapPost(SignOutPath, async (HttpContext http, AuditTrail audit) =>
        {
            var actor = PortalActor.From(http.User);
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            if (actor is not null)
            {
                await audit.AppendAsync(audit.Create(actor, AuditActions.SignOut, AuditOutcome.Succeeded, tenantId: null), http.RequestAborted);
            }

            return Results.LocalRedirect(ReturnUrls.Home);
        }).RequireAuthorization();
        return endpoints;
    }
}
