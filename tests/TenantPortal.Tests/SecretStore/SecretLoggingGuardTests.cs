using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.SecretStore;

public class SecretLoggingGuardTests
{
    [Theory]
    [InlineData("Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher")]
    [InlineData("Microsoft.AspNetCore.Components.Server.Circuits.RemoteRenderer")]
    [InlineData("Microsoft.AspNetCore.Http.Connections.Internal.HttpConnectionDispatcher")]
    public void PayloadCategories_StayAtInformationEvenWhenConfigurationAsksForTrace(string category)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore.SignalR"] = "Trace",
            ["Logging:Console:LogLevel:Microsoft.AspNetCore.Components.Server"] = "Trace",
        });
        builder.Logging.AddSecretLoggingGuard();
        using var host = builder.Build();

        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(category);

        Assert.False(logger.IsEnabled(LogLevel.Debug));
        Assert.True(logger.IsEnabled(LogLevel.Information));
        Assert.True(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("TenantPortal.Web.Anything").IsEnabled(LogLevel.Trace));
    }
}
