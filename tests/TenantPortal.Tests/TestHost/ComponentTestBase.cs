using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Components.Localization;

namespace TenantPortal.Tests.TestHost;

/// <summary>
/// bunit with MudBlazor and a signed-in persona, and nothing behind it: for components that take their data as
/// parameters. Pages that call a feature service derive from <see cref="PortalComponentTestBase"/>.
/// </summary>
public abstract class ComponentTestBase : BunitContext, IAsyncLifetime
{
    protected ComponentTestBase()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddPortalLocalization();
    }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await DisposeBehindAsync();
    }

    /// <summary>Disposes what a derived base put behind the components, once bunit has let go of them.</summary>
    protected virtual ValueTask DisposeBehindAsync() => ValueTask.CompletedTask;

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

    /// <summary>The address the component under test is at, to compare with where it goes after a change.</summary>
    protected string CurrentUri => Services.GetRequiredService<BunitNavigationManager>().Uri;

    /// <summary>
    /// A static page's island changed something and asked for the page again (<c>NavigationManager.Refresh</c>, an
    /// enhanced refresh in the browser): asserts it asked once, for the address it was at before the change and in place
    /// of it (no new history entry), then renders the page again as the server would.
    /// </summary>
    protected void ServerRendersAgainAfterRefresh<TPage>(IRenderedComponent<TPage> page, string uriBeforeChange)
        where TPage : IComponent
    {
        ArgumentNullException.ThrowIfNull(page);
        var refresh = Assert.Single(Services.GetRequiredService<BunitNavigationManager>().History);
        Assert.Equal(uriBeforeChange, refresh.Uri);
        Assert.True(refresh.Options.ReplaceHistoryEntry);
        page.Render();
    }

    protected IRenderedComponent<MudDialogProvider> RenderProviders()
    {
        Render<MudPopoverProvider>();
        Render<MudSnackbarProvider>();
        return Render<MudDialogProvider>();
    }
}
