using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace TenantPortal.Web.Infrastructure.Outbound;

internal static class OutboundServiceCollectionExtensions
{
    /// <summary>The SSRF-safe client for tenant-supplied URLs. Called by <c>AddPortalNotifications</c>.</summary>
    public static IServiceCollection AddPortalOutbound(this IServiceCollection services)
    {
        services.AddOptions<OutboundOptions>().BindConfiguration(OutboundOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(OutboundAddressPolicy.Default);
        services.TryAddSingleton<IOutboundDnsResolver, SystemDnsResolver>();
        services.TryAddSingleton<OutboundConnector>();
        services.TryAddSingleton<OutboundHttpClient>();
        services.AddHttpClient(OutboundHttpClient.ClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                ConnectCallback = sp.GetRequiredService<OutboundConnector>().ConnectAsync,
                ConnectTimeout = sp.GetRequiredService<IOptions<OutboundOptions>>().Value.ConnectTimeout,
                AllowAutoRedirect = false,
                UseProxy = false,
                UseCookies = false,
                AutomaticDecompression = System.Net.DecompressionMethods.None,
                MaxConnectionsPerServer = 4,
                MaxResponseHeadersLength = 32,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            })
            .ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan) // bounded by OutboundOptions.RequestTimeout on the portal's clock
            .RemoveAllLoggers(); // the factory's loggers would write URLs (webhook paths can hold tokens) and, at Trace, headers
        return services;
    }
}
