using Microsoft.Playwright;

namespace TenantPortal.E2E;

/// <summary>
/// The tenant admin's whole journey with the keyboard alone — Tab, Shift+Tab, Enter, Space and typed characters, never
/// a click or a programmatic fill: sign in with a persona, submit a key, rotate it, revoke it. Focus moves into each
/// dialog when it opens and back to the button that opened it when it closes. Its own portal: it revokes a key the
/// other journeys expect to find unset.
/// </summary>
public sealed class KeyboardJourneyTests(PortalServerFixture server) : IClassFixture<PortalServerFixture>
{
    private const int MostTabsToAnything = 40;
    private static readonly LocatorAssertionsToHaveTextOptions Patient = new() { Timeout = 15_000 };

    [Fact]
    public async Task TenantAdmin_SignsInSubmitsRotatesAndRevokes_WithTheKeyboardOnly()
    {
        var first = $"sk_live_E2E_kbd_first_{Guid.NewGuid():N}";
        var second = $"sk_live_E2E_kbd_second_{Guid.NewGuid():N}";
        var page = await server.NewPageAsync();

        // Signing in: Tab to the persona's button and press Enter.
        await SignInWithTheKeyboardAsync(page, "persona-contoso-admin", "/tenants/contoso/api-key");
        await Assertions.Expect(page.Locator("[data-testid=rotation-status]")).ToHaveTextAsync("Not set", Patient);

        // Submitting: the dialog takes focus, the key is typed, Enter on the button stores it, focus comes back.
        var opener = page.Locator("[data-testid=open-submit-dialog]");
        await SubmitWithKeyboardAsync(page, opener, first);
        await Assertions.Expect(page.Locator("[data-testid=masked-hint]")).ToHaveTextAsync("••••" + first[^4..], Patient);
        // The page shows the change by an enhanced refresh of its static part; focus stays on the button.
        await Assertions.Expect(opener).ToBeFocusedAsync();

        // Rotating: the same button, now "Rotate API key".
        await Assertions.Expect(opener).ToContainTextAsync("Rotate API key");
        await SubmitWithKeyboardAsync(page, opener, second);
        await Assertions.Expect(page.Locator("[data-testid=masked-hint]")).ToHaveTextAsync("••••" + second[^4..], Patient);
        await Assertions.Expect(page.Locator("[data-testid=version-history] tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(opener).ToBeFocusedAsync();

        // Revoking: reason typed, the checkbox ticked with Space, Enter on "Revoke now".
        var revoke = page.Locator("[data-testid=open-revoke]");
        await TabToAsync(page, revoke);
        await page.Keyboard.PressAsync("Enter");
        var dialog = page.GetByRole(AriaRole.Dialog);
        await AssertFocusInsideAsync(page, dialog);
        await Accessibility.AssertAccessibleAsync(page, "the revoke dialog");
        await TabToAsync(page, page.Locator("[data-testid=revoke-reason]"));
        await page.Keyboard.TypeAsync("Rotated out in the keyboard journey");
        await TabToAsync(page, page.Locator("[data-testid=revoke-confirm]"));
        await page.Keyboard.PressAsync("Space");
        var revokeNow = page.Locator("[data-testid=revoke-submit]");
        await Assertions.Expect(revokeNow).ToBeEnabledAsync();
        await TabToAsync(page, revokeNow);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(dialog).ToHaveCountAsync(0, new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("[data-testid=rotation-status]")).ToHaveTextAsync("Revoked", Patient);

        // The revoke button is gone with the key: focus goes to the page's heading rather than being lost.
        await Assertions.Expect(revoke).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("main h1")).ToBeFocusedAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task WebhookAddress_ChangedByTheKeyboard_TakesFocus_AndCancellingGivesItBackToChange()
    {
        var page = await server.NewPageAsync();
        await SignInWithTheKeyboardAsync(page, "persona-fabrikam-admin", "/tenants/fabrikam/api-key");
        var change = page.Locator("[data-testid=edit-webhook-url]");
        await TabToAsync(page, change);
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.Locator("input[data-testid=webhook-url]")).ToBeFocusedAsync();
        await TabToAsync(page, page.Locator("[data-testid=cancel-webhook-url]"));
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.Locator("input[data-testid=webhook-url]")).ToHaveCountAsync(0);
        await Assertions.Expect(change).ToBeFocusedAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Dialog_ClosedWithEscape_GivesFocusBackToItsOpener()
    {
        var page = await server.NewPageAsync();
        await SignInWithTheKeyboardAsync(page, "persona-fabrikam-admin", "/tenants/fabrikam/api-key");

        var opener = page.Locator("[data-testid=open-submit-dialog]");
        await TabToAsync(page, opener);
        await page.Keyboard.PressAsync("Enter");
        var dialog = page.GetByRole(AriaRole.Dialog);
        await AssertFocusInsideAsync(page, dialog);
        await Accessibility.AssertAccessibleAsync(page, "the submit dialog");

        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        await Assertions.Expect(opener).ToBeFocusedAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task PlatformAdminsDialogs_TakeFocusWhenTheyOpen_AndGiveItBackWhenClosed()
    {
        var page = await server.NewPageAsync();
        await SignInWithTheKeyboardAsync(page, "persona-platform-admin", "/platform/tenants");

        await OpenAndEscapeAsync(page, page.Locator("[data-testid=open-onboard]"));

        await page.GotoAsync("/tenants/contoso");
        await PortalServerFixture.WaitForCircuitAsync(page);
        await OpenAndEscapeAsync(page, page.Locator("[data-testid=open-edit]"));
        await OpenAndEscapeAsync(page, page.Locator("[data-testid=open-offboard]"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task RestoreConfirmation_TakesFocus_AndGivesItBackWhenAnsweredNo_AndRestoresWhenAnsweredYes()
    {
        var page = await server.NewPageAsync();
        await SignInWithTheKeyboardAsync(page, "persona-fabrikam-admin", "/tenants/fabrikam/api-key");
        var submit = page.Locator("[data-testid=open-submit-dialog]");
        var first = $"sk_live_E2E_kbd_restore1_{Guid.NewGuid():N}";
        await SubmitWithKeyboardAsync(page, submit, first);
        await SubmitWithKeyboardAsync(page, submit, $"sk_live_E2E_kbd_restore2_{Guid.NewGuid():N}");

        var restore = page.Locator("[data-testid=restore-previous]");
        await TabToAsync(page, restore);
        await page.Keyboard.PressAsync("Enter");
        var dialog = page.GetByRole(AriaRole.Dialog);
        await AssertFocusInsideAsync(page, dialog);
        await Accessibility.AssertAccessibleAsync(page, "the restore confirmation");

        // Answer "no" with the keyboard: the button that is not the confirmation.
        var cancel = dialog.Locator(".mud-dialog-actions button").First;
        await TabToAsync(page, cancel);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        await Assertions.Expect(restore).ToBeFocusedAsync();

        // Answer "yes": the first key is current again, nothing is left to restore, and focus goes to the heading
        // rather than being lost with the button.
        await page.Keyboard.PressAsync("Enter");
        await AssertFocusInsideAsync(page, dialog);
        await TabToAsync(page, dialog.Locator(".mud-dialog-actions button").Last);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=masked-hint]")).ToHaveTextAsync("••••" + first[^4..], Patient);
        await Assertions.Expect(restore).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("main h1")).ToBeFocusedAsync();
        await page.Context.CloseAsync();
    }

    private static async Task OpenAndEscapeAsync(IPage page, ILocator opener)
    {
        await TabToAsync(page, opener);
        await page.Keyboard.PressAsync("Enter");
        var dialog = page.GetByRole(AriaRole.Dialog);
        await AssertFocusInsideAsync(page, dialog);
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        await Assertions.Expect(opener).ToBeFocusedAsync();
    }

    private static async Task SubmitWithKeyboardAsync(IPage page, ILocator opener, string value)
    {
        await TabToAsync(page, opener);
        await page.Keyboard.PressAsync("Enter");
        var dialog = page.GetByRole(AriaRole.Dialog);
        await AssertFocusInsideAsync(page, dialog);
        var input = page.Locator("[data-testid=secret-input]");
        await TabToAsync(page, input);
        await page.Keyboard.TypeAsync(value);
        await TabToAsync(page, page.Locator("[data-testid=submit-api-key]"));
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(dialog).ToHaveCountAsync(0, new() { Timeout = 15_000 });
        await Assertions.Expect(opener).ToBeFocusedAsync();
    }

    private static async Task AssertFocusInsideAsync(IPage page, ILocator dialog)
    {
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await Assertions.Expect(dialog.Locator(":focus")).ToHaveCountAsync(1);
    }

    /// <summary>The persona picker by the keyboard: Tab to the persona's button, Enter, and the circuit of the page asked for.</summary>
    private static async Task SignInWithTheKeyboardAsync(IPage page, string persona, string path)
    {
        await page.GotoAsync("/dev/sign-in?returnUrl=" + path);
        await TabToAsync(page, page.Locator($"[data-testid={persona}]"));
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**" + path);
        await PortalServerFixture.WaitForCircuitAsync(page);
    }

    /// <summary>Presses Tab until <paramref name="target"/> has focus, as a keyboard user would; fails if it never does.</summary>
    private static async Task TabToAsync(IPage page, ILocator target)
    {
        await target.WaitForAsync();
        for (var presses = 0; presses < MostTabsToAnything; presses++)
        {
            if (await target.EvaluateAsync<bool>("e => e === document.activeElement"))
            {
                return;
            }

            await page.Keyboard.PressAsync("Tab");
        }

        Assert.Fail($"{MostTabsToAnything} presses of Tab never reached {target}; focus is on " +
            await page.EvaluateAsync<string>("() => document.activeElement?.outerHTML.slice(0, 200) ?? 'nothing'"));
    }
}
