using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Auth.Development;

namespace TenantPortal.Tests.TestHost;

/// <summary>bunit with MudBlazor, the portal's real feature services behind it, and a signed-in persona.</summary>
public abstract class ComponentTestBase : BunitContext, IAsyncLifetime
{
    protected PortalServices Portal { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        // Waits end as soon as the state arrives; the bound only matters on a loaded 2-core machine, where a submit
        // (Data Protection, SQLite commits, the audit chain) can take longer than bunit's default of one second.
        DefaultWaitTimeout = TimeSpan.FromSeconds(15);
        Portal = await PortalServices.StartAsync(ConfigurePortal);
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddFallbackServiceProvider(Portal.Services);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await Portal.DisposeAsync();
    }

    /// <summary>Service replacements for the portal behind the components (e.g. a DNS stand-in).</summary>
    protected virtual void ConfigurePortal(IServiceCollection services)
    {
    }

    protected void SignInAs(DevelopmentPersona persona)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized(persona.DisplayName);
        auth.SetRoles(persona.Role);
        auth.SetClaims(
            new Claim(PortalClaimTypes.TenantId, persona.EntraTenantId.ToString()),
            new Claim(PortalClaimTypes.ObjectId, persona.ObjectId.ToString()),
            new Claim(PortalClaimTypes.Name, persona.DisplayName));
    }

    protected IRenderedComponent<MudDialogProvider> RenderProviders()
    {
        Render<MudPopoverProvider>();
        Render<MudSnackbarProvider>();
        return Render<MudDialogProvider>();
    }
}
