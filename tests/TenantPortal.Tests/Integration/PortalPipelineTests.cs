using Microsoft.Extensions.Configuration;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;

namespace TenantPortal.Tests.Integration;

public sealed class PortalPipelineTests : IDisposable
{
    private readonly PortalAppFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_OnEmbeddedDefaults_IsHealthy(string path)
    {
        using var client = _factory.CreateClient();

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Ready_WhenTheSecretStoreFolderIsGone_IsUnhealthy()
    {
        using var client = _factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        Directory.Delete(Path.Combine(_factory.DataDirectory, "secrets"), recursive: true);
        File.WriteAllText(Path.Combine(_factory.DataDirectory, "secrets"), "not a folder");

        var response = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task ApiKeyPage_Anonymous_RedirectsToSignIn()
    {
        using var client = _factory.CreateBrowserLikeClient();

        var response = await client.GetAsync("/tenants/contoso/api-key");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/dev/sign-in", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_AsTenantAdmin_ShowsOwnTenantAndNotAnother()
    {
        using var client = _factory.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, "contoso-admin");

        // The texts come from resources, which the prerenderer HTML-encodes (the middle dot as &#xB7;): read them decoded.
        var own = WebUtility.HtmlDecode(await client.GetStringAsync("/tenants/contoso/api-key"));
        var other = await client.GetStringAsync("/tenants/fabrikam/api-key");

        Assert.Contains("API key · Contoso Ltd", own, StringComparison.Ordinal);
        Assert.Contains("No API key has been stored for this tenant yet.", own, StringComparison.Ordinal);
        Assert.Contains("tenant-not-found", other, StringComparison.Ordinal);
        Assert.DoesNotContain("Fabrikam Inc", other, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_WithoutAntiforgeryToken_IsRefused()
    {
        using var client = _factory.CreateBrowserLikeClient();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["persona"] = "support" });

        var response = await client.PostAsync("/authentication/dev-sign-in", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(response.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith("TenantPortal.Auth", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RotationStatusPage_TenantAdmin_IsDenied_SupportReader_SeesIt()
    {
        using var admin = _factory.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(admin, "contoso-admin");
        using var support = _factory.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(support, "support");

        var denied = await admin.GetAsync("/support/rotation-status");
        var allowed = await support.GetAsync("/support/rotation-status");

        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.Equal("/authentication/access-denied?ReturnUrl=%2Fsupport%2Frotation-status", denied.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Contains("Rotation status", await allowed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Navigation_ShowsOnlyWhatTheRoleMayUse()
    {
        using var admin = _factory.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(admin, "contoso-admin");
        using var support = _factory.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(support, "support");

        var adminHome = await admin.GetStringAsync("/");
        var supportHome = await support.GetStringAsync("/");

        Assert.Contains("href=\"/tenants/contoso/api-key\"", adminHome, StringComparison.Ordinal);
        Assert.DoesNotContain("/support/rotation-status", adminHome, StringComparison.Ordinal);
        Assert.Contains("/support/rotation-status", supportHome, StringComparison.Ordinal);
        Assert.DoesNotContain("/api-key", supportHome, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignOut_EndsTheSession()
    {
        using var client = _factory.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, "contoso-admin");
        var page = await client.GetStringAsync("/");
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token) });

        var signOut = await client.PostAsync("/authentication/sign-out", form);
        var after = await client.GetAsync("/tenants/contoso/api-key");

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }
}

public class StartupGuardTests
{
    [Fact]
    public void DevelopmentSignIn_SwitchedOnOutsideDevelopment_FailsStartupWithAClearMessage()
    {
        using var factory = new PortalAppFactory { Environment = "Production" }
            .WithSetting("Authentication:DevelopmentSignIn:Enabled", "true");

        var ex = factory.StartupFailure();

        Assert.Contains("allowed only in Development", Flatten(ex), StringComparison.Ordinal);
    }

    [Fact]
    public void NoSignInConfiguredOutsideDevelopment_FailsStartupNamingTheSetting()
    {
        using var factory = new PortalAppFactory { Environment = "Production" };

        var ex = factory.StartupFailure();

        Assert.Contains("AzureAd", Flatten(ex), StringComparison.Ordinal);
    }

    [Fact]
    public void SqlServerWithoutConnectionString_FailsStartupNamingTheSetting()
    {
        using var factory = new PortalAppFactory().WithSetting("Database:Provider", "SqlServer");

        var ex = factory.StartupFailure();

        Assert.Contains("ConnectionStrings:TenantPortal", Flatten(ex), StringComparison.Ordinal);
    }

    private static string Flatten(Exception ex) => ex.ToString();
}

public sealed class SecurityHeaderTests : IDisposable
{
    private readonly PortalAppFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Theory]
    [InlineData("/")]
    [InlineData("/dev/sign-in")]
    [InlineData("/health/ready")]
    [InlineData("/no-such-page")]
    public async Task EveryResponse_CarriesTheSecurityHeaders(string path)
    {
        using var client = _factory.CreateClient();

        var response = await client.GetAsync(path);

        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Contains("camera=()", Assert.Single(response.Headers.GetValues("Permissions-Policy")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_HaveNoInlineScript()
    {
        using var client = _factory.CreateClient();

        var html = await client.GetStringAsync("/dev/sign-in");

        Assert.DoesNotMatch("<script(?![^>]*\\bsrc=)[^>]*>", html);
    }

    [Fact]
    public void CircuitLimits_AreSetDeliberately()
    {
        var circuit = _factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Components.Server.CircuitOptions>>().Value;

        Assert.Equal(100, circuit.DisconnectedCircuitMaxRetained);
        Assert.Equal(TimeSpan.FromMinutes(3), circuit.DisconnectedCircuitRetentionPeriod);
        Assert.True(circuit.DetailedErrors); // Development host; off elsewhere.
    }

    [Fact]
    public void Settings_AreReadAtStart_NotWatched()
    {
        // A watcher on the content root would wake on every write to the embedded database below it.
        var configuration = (IConfigurationRoot)_factory.Services.GetRequiredService<IConfiguration>();

        var files = configuration.Providers.OfType<FileConfigurationProvider>().ToList();

        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.False(f.Source.ReloadOnChange, f.Source.Path));
    }

    [Fact]
    public async Task CircuitConnection_IsOfferedOverWebSocketsOnly()
    {
        using var client = _factory.CreateClient();

        using var response = await client.PostAsync("/_blazor/negotiate?negotiateVersion=1", content: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var transports = json.RootElement.GetProperty("availableTransports").EnumerateArray()
            .Select(t => t.GetProperty("transport").GetString()).ToList();
        Assert.Equal(["WebSockets"], transports);
    }

    [Fact]
    public async Task Production_HasNoDetailedErrorsAndSendsHsts()
    {
        using var factory = PortalAppFactory.ProductionOnPublicEntra();
        using var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://portal.example.com") });

        var response = await client.GetAsync("/health/live");
        var circuit = factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Components.Server.CircuitOptions>>().Value;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(circuit.DetailedErrors);
        Assert.Contains("max-age=", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);
    }
}
