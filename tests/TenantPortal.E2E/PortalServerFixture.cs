using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TenantPortal.Tests.TestHost;

namespace TenantPortal.E2E;

/// <summary>The portal on a real Kestrel port (embedded defaults, temporary folder) and Debian's Chromium driving it.</summary>
public class PortalServerFixture : IAsyncLifetime
{
    public static readonly string ChromiumPath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public PortalAppFactory Portal { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public string BaseUrl { get; private set; } = "";

    protected virtual Task<PortalAppFactory> CreatePortalAsync() => Task.FromResult(new PortalAppFactory());

    /// <summary>Plain HTTP on a free port (the Development portal accepts its cookies there).</summary>
    protected virtual void UseKestrel(PortalAppFactory portal) => portal.UseKestrel(0);

    /// <summary>Whether the browser accepts the test servers' self-signed certificates.</summary>
    protected virtual bool IgnoreHttpsErrors => false;

    public virtual async Task InitializeAsync()
    {
        Portal = await CreatePortalAsync();
        UseKestrel(Portal);
        Portal.StartServer();
        BaseUrl = Portal.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("localhost", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        });
    }

    public virtual async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await Portal.DisposeAsync();
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, IgnoreHTTPSErrors = IgnoreHttpsErrors, ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        return await context.NewPageAsync();
    }

    /// <summary>Prerendered buttons ignore clicks until the circuit is up; the layout marks that moment.</summary>
    public static Task WaitForCircuitAsync(IPage page) =>
        page.Locator("[data-testid=interactive]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }
}

/// <summary>The same portal with SecretStore:Provider=AzureKeyVault, the real SecretClient talking to the protocol fake.</summary>
public sealed class KeyVaultPortalServerFixture : PortalServerFixture
{
    public KeyVaultFake Vault { get; private set; } = null!;

    protected override async Task<PortalAppFactory> CreatePortalAsync()
    {
        Vault = await KeyVaultFake.StartAsync();
        return new PortalAppFactory
        {
            ConfigureServices = services =>
            {
                services.AddSingleton<Azure.Core.TokenCredential>(Vault.Credential);
                services.PostConfigure<TenantPortal.Web.SecretStore.SecretStoreOptions>(o => o.ConfigureClient = Vault.ConfigureClient);
            },
        }
            .WithSetting("SecretStore:Provider", "AzureKeyVault")
            .WithSetting("SecretStore:VaultUri", Vault.VaultUri.ToString());
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Vault.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class PortalServerGroup : ICollectionFixture<PortalServerFixture>
{
    public const string Name = "Portal server";
}
