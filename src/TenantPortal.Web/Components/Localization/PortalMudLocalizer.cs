using Microsoft.Extensions.Localization;
using MudBlazor;

namespace TenantPortal.Web.Components.Localization;

/// <summary>
/// MudBlazor's own texts (pager, dialog close button, clear buttons, date picker, "Required"…) in the user's language.
/// MudBlazor asks this only outside English, and falls back to its built-in English for a key not found here.
/// <c>PortalMudLocalizer.resx</c> holds MudBlazor's English for every key it has (a test compares it with MudBlazor's
/// own list, so an upgrade that adds keys fails until they are translated) and <c>PortalMudLocalizer.ja.resx</c> the
/// Japanese.
/// </summary>
internal sealed class PortalMudLocalizer(IStringLocalizer<PortalMudLocalizer> texts) : MudLocalizer
{
    public override LocalizedString this[string key] => texts[key];

    public override LocalizedString this[string key, params object[] arguments] => texts[key, arguments];
}
