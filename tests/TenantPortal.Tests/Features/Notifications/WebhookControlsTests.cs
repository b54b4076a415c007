using Bunit;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Features.Notifications;
using TenantPortal.Web.Infrastructure.Outbound;

namespace TenantPortal.Tests.Features.Notifications;

/// <summary>
/// The webhook card's controls, an interactive island of the static key page: given what the card read, and given it
/// again when the page is rendered afresh (an enhanced refresh after a key change).
/// </summary>
public sealed class WebhookControlsTests : PortalComponentTestBase
{
    private const string NoSuchTenant = "There is no such tenant that you can manage.";

    protected override void ConfigurePortal(IServiceCollection services) =>
        services.AddSingleton<IOutboundDnsResolver>(new StaticDnsResolver().Map("hooks.contoso.com", "20.50.60.70"));

    [Fact]
    public void NewParameters_ShowTheAddressAndKeyState_WithoutLosingWhatTheAdminIsTyping()
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        var controls = Render<WebhookControls>(p => p.Add(x => x.TenantId, "contoso"));
        Assert.Equal("Webhook URL: none", controls.Find("[data-testid=webhook-url-current]").TextContent.Trim());
        Assert.Contains("not set", controls.Find("[data-testid=signing-key-status]").TextContent, StringComparison.Ordinal);

        controls.Render(p => p.Add(x => x.Url, "https://hooks.contoso.com/a").Add(x => x.HasSigningKey, true));
        Assert.Equal("Webhook URL: https://hooks.contoso.com/a", controls.Find("[data-testid=webhook-url-current]").TextContent.Trim());
        Assert.Contains("set (it cannot be shown again)", controls.Find("[data-testid=signing-key-status]").TextContent, StringComparison.Ordinal);

        // Editing when the page is rendered again: the field keeps what is being typed; cancelling shows the new address.
        controls.Find("[data-testid=edit-webhook-url]").Click();
        controls.Find("input[data-testid=webhook-url]").Change("https://hooks.contoso.com/typed");
        controls.Render(p => p.Add(x => x.Url, "https://hooks.contoso.com/b"));
        Assert.Equal("https://hooks.contoso.com/typed", controls.Find("input[data-testid=webhook-url]").GetAttribute("value"));
        controls.Find("[data-testid=cancel-webhook-url]").Click();
        Assert.Equal("Webhook URL: https://hooks.contoso.com/b", controls.Find("[data-testid=webhook-url-current]").TextContent.Trim());
    }

    [Fact]
    public async Task GeneratedSigningKey_StaysShown_WhenThePageIsRenderedAgain()
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        var controls = Render<WebhookControls>(p => p.Add(x => x.TenantId, "contoso"));

        await CompletionOf(controls.Find("[data-testid=generate-signing-key]").ClickAsync(new()));
        controls.WaitForAssertion(() => Assert.StartsWith("whsec_", controls.Find("input[data-testid=new-signing-key]").GetAttribute("value"), StringComparison.Ordinal));
        var key = controls.Find("input[data-testid=new-signing-key]").GetAttribute("value");

        // The key page refreshed (a key rotated meanwhile): the card now reads a signing key as set.
        controls.Render(p => p.Add(x => x.HasSigningKey, true));
        Assert.Equal(key, controls.Find("input[data-testid=new-signing-key]").GetAttribute("value"));
        Assert.Contains("Rotate signing key", controls.Find("[data-testid=generate-signing-key]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveUrl_ByAnotherTenantsAdmin_GivenTheControls_IsRefused_AndSavesNothing()
    {
        SignInAs(DevelopmentPersonas.FabrikamAdmin);
        var controls = Render<WebhookControls>(p => p.Add(x => x.TenantId, "contoso"));

        controls.Find("[data-testid=edit-webhook-url]").Click();
        controls.Find("input[data-testid=webhook-url]").Change("https://hooks.contoso.com/hijack");
        await CompletionOf(controls.Find("[data-testid=save-webhook-url]").ClickAsync(new()));

        controls.WaitForAssertion(() => Assert.Equal(NoSuchTenant, controls.Find("[data-testid=webhook-message]").TextContent.Trim()));
        // Refused: still editing what was typed, and nothing saved.
        Assert.Equal("https://hooks.contoso.com/hijack", controls.Find("input[data-testid=webhook-url]").GetAttribute("value"));
        await using var db = Portal.CreateDbContext();
        Assert.Null((await db.Tenants.FindAsync("contoso"))!.WebhookUrl);
    }
}
