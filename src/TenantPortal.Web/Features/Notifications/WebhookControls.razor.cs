using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using MudBlazor;

namespace TenantPortal.Web.Features.Notifications;

/// <summary>
/// The tenant admin's webhook controls, the webhook card's interactive island (the card around it is static HTML the
/// server renders: docs/architecture.md#the-shell). <see cref="Url"/> and <see cref="HasSigningKey"/> are what the card
/// read for the page; after a change the island reads them again. Every action goes through
/// <see cref="WebhookSettingsService"/>, which authorizes again: the parameters only decide what to show.
/// </summary>
public sealed partial class WebhookControls
{
    private string? _savedUrl;
    private bool _hasSigningKey;
    private string? _url;
    private string? _newKey;
    private string? _message;
    private Severity _messageSeverity = Severity.Info;
    private bool _busy;
    private bool _editing;
    private bool _focusEdit;

    [Parameter, EditorRequired]
    public string TenantId { get; set; } = "";

    /// <summary>The address deliveries go to, as the card read it (null: none set).</summary>
    [Parameter]
    public string? Url { get; set; }

    [Parameter]
    public bool HasSigningKey { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    // The card gives what it read: on the first render, and again when the page is rendered afresh with other values.
    protected override void OnParametersSet()
    {
        _savedUrl = Url;
        _hasSigningKey = HasSigningKey;
        if (!_editing)
        {
            _url = Url;
        }
    }

    private Task SaveUrlAsync() => ChangeUrlAsync(_url);

    private void StartEditing()
    {
        _url = _savedUrl;
        _message = null;
        _editing = true;
    }

    private void CancelEditing()
    {
        _url = _savedUrl;
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
                await ReadAgainAsync();
                _url = _savedUrl;
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
            await ReadAgainAsync();
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task ReadAgainAsync()
    {
        if (await Webhooks.GetAsync((await AuthenticationState).User, TenantId, CancellationToken.None) is { } view)
        {
            _savedUrl = view.Url;
            _hasSigningKey = view.HasSigningKey;
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
}
