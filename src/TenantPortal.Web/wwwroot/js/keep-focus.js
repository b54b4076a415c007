// Focus is never dropped on the floor. When the focused element leaves the page (revoking a key removes the Revoke
// button that opened the dialog; MudBlazor hands focus back to it just before it goes), the browser moves focus to
// <body> and a keyboard or screen-reader user starts again from the top. Give it to the page's heading instead, the
// same place Blazor's FocusOnNavigate puts it after a navigation. While a dialog is open its focus trap owns focus.
(() => {
    let lastFocused = null;
    document.addEventListener('focusin', e => { lastFocused = e.target; });
    new MutationObserver(() => {
        if (lastFocused === null || lastFocused.isConnected) {
            return;
        }

        lastFocused = null;
        const dropped = document.activeElement === null || document.activeElement === document.body;
        const heading = document.querySelector('main h1');
        if (!dropped || heading === null || document.querySelector('.mud-dialog-container') !== null) {
            return;
        }

        if (!heading.hasAttribute('tabindex')) {
            heading.setAttribute('tabindex', '-1');
        }

        heading.focus();
    }).observe(document.body, { childList: true, subtree: true });
})();
