using System.Security.Claims;
using Bunit;
using MudBlazor;
using MudBlazor.Services;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Auth.Development;

namespace TenantPortal.Tests.Infrastructure;

/// <summary>bunit with MudBlazor, the portal's real feature services behind it, and a signed-in persona.</summary>
public abstract class ComponentTestBase : BunitContext, IAsyncLifetime
{
    protected PortalServices Portal { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        // bunit's 1-second default is too short when a full run keeps both cores busy; a passing wait returns at once.
        DefaultWaitTimeout = TimeSpan.FromSeconds(15);
        Portal = await PortalServices.StartAsync();
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddFallbackServiceProvider(Portal.Services);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await Portal.DisposeAsync();
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
