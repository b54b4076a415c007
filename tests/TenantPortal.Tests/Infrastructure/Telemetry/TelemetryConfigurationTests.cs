using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using OpenTelemetry.Trace;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Infrastructure.Telemetry;

namespace TenantPortal.Tests.Infrastructure.Telemetry;

public sealed class TelemetryConfigurationTests
{
    [Theory]
    [InlineData("InstrumentationKey=00000000-0000-0000-0000-000000000000", null, TelemetryExport.AzureMonitor)]
    [InlineData("InstrumentationKey=00000000-0000-0000-0000-000000000000", "http://collector:4317", TelemetryExport.AzureMonitor)]
    [InlineData(null, "http://collector:4317", TelemetryExport.Otlp)]
    [InlineData(" ", "", TelemetryExport.None)]
    [InlineData(null, null, TelemetryExport.None)]
    public void ExportFrom_ApplicationInsightsFirst_ThenOtlp_ElseNothing(string? connectionString, string? otlp, TelemetryExport expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [TelemetryServiceCollectionExtensions.AzureMonitorConnectionStringKey] = connectionString,
            [TelemetryServiceCollectionExtensions.OtlpEndpointKey] = otlp,
        }).Build();

        Assert.Equal(expected, TelemetryServiceCollectionExtensions.ExportFrom(configuration));
    }

    [Fact]
    public void NothingConfigured_CollectsNothing()
    {
        using var factory = new PortalAppFactory();
        factory.StartServer();

        Assert.Null(factory.Services.GetService<TracerProvider>());
    }

    [Fact]
    public void ApplicationInsightsConfigured_StartsWithTheAzureMonitorDistro()
    {
        using var factory = new PortalAppFactory()
            .WithSetting(TelemetryServiceCollectionExtensions.AzureMonitorConnectionStringKey,
                "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:9/")
            .WithSetting("APPLICATIONINSIGHTS_STATSBEAT_DISABLED", "true");
        factory.StartServer();

        Assert.NotNull(factory.Services.GetService<TracerProvider>());
        using var circuit = factory.Services.CreateScope();
        Assert.Contains(circuit.ServiceProvider.GetServices<CircuitHandler>(), h => h is OpenCircuitsHandler);
    }

    [Fact]
    public async Task OpenCircuits_CountsUpOnOpenAndDownOnClose()
    {
        using var services = new ServiceCollection().AddPortalMetrics().BuildServiceProvider();
        using var collector = new MetricCollector<long>(services.GetRequiredService<IMeterFactory>(), PortalMetrics.MeterName, "tenantportal.circuits.open");
        var circuits = new OpenCircuitsHandler(services.GetRequiredService<PortalMetrics>());

        await circuits.OnCircuitOpenedAsync(null!, default);
        await circuits.OnCircuitOpenedAsync(null!, default);
        await circuits.OnCircuitClosedAsync(null!, default);

        Assert.Equal([1L, 1L, -1L], collector.GetMeasurementSnapshot().Select(m => m.Value));
    }
}
