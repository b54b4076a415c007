using System.Net;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using MudBlazor;

namespace TenantPortal.Web.Components.Layout;

/// <summary>
/// MudBlazor's theme provider with the theme's CSS written once per process. The provider writes its CSS afresh on
/// every render: about 23 KB of string, held twice by every open circuit (its current and its previous render tree).
/// The portal has one theme (<see cref="PortalTheme.Theme"/>), so each mode's CSS is the same for everyone and is kept
/// once. The markup is the provider's own; another theme falls back to it unchanged (docs/benchmarks.md#circuits).
/// </summary>
public sealed class PortalThemeProvider : MudThemeProvider
{
    private const string ChartStyle = """
        <style>
            .mud-chart-serie:hover {
                filter: url(#lighten);
            }

            .mud-chart-serie-hovered 
            {
                filter: url(#lighten);
            }
        </style>
        """;

    /// <summary>
    /// Set on the dark provider of a pair (PortalThemeStyles): its CSS only, in a style element that applies under this
    /// media query (<c>all</c>, <c>not all</c> or the system's preference) and that js/shell.js switches.
    /// </summary>
    [Parameter]
    public string? DarkMedia { get; set; }

    private const string ThemeStyleTag = "<style class='mud-theme-provider'>";

    private static readonly Lazy<string> Scrollbar = new(BuildMudBlazorScrollbar);
    private static string? _lightCss;
    private static string? _darkCss;

    protected override void BuildRenderTree(RenderTreeBuilder __builder)
    {
        if (!ReferenceEquals(Theme, PortalTheme.Theme))
        {
            base.BuildRenderTree(__builder);
            return;
        }

        if (DarkMedia is not null)
        {
#pragma warning disable MUD0010
            var css = CssFor(IsDarkMode);
#pragma warning restore MUD0010
            __builder.AddMarkupContent(0, css.Replace(ThemeStyleTag, $"<style class='mud-theme-provider' data-theme-style=\"dark\" media=\"{WebUtility.HtmlEncode(DarkMedia)}\">", StringComparison.Ordinal));
            return;
        }

        if (!DefaultScrollbar)
        {
            __builder.AddMarkupContent(0, Scrollbar.Value);
        }

        __builder.AddMarkupContent(1, ChartStyle);
        // The layout owns the mode (two-way bound) and the provider does not change it itself (it does not observe the
        // system's theme here), so the parameter is the provider's state; a mismatch is only ever written, never kept.
#pragma warning disable MUD0010
        __builder.AddMarkupContent(2, CssFor(IsDarkMode));
#pragma warning restore MUD0010
    }

    /// <summary>The kept CSS of a mode; the first render in that mode writes it (kept only if the provider was in it).</summary>
    private string CssFor(bool dark)
    {
        if ((dark ? _darkCss : _lightCss) is { } kept)
        {
            return kept;
        }

        var css = BuildTheme();
        if (css.Contains("--mud-native-html-color-scheme: dark;", StringComparison.Ordinal) == dark)
        {
            if (dark)
            {
                _darkCss = css;
            }
            else
            {
                _lightCss = css;
            }
        }

        return css;
    }
}
