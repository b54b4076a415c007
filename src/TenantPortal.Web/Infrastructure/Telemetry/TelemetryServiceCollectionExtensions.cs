using System.Diagnostics;
using Azure.Monitor.OpenTelemetry.AspNetCore;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry;
using OpenTelemetry.Instrumentation.AspNetCore;
using OpenTelemetry.Instrumentation.Http;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace TenantPortal.Web.Infrastructure.Telemetry;

public enum TelemetryExport
{
    None,
    AzureMonitor,
    Otlp,
}

/// <summary>
/// OpenTelemetry: traces of requests, EF Core commands, Key Vault calls (the Azure SDK's activity sources) and outbound
/// HTTP; the portal's metrics (<see cref="PortalMetrics"/>) and ASP.NET Core's; logs. Exported to Application Insights
/// (Azure Monitor distro) when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set, else over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is, else not collected at all. Nothing recorded carries a value or a hint: spans
/// hold routes, SQL text with parameters (never their values), vault URLs (secret name and version) and status codes;
/// query strings are redacted; the SDK never records bodies.
/// </summary>
public static class TelemetryServiceCollectionExtensions
{
    public const string AzureMonitorConnectionStringKey = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ServiceName = "TenantPortal";

    /// <summary>The portal's instruments; registered by every part that records to them.</summary>
    public static IServiceCollection AddPortalMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<PortalMetrics>();
        return services;
    }

    public static TelemetryExport ExportFrom(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return !string.IsNullOrWhiteSpace(configuration[AzureMonitorConnectionStringKey]) ? TelemetryExport.AzureMonitor
            : !string.IsNullOrWhiteSpace(configuration[OtlpEndpointKey]) ? TelemetryExport.Otlp
            : TelemetryExport.None;
    }

    public static IHostApplicationBuilder AddPortalTelemetry(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddPortalMetrics();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Scoped<CircuitHandler, OpenCircuitsHandler>());
        var export = ExportFrom(builder.Configuration);
        if (export == TelemetryExport.None)
        {
            return builder;
        }

        // Health probes every few seconds would drown the requests people make.
        builder.Services.Configure<AspNetCoreTraceInstrumentationOptions>(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/health"));
        // The Azure SDK traces its own HTTP calls (Azure.Core.Http): no second span for the same call.
        builder.Services.Configure<HttpClientTraceInstrumentationOptions>(o =>
            o.FilterHttpRequestMessage = _ => Activity.Current?.Source.Name != "Azure.Core.Http");

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName))
            .WithTracing(t => t.AddEntityFrameworkCoreInstrumentation())
            .WithMetrics(m => m.AddMeter(PortalMetrics.MeterName));
        if (export == TelemetryExport.AzureMonitor)
        {
            // The distro adds requests, outbound HTTP, the Azure SDK's sources and logs, and reads the connection string.
            telemetry.UseAzureMonitor();
        }
        else
        {
            AppContext.SetSwitch("Azure.Experimental.EnableActivitySource", true);
            telemetry
                .WithTracing(t => t.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddSource("Azure.*"))
                .WithMetrics(m => m.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation())
                .WithLogging()
                .UseOtlpExporter();
        }

        return builder;
    }
}

/// <summary>Counts this instance's open circuits for <see cref="PortalMetrics"/>.</summary>
internal sealed class OpenCircuitsHandler(PortalMetrics metrics) : CircuitHandler
{
    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        metrics.CircuitOpened();
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        metrics.CircuitClosed();
        return Task.CompletedTask;
    }
}
