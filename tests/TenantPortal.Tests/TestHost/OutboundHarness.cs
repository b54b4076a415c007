using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Notifications;
using TenantPortal.Web.Infrastructure.Outbound;

namespace TenantPortal.Tests.TestHost;

/// <summary>
/// The outbound services as <c>AddPortalNotifications</c> registers them (no database needed), a fake clock, every
/// log record down to Trace, and the test seam for in-process receivers.
/// </summary>
public sealed class OutboundHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private OutboundHarness(ServiceProvider services, FakeTimeProvider time)
    {
        _services = services;
        Time = time;
    }

    public FakeTimeProvider Time { get; }

    public FakeLogCollector Logs => _services.GetFakeLogCollector();

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    /// <param name="dns">Names the test maps; null for none.</param>
    /// <param name="receivers">Receivers reachable through the test seam; none means the production policy.</param>
    public static OutboundHarness Create(StaticDnsResolver? dns = null, IReadOnlyList<HttpsReceiver>? receivers = null, Action<IServiceCollection>? configure = null)
    {
        var time = new FakeTimeProvider(PortalServices.Start);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        services.AddSingleton<TimeProvider>(time);
        services.AddDataProtection();
        services.AddPortalOutbound();
        services.AddLocalization();
        services.AddSingleton<IApiKeyProbe, ApiKeyProbe>();
        services.AddSingleton<WebhookSigningKeys>();
        services.AddSingleton<WebhookSender>();
        dns ??= new StaticDnsResolver();
        if (receivers is { Count: > 0 })
        {
            OutboundTestSeam.Use(services, dns, [.. receivers]);
        }
        else
        {
            services.AddSingleton<IOutboundDnsResolver>(dns);
        }

        configure?.Invoke(services);
        return new OutboundHarness(services.BuildServiceProvider(validateScopes: true), time);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
