// The static shell's two controls (docs/architecture.md#shell): the drawer and the theme switch work in the browser,
// so the layout needs no circuit. Blazor's enhanced navigation patches the page with the server's markup, so the state
// is applied again after each one.
(() => {
    const themeCookie = 'portal-theme';
    const systemDark = window.matchMedia('(prefers-color-scheme: dark)');
    const narrow = window.matchMedia('(max-width: 959px)');

    const chosenTheme = () => {
        const entry = document.cookie.split('; ').find(c => c.startsWith(themeCookie + '='));
        const value = entry?.substring(themeCookie.length + 1);
        return value === 'dark' || value === 'light' ? value : null;
    };
    const isDark = () => chosenTheme() === 'dark' || (chosenTheme() === null && systemDark.matches);

    function applyTheme() {
        const chosen = chosenTheme();
        const media = chosen === 'dark' ? 'all' : chosen === 'light' ? 'not all' : '(prefers-color-scheme: dark)';
        document.querySelectorAll('style[data-theme-style=dark]').forEach(style => { style.media = media; });
        const dark = isDark();
        document.querySelectorAll('[data-theme-toggle]').forEach(button => {
            button.setAttribute('aria-pressed', dark ? 'true' : 'false');
            button.title = dark ? button.dataset.titleLight : button.dataset.titleDark;
        });
    }

    // A choice equal to the system's preference is no choice: the theme follows the system again.
    function switchTheme() {
        const dark = !isDark();
        const secure = location.protocol === 'https:' ? '; secure' : '';
        document.cookie = dark === systemDark.matches
            ? `${themeCookie}=; path=/; max-age=0; samesite=lax${secure}`
            : `${themeCookie}=${dark ? 'dark' : 'light'}; path=/; max-age=31536000; samesite=lax${secure}`;
        applyTheme();
    }

    // A browser that refuses storage still gets a drawer that opens and closes (for this page only).
    let unkept = null;
    const keptDrawer = () => {
        try {
            return sessionStorage.getItem('portal-drawer');
        } catch {
            return unkept;
        }
    };
    const keepDrawer = value => {
        unkept = value;
        try {
            sessionStorage.setItem('portal-drawer', value);
        } catch {
            // kept in memory only
        }
    };

    // On a wide screen: open unless closed in this tab. On a narrow one the drawer covers the page: closed unless opened
    // there, and following one of its links, a click on the dimmed page beside it or Escape closes it.
    const drawerOpen = () => narrow.matches ? keptDrawer() === 'open-narrow' : keptDrawer() !== 'closed';

    function applyDrawer() {
        const open = drawerOpen();
        const drawer = document.getElementById('portal-drawer');
        if (drawer === null) {
            return;
        }

        drawer.classList.remove('mud-drawer--initial');
        drawer.classList.toggle('mud-drawer--open', open);
        drawer.classList.toggle('mud-drawer--closed', !open);
        const layout = drawer.closest('.mud-layout');
        layout?.classList.toggle('mud-drawer-open-responsive-md-left', open);
        document.querySelectorAll('[data-drawer-toggle]').forEach(button => button.setAttribute('aria-expanded', open ? 'true' : 'false'));
        document.querySelectorAll('[data-drawer-overlay]').forEach(overlay => { overlay.hidden = !(open && narrow.matches); });
    }

    function applyAll() {
        applyTheme();
        applyDrawer();
    }

    document.addEventListener('click', e => {
        if (!(e.target instanceof Element)) {
            return;
        }

        if (e.target.closest('[data-theme-toggle]')) {
            switchTheme();
        } else if (e.target.closest('[data-drawer-toggle]')) {
            keepDrawer(drawerOpen() ? 'closed' : narrow.matches ? 'open-narrow' : 'open');
            applyDrawer();
        } else if (e.target.closest('[data-drawer-overlay]')) {
            keepDrawer('closed');
            applyDrawer();
        } else if (narrow.matches && e.target.closest('#portal-drawer a[href]')) {
            // Following a link from the drawer on a narrow screen: the next page is not hidden behind it.
            keepDrawer('closed');
        }
    });
    document.addEventListener('keydown', e => {
        if (e.key === 'Escape' && narrow.matches && drawerOpen()) {
            keepDrawer('closed');
            applyDrawer();
        }
    });
    narrow.addEventListener('change', applyDrawer);
    systemDark.addEventListener('change', applyTheme);
    window.Blazor?.addEventListener?.('enhancedload', applyAll);

    // For a component that takes away the focused control and knows where focus belongs instead (JS interop, no eval).
    window.portalFocus = selector => document.querySelector(selector)?.focus();
    applyAll();
})();
