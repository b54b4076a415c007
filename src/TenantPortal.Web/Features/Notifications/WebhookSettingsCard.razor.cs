using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Localization;
using Microsoft.JSInterop;
using MudBlazor;
using TenantPortal.Web.Features.Rotation;

namespace TenantPortal.Web.Features.Notifications;

/// <summary>
/// The tenant admin's webhook settings and the tenant's last deliveries, for the API key page. Renders nothing when
/// the tenant is not visible to the user (the page says "not found"). Every action goes through
/// <see cref="WebhookSettingsService"/>, which authorizes again.
/// </summary>
public sealed partial class WebhookSettingsCard
{
    private WebhookSettingsView? _view;
    private string? _url;
    private string? _newKey;
    private string? _message;
    private Severity _messageSeverity = Severity.Info;
    private bool _busy;
    private bool _editing;
    private bool _focusEdit;

    [Parameter, EditorRequired]
    public string TenantId { get; set; } = "";

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private IStringLocalizer<WebhookSettingsCard> L { get; set; } = default!;

    protected override async Task OnParametersSetAsync()
    {
        _newKey = null;
        _message = null;
        await LoadAsync();
        _url = _view?.Url;
    }

    private async Task LoadAsync() =>
        _view = await Webhooks.GetAsync((await AuthenticationState).User, TenantId, CancellationToken.None);

    private Task SaveUrlAsync() => ChangeUrlAsync(_url);

    private void StartEditing()
    {
        _url = _view?.Url;
        _message = null;
        _editing = true;
    }

    private void CancelEditing()
    {
        _url = _view?.Url;
        StopEditing();
    }

    // Save and Cancel leave with the field: focus goes back to the button that opened it, not to the top of the page.
    private void StopEditing()
    {
        _editing = false;
        _focusEdit = true;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (_focusEdit)
        {
            _focusEdit = false;
            await JS.InvokeVoidAsync("portalFocus", "[data-testid=edit-webhook-url]");
        }
    }

    private Task ClearUrlAsync() => ChangeUrlAsync(null);

    private async Task ChangeUrlAsync(string? url)
    {
        _busy = true;
        try
        {
            var result = await Webhooks.SetUrlAsync((await AuthenticationState).User, TenantId, url, CancellationToken.None);
            Show(result.Outcome, result.Message);
            if (result.Outcome == WebhookChangeOutcome.Saved)
            {
                await LoadAsync();
                _url = _view?.Url;
                StopEditing();
            }
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task GenerateKeyAsync()
    {
        _busy = true;
        try
        {
            var result = await Webhooks.GenerateSigningKeyAsync((await AuthenticationState).User, TenantId, CancellationToken.None);
            _newKey = result.SigningKey;
            Show(result.Outcome, result.Message);
            await LoadAsync();
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task CopyKeyAsync()
    {
        if (_newKey is not null)
        {
            await JS.InvokeVoidAsync("navigator.clipboard.writeText", _newKey);
        }
    }

    private void DismissKey()
    {
        _newKey = null;
        _message = null;
    }

    private void Show(WebhookChangeOutcome outcome, string message)
    {
        _message = message;
        _messageSeverity = outcome switch
        {
            WebhookChangeOutcome.Saved => Severity.Success,
            WebhookChangeOutcome.Invalid => Severity.Warning,
            _ => Severity.Error,
        };
    }

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
