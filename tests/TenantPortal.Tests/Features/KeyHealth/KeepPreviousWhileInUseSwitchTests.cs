using Bunit;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Features.Platform;

namespace TenantPortal.Tests.Features.KeyHealth;

public sealed class KeepPreviousWhileInUseSwitchTests : PortalComponentTestBase
{
    [Fact]
    public async Task PlatformSettingsPage_TurningTheSwitchOnAndSaving_StoresTheSetting()
    {
        SignInAs(DevelopmentPersonas.PlatformAdmin);
        RenderProviders();
        var page = Render<PlatformSettingsPage>();
        page.WaitForAssertion(() => Assert.Contains("within the last 60 minutes", page.Find("[data-testid=settings-keep-previous-help]").TextContent, StringComparison.Ordinal));

        page.Find("input[data-testid=settings-keep-previous]").Change(true);
        await CompletionOf(page.Find("[data-testid=settings-save]").ClickAsync(new()));

        Assert.True((await Portal.Get<PlatformSettingsService>().GetAsync(default)).KeepPreviousWhileInUse);
    }
}
