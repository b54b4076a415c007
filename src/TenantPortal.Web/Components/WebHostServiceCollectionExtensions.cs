using Microsoft.AspNetCore.Http.Connections;

namespace TenantPortal.Web.Components;

public static class WebHostServiceCollectionExtensions
{
    /// <summary>An API key is at most 8 KB; a browser event carrying one (JSON-escaped) must fit, and little more.</summary>
    public const long MaximumReceiveMessageSize = 64 * 1024;

    /// <summary>Blazor Server with its limits set deliberately rather than left at the defaults.</summary>
    public static IHostApplicationBuilder AddPortalWebHost(this IHostApplicationBuilder builder)
    {
        var development = builder.Environment.IsDevelopment();
        builder.Services.AddRazorComponents()
            .AddInteractiveServerComponents(o =>
            {
                o.DetailedErrors = development;
                o.DisconnectedCircuitMaxRetained = 100;
                o.DisconnectedCircuitRetentionPeriod = TimeSpan.FromMinutes(3);
                o.JSInteropDefaultCallTimeout = TimeSpan.FromSeconds(30);
                o.MaxBufferedUnacknowledgedRenderBatches = 10;
            })
            .AddHubOptions(o =>
            {
                o.MaximumReceiveMessageSize = MaximumReceiveMessageSize;
                o.EnableDetailedErrors = development;
                o.ClientTimeoutInterval = TimeSpan.FromSeconds(60);
                o.HandshakeTimeout = TimeSpan.FromSeconds(15);
            });
        return builder;
    }

    /// <summary>
    /// The circuit's connection: WebSockets only. A circuit's session is re-checked with Entra using the sign-in
    /// cookie of the request that carries it, which only a WebSocket connection keeps for the circuit's whole life
    /// (long polling would re-read it per poll and could not). App Service has WebSockets on (infra). .NET 10 has no
    /// option for it on the Razor components endpoints, so this sets the hub's dispatcher options, which SignalR
    /// keeps as the endpoints' metadata.
    /// </summary>
    public static RazorComponentsEndpointConventionBuilder WithCircuitOverWebSocketsOnly(this RazorComponentsEndpointConventionBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(endpoint =>
        {
            foreach (var options in endpoint.Metadata.OfType<HttpConnectionDispatcherOptions>())
            {
                options.Transports = HttpTransportType.WebSockets;
            }
        });
        return builder;
    }

    /// <summary>
    /// Security headers on every response. The policy is as strict as Blazor Server and MudBlazor allow: scripts only
    /// from this origin (no inline script), inline styles only because MudBlazor sets style attributes, no framing.
    /// </summary>
    public static WebApplication UsePortalSecurityHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy =
                    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
                    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                return Task.CompletedTask;
            });
            return next(context);
        });
        return app;
    }
}
