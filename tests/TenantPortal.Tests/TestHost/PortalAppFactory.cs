using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Testing;
using TenantPortal.Web;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Components;
using TenantPortal.Web.Components.Localization;
using TenantPortal.Web.Features;
using TenantPortal.Web.Features.Notifications;
using TenantPortal.Web.SecretStore;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Telemetry;

namespace TenantPortal.Tests.TestHost;

/// <summary>
/// The whole portal through its HTTP pipeline, on the embedded defaults in a temporary folder, with every log
/// record (down to Trace) collected so tests can look for values that must never appear.
/// </summary>
public partial class PortalAppFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings = new();

    public string DataDirectory { get; } = TempDirectory.Create();

    public string Environment { get; init; } = "Development";

    /// <summary>Service replacements applied after the portal's own registrations.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>Called with the host's services once it is built and before it starts (to subscribe to a start-up service's events).</summary>
    public Action<IServiceProvider>? Built { get; init; }

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    /// <summary>A Production portal configured for the public Entra cloud (multi-tenant), never reaching it: for what needs no sign-in.</summary>
    public static PortalAppFactory ProductionOnPublicEntra() => new PortalAppFactory { Environment = "Production" }
        .WithSetting("AzureAd:Instance", "https://login.microsoftonline.com/")
        .WithSetting("AzureAd:TenantId", "organizations")
        .WithSetting("AzureAd:ClientId", "11111111-2222-3333-4444-555555555555")
        .WithSetting("AzureAd:ClientSecret", "development-only-secret")
        .WithSetting("Authentication:HomeTenantId", "9e7b0a4c-0000-4000-8000-000000000001")
        .WithSetting("Database:MigrateAtStartup", "true");

    public PortalAppFactory WithSetting(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        // The build's static web assets (blazor.web.js, MudBlazor) outside Development too, as a published app has them.
        builder.UseStaticWebAssets();
        builder.UseSetting("Logging:LogLevel:Default", "Trace");
        builder.UseSetting("Logging:LogLevel:Microsoft", "Trace");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Trace");
        foreach (var (key, value) in EffectiveSettings())
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddFakeLogging());
        if (ConfigureServices is not null)
        {
            builder.ConfigureTestServices(ConfigureServices);
        }
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (Built is null)
        {
            // The factory's own start (it also serves Kestrel when UseKestrel was called, as the browser tests do).
            return base.CreateHost(builder);
        }

        var host = builder.Build();
        Built?.Invoke(host.Services);
        host.Start();
        return host;
    }

    /// <summary>
    /// Composes the portal as Program.cs does, with this factory's environment and settings, starts it and returns the
    /// exception start-up fails with. Deterministic where <c>CreateClient</c> is not: when the app fails to start before
    /// WebApplicationFactory's deferred host subscribes to its lifetime, the factory reports an ObjectDisposedException
    /// instead of the app's own error.
    /// </summary>
    public Exception StartupFailure()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = PortalHostDefaults.Args([]),
            EnvironmentName = Environment,
            ContentRootPath = WebProjectDirectory(),
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(EffectiveSettings());
        var failure = Record.Exception(() =>
        {
            builder.AddPortalData();
            builder.AddPortalSecretStore();
            builder.AddPortalAuthentication();
            builder.AddPortalFeatures();
            builder.AddPortalNotifications();
            builder.AddPortalWebHost();
            builder.AddPortalLocalization();
            builder.AddPortalRateLimits();
            builder.AddPortalTelemetry();
            using var app = builder.Build();
            app.StartAsync().GetAwaiter().GetResult();
            app.StopAsync().GetAwaiter().GetResult();
        });
        return failure ?? throw new Xunit.Sdk.XunitException("The portal started although its settings are wrong.");
    }

    /// <summary>
    /// This factory's settings, on its data folder unless a test chose another. Outside Development start-up requires the key ring's certificate, so
    /// such a host gets a test certificate unless the test set <c>DataProtection:CertificatePath</c> itself (null: none).
    /// </summary>
    private Dictionary<string, string?> EffectiveSettings()
    {
        var settings = new Dictionary<string, string?>(_settings);
        settings.TryAdd("AppData:Path", DataDirectory);
        if (!string.Equals(Environment, Environments.Development, StringComparison.OrdinalIgnoreCase)
            && !settings.ContainsKey(KeyRingProtection.CertificatePathKey))
        {
            settings[KeyRingProtection.CertificatePathKey] = KeyRingCertificates.WriteShared(Path.Combine(DataDirectory, "key-ring-certificate.pfx"));
            settings[KeyRingProtection.CertificatePasswordKey] = KeyRingCertificates.Password;
        }

        return settings;
    }

    private static string WebProjectDirectory()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "TenantPortal.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory?.FullName ?? throw new InvalidOperationException("TenantPortal.sln not found above the test output."), "src", "TenantPortal.Web");
    }

    public HttpClient CreateBrowserLikeClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>
    /// Signs in through the development sign-in page's form, antiforgery token included, posting
    /// <paramref name="returnUrl"/> as written; returns where the portal then sends the browser.
    /// </summary>
    public static async Task<Uri> SignInAsync(HttpClient client, string persona, string returnUrl = "/")
    {
        ArgumentNullException.ThrowIfNull(client);
        var page = await client.GetStringAsync("/dev/sign-in");
        var token = AntiforgeryToken().Match(page).Groups[1].Value;
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["persona"] = persona,
            ["returnUrl"] = returnUrl,
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
        });
        using var response = await client.PostAsync("/authentication/dev-sign-in", form);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-in as {persona} answered {(int)response.StatusCode}.");
        }

        return response.Headers.Location!;
    }

    /// <summary>Onboards a portal tenant whose users sign in from <paramref name="entraTenantId"/> (as a platform admin would).</summary>
    public async Task OnboardAsync(string tenantId, string displayName, Guid entraTenantId)
    {
        await using var db = Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        db.Tenants.Add(new Tenant
        {
            Id = tenantId,
            DisplayName = displayName,
            Directories = [new TenantDirectory { EntraTenantId = entraTenantId, TenantId = tenantId }],
        });
        await db.SaveChangesAsync();
    }

    public IEnumerable<string> AllLogText() => Logs.GetSnapshot().SelectMany(r =>
        new[] { r.Message, r.Exception?.ToString() ?? "" }
            .Concat(r.StructuredState?.Select(kv => kv.Value ?? "") ?? []));

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TempDirectory.Delete(DataDirectory);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
