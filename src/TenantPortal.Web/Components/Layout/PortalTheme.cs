using MudBlazor;

namespace TenantPortal.Web.Components.Layout;

/// <summary>
/// The portal's colours, chosen for WCAG 2.1 AA contrast (4.5:1 for text) in both themes: every colour that MudBlazor
/// uses as text (links, outlined and text buttons, chips, helper and error texts) against the page, the surface and the
/// drawer, and the contrast text against every colour used as a fill. MudBlazor's defaults miss it (success, warning,
/// error and the secondary pink on white; the primary, labels and helper texts in dark). Alerts in the Text and
/// Outlined variants write their text in the *Darken colour on a faint tint of the base colour, so the dark theme sets
/// those to lighter shades rather than darker ones. The E2E journeys check every page with axe in both themes.
/// </summary>
internal static class PortalTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#3949ab",
            Secondary = "#c2185b",
            Tertiary = "#00796b",
            Info = "#0277bd",
            Success = "#2e7d32",
            Warning = "#a15c00",
            Error = "#d32f2f",
            AppbarBackground = "#283593",
            TextSecondary = "rgba(0,0,0,0.62)",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#9fa8da",
            PrimaryContrastText = "rgba(0,0,0,0.87)",
            PrimaryDarken = "#c5cae9",
            Secondary = "#f48fb1",
            SecondaryContrastText = "rgba(0,0,0,0.87)",
            SecondaryDarken = "#f8bbd0",
            Tertiary = "#80cbc4",
            TertiaryContrastText = "rgba(0,0,0,0.87)",
            TertiaryDarken = "#b2dfdb",
            Info = "#64b5f6",
            InfoContrastText = "rgba(0,0,0,0.87)",
            InfoDarken = "#90caf9",
            Success = "#66bb6a",
            SuccessContrastText = "rgba(0,0,0,0.87)",
            SuccessDarken = "#a5d6a7",
            Warning = "#ffb74d",
            WarningContrastText = "rgba(0,0,0,0.87)",
            WarningDarken = "#ffcc80",
            Error = "#ff8a80",
            ErrorContrastText = "rgba(0,0,0,0.87)",
            ErrorDarken = "#ffb4ab",
            TextPrimary = "rgba(255,255,255,0.87)",
            TextSecondary = "rgba(255,255,255,0.70)",
            DrawerText = "rgba(255,255,255,0.87)",
            DrawerIcon = "rgba(255,255,255,0.70)",
            AppbarText = "rgba(255,255,255,0.87)",
        },
    };
}
