using System.Globalization;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor;
using TenantPortal.Web.Auth;

namespace TenantPortal.Web.Components.Localization;

/// <summary>
/// Microsoft.Extensions.Localization with resource files beside the component or service they belong to
/// (<c>Features/ApiKeys/ApiKeyPage.resx</c> and <c>ApiKeyPage.ja.resx</c> for <c>IStringLocalizer&lt;ApiKeyPage&gt;</c>).
/// The request's culture is the user's choice (the standard culture cookie, set by <see cref="CulturePath"/>), else the
/// browser's Accept-Language, else English. A Blazor circuit keeps the culture of the request that opened it, so
/// a change of language reloads the page. MudBlazor's own texts come from <see cref="PortalMudLocalizer"/>.
/// </summary>
public static class PortalLocalization
{
    public const string CulturePath = "/culture";

    public static IHostApplicationBuilder AddPortalLocalization(this IHostApplicationBuilder builder)
    {
        builder.Services.AddPortalLocalization();
        return builder;
    }

    /// <summary>The services alone, for hosts without the web pipeline (component tests).</summary>
    public static IServiceCollection AddPortalLocalization(this IServiceCollection services)
    {
        services.AddLocalization();
        services.Configure<RequestLocalizationOptions>(o =>
        {
            o.DefaultRequestCulture = new RequestCulture(PortalCultures.Default);
            o.SupportedCultures = [.. PortalCultures.Cultures];
            o.SupportedUICultures = [.. PortalCultures.Cultures];
            o.FallBackToParentCultures = true;
            o.FallBackToParentUICultures = true;
            // No query-string provider: a link cannot switch someone's language behind their back.
            o.RequestCultureProviders = [new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
        });
        services.Replace(ServiceDescriptor.Transient<MudLocalizer, PortalMudLocalizer>());
        return services;
    }

    public static WebApplication UsePortalRequestLocalization(this WebApplication app)
    {
        app.UseRequestLocalization();
        return app;
    }

    /// <summary>
    /// The language switch's form posts here: a supported culture and a local return URL. The choice is kept a year in
    /// the culture cookie; an unknown culture is refused and changes nothing; a return URL off this site goes home.
    /// </summary>
    public static IEndpointRouteBuilder MapPortalCulture(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(CulturePath, (HttpContext http, TimeProvider time, [FromForm] string? culture, [FromForm] string? returnUrl) =>
        {
            if (PortalCultures.Find(culture) is not { } chosen)
            {
                return Results.BadRequest(string.Create(CultureInfo.InvariantCulture,
                    $"Unknown language '{culture}'. Choose one of: {string.Join(", ", PortalCultures.All.Select(c => c.Name))}."));
            }

            http.Response.Cookies.Append(
                CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen.Name)),
                new CookieOptions
                {
                    Path = "/",
                    Expires = time.GetUtcNow().AddYears(1),
                    HttpOnly = true,
                    Secure = http.Request.IsHttps,
                    SameSite = SameSiteMode.Lax,
                    IsEssential = true,
                });
            return Results.LocalRedirect(ReturnUrls.LocalOrHome(returnUrl));
        });
        return endpoints;
    }
}
