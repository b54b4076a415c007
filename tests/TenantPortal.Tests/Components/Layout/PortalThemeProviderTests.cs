using Bunit;
using MudBlazor;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Components.Layout;

namespace TenantPortal.Tests.Components.Layout;

/// <summary>
/// The portal's theme provider writes exactly what MudBlazor's writes, in both modes, while keeping each mode's CSS
/// once per process instead of once per render.
/// </summary>
public sealed class PortalThemeProviderTests : ComponentTestBase
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Render_InEitherMode_WritesTheMarkupOfMudBlazorsProvider(bool dark)
    {
        var mud = Render<MudThemeProvider>(p => p.Add(t => t.Theme, PortalTheme.Theme).Add(t => t.IsDarkMode, dark));
        var portal = Render<PortalThemeProvider>(p => p.Add(t => t.Theme, PortalTheme.Theme).Add(t => t.IsDarkMode, dark));

        portal.MarkupMatches(mud.Markup);
        Assert.Contains($"--mud-native-html-color-scheme: {(dark ? "dark" : "light")};", portal.Markup, StringComparison.Ordinal);
        Assert.Contains($"--mud-palette-primary: {(dark ? "rgba(159,168,218,1)" : "rgba(57,73,171,1)")};", portal.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SwitchingMode_WritesTheOtherModesCss_AndBackAgain()
    {
        var portal = Render<PortalThemeProvider>(p => p.Add(t => t.Theme, PortalTheme.Theme).Add(t => t.IsDarkMode, false));

        portal.Render(p => p.Add(t => t.IsDarkMode, true));
        Assert.Contains("--mud-native-html-color-scheme: dark;", portal.Markup, StringComparison.Ordinal);
        portal.Render(p => p.Add(t => t.IsDarkMode, false));
        Assert.Contains("--mud-native-html-color-scheme: light;", portal.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_AnotherTheme_IsWrittenByMudBlazorAsItIs()
    {
        var other = new MudTheme { PaletteLight = new PaletteLight { Primary = "#123456" } };

        var portal = Render<PortalThemeProvider>(p => p.Add(t => t.Theme, other));

        Assert.Contains("--mud-palette-primary: rgba(18,52,86,1);", portal.Markup, StringComparison.Ordinal);
    }
}
