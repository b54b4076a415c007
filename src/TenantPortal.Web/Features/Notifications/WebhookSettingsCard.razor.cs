using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Localization;
using MudBlazor;
using TenantPortal.Web.Features.Rotation;

namespace TenantPortal.Web.Features.Notifications;

/// <summary>
/// The tenant admin's webhook settings and the tenant's last deliveries, for the API key page, as static HTML with the
/// admin's controls as an interactive island (<see cref="WebhookControls"/>). Renders nothing when the tenant is not
/// visible to the user (the page says "not found").
/// </summary>
public sealed partial class WebhookSettingsCard
{
    private WebhookSettingsView? _view;

    [Parameter, EditorRequired]
    public string TenantId { get; set; } = "";

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private IStringLocalizer<WebhookSettingsCard> L { get; set; } = default!;

    // A static part of the page: read once, when the server renders the page (the controls are an island of their own).
    protected override async Task OnParametersSetAsync() =>
        _view = await Webhooks.GetAsync((await AuthenticationState).User, TenantId, CancellationToken.None);

    private string NoticeText(DeliveryLogEntry entry) => entry.Kind switch
    {
        RotationNoticeKind.Reminder => L[entry.LeadDays == 1 ? "ReminderOneDay" : "ReminderDays", entry.LeadDays],
        var kind => L[$"Notice{kind}"],
    };

    private string LastResult(DeliveryLogEntry entry) => entry.Status switch
    {
        NotificationDeliveryStatus.Delivered when entry.LastStatusCode is { } code => L["DeliveredWithCode", (object?)entry.DeliveredAt?.UtcDateTime ?? "", code],
        NotificationDeliveryStatus.Delivered => L["Delivered", (object?)entry.DeliveredAt?.UtcDateTime ?? ""],
        NotificationDeliveryStatus.Pending when entry.Attempts == 0 => L["Waiting"],
        NotificationDeliveryStatus.Pending => L["NextTry", entry.LastErrorText ?? L["InProgress"], (object?)entry.NextAttemptAt?.UtcDateTime ?? ""],
        _ => entry.LastErrorText ?? L["Failed"],
    };

    /// <summary>A localized sentence whose {0}, {1}… are shown as code, in the order the language puts them.</summary>
    private static RenderFragment WithCode(string format, params string[] codes) => builder =>
    {
        foreach (var part in Placeholder().Split(format).Select((text, index) => (text, index)))
        {
            // Split with a capture group alternates text and placeholder indexes.
            if (part.index % 2 == 0)
            {
                builder.AddContent(0, part.text);
            }
            else
            {
                builder.OpenElement(1, "code");
                builder.AddContent(2, codes[int.Parse(part.text, System.Globalization.CultureInfo.InvariantCulture)]);
                builder.CloseElement();
            }
        }
    };

    [System.Text.RegularExpressions.GeneratedRegex(@"\{(\d+)\}")]
    private static partial System.Text.RegularExpressions.Regex Placeholder();

    private static Color StatusColor(NotificationDeliveryStatus status) => status switch
    {
        NotificationDeliveryStatus.Delivered => Color.Success,
        NotificationDeliveryStatus.Failed => Color.Error,
        _ => Color.Default,
    };
}
