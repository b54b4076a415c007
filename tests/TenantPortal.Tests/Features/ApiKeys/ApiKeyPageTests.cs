using Bunit;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.ApiKeys;

public sealed class ApiKeyPageTests : PortalComponentTestBase
{
    private const string Key = "sk_live_component_test_a9F2";

    [Fact]
    public void Render_NoKeyYet_SaysSoAndOffersToSubmit()
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);

        var page = Render<ApiKeyPage>(p => p.Add(x => x.TenantId, "contoso"));

        page.WaitForAssertion(() => Assert.Contains("No API key has been stored for this tenant yet.", page.Markup, StringComparison.Ordinal));
        Assert.Equal("Not set", page.Find("[data-testid=rotation-status]").TextContent.Trim());
        Assert.Contains("Submit API key", page.Find("[data-testid=open-submit-dialog]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_WithAKey_ShowsHintVersionAndWhoSetIt()
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        var stored = await Portal.Get<ApiKeyService>().SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Key), default);

        var page = Render<ApiKeyPage>(p => p.Add(x => x.TenantId, "contoso"));

        page.WaitForAssertion(() => Assert.Equal("••••a9F2", page.Find("[data-testid=masked-hint]").TextContent));
        Assert.Equal(stored.Version!.ShortVersion, page.Find("[data-testid=current-version]").TextContent);
        Assert.Equal("Active", page.Find("[data-testid=rotation-status]").TextContent.Trim());
        Assert.Contains("set by Adele Vance", page.Markup, StringComparison.Ordinal);
        Assert.Contains("Rotate API key", page.Find("[data-testid=open-submit-dialog]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_RevokedVersionEnabledAgainInTheStore_ShowsTheDrift()
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        var keys = Portal.Get<ApiKeyService>();
        var stored = await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Key), default);
        await keys.RevokeAsync(TestPersonas.ContosoAdmin, "contoso", "Leaked", confirmed: true, default);
        await Portal.Get<ISecretStore>().UpdateVersionAsync(SecretName.ForTenant("contoso"), stored.Version!.Version, new SecretVersionUpdate(Enabled: true), default);
        await Portal.Get<ApiKeyReconciler>().ReconcileTenantAsync("contoso", default);

        var page = Render<ApiKeyPage>(p => p.Add(x => x.TenantId, "contoso"));

        page.WaitForAssertion(() => Assert.Equal("enabled in the store but revoked here", page.Find("[data-testid=enabled-in-store]").TextContent.Trim()));
        // What it means and what to do is text on the page (a title attribute reaches neither the keyboard nor most screen readers).
        Assert.Equal("Someone re-enabled this version in the vault, so the SaaS may be using it. Revoke again to disable it.",
            page.Find("[data-testid=enabled-in-store-tip]").TextContent.Trim());
        Assert.Null(page.Find("[data-testid=enabled-in-store]").GetAttribute("title"));
        Assert.Equal("Revoked", page.Find("[data-testid=rotation-status]").TextContent.Trim());
    }

    [Fact]
    public async Task Render_LegacyFingerprint_StillShown_MarkedLegacy_TheKeyedOneNot()
    {
        SignInAs(DevelopmentPersonas.SupportReader);
        await using (var db = Portal.CreateDbContext())
        {
            // A version recorded before fingerprints were keyed: the first 8 bytes of an unsalted SHA-256.
            db.ApiKeyVersions.Add(new ApiKeyVersion
            {
                TenantId = "contoso", StoreVersionId = "0123456789abcdef0123456789abcdef", Status = ApiKeyVersionStatus.Superseded,
                CreatedAt = PortalServices.Start.AddDays(-30), StatusChangedAt = PortalServices.Start, CreatedByName = "Adele Vance",
                MaskedHint = "••••", Fingerprint = "9f86d081884c7d65", DisabledInStoreAt = PortalServices.Start,
            });
            await db.SaveChangesAsync();
        }

        var stored = await Portal.Get<ApiKeyService>().SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Key), default);

        var page = Render<ApiKeyPage>(p => p.Add(x => x.TenantId, "contoso"));

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=version-history] tbody tr").Count));
        var rows = page.FindAll("[data-testid=version-history] tbody tr");
        Assert.Equal(stored.Version!.Fingerprint, rows[0].QuerySelector("[data-testid=fingerprint]")!.TextContent);
        Assert.StartsWith("h1:", stored.Version.Fingerprint, StringComparison.Ordinal);
        Assert.Null(rows[0].QuerySelector("[data-testid=fingerprint-legacy]"));
        Assert.Equal("9f86d081884c7d65", rows[1].QuerySelector("[data-testid=fingerprint]")!.TextContent);
        Assert.Equal("legacy", rows[1].QuerySelector("[data-testid=fingerprint-legacy]")!.TextContent.Trim());
        Assert.StartsWith("Made before fingerprints were keyed", rows[1].QuerySelector("[data-testid=fingerprint-legacy-tip]")!.TextContent.Trim(), StringComparison.Ordinal);
        Assert.Null(rows[0].QuerySelector("[data-testid=fingerprint-legacy-tip]"));
    }

    [Fact]
    public void Render_AnotherTenant_ShowsNotFound()
    {
        SignInAs(DevelopmentPersonas.FabrikamAdmin);

        var page = Render<ApiKeyPage>(p => p.Add(x => x.TenantId, "contoso"));

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=tenant-not-found]")));
        Assert.DoesNotContain("Contoso Ltd", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_SupportReader_SeesStatusButNoSubmitButton()
    {
        SignInAs(DevelopmentPersonas.SupportReader);
        await Portal.Get<ApiKeyService>().SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Key), default);

        var page = Render<ApiKeyPage>(p => p.Add(x => x.TenantId, "contoso"));

        page.WaitForAssertion(() => Assert.Equal("••••a9F2", page.Find("[data-testid=masked-hint]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=open-submit-dialog]"));
    }

    [Fact]
    public async Task SubmitDialog_BlankValue_ShowsTheSpecificMessageAndStoresNothing()
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        var dialogs = RenderProviders();
        var page = Render<ApiKeyPage>(p => p.Add(x => x.TenantId, "contoso"));
        page.WaitForElement("[data-testid=open-submit-dialog]").Click();

        dialogs.WaitForElement("[data-testid=secret-input]").Change("    ");
        await CompletionOf(dialogs.Find("[data-testid=submit-api-key]").ClickAsync(new()));

        dialogs.WaitForAssertion(() => Assert.Contains("blank", dialogs.Find("[data-testid=secret-input-help]").TextContent, StringComparison.Ordinal));
        Assert.Equal("true", dialogs.Find("[data-testid=secret-input]").GetAttribute("aria-invalid"));
        Assert.Empty(await Portal.StoredVersionsAsync("contoso"));
    }

    [Fact]
    public async Task SubmitDialog_TrailingSpace_SaysItIsAPasteSlipAndNeverEchoesTheValue()
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        var dialogs = RenderProviders();
        var page = Render<ApiKeyPage>(p => p.Add(x => x.TenantId, "contoso"));
        page.WaitForElement("[data-testid=open-submit-dialog]").Click();

        dialogs.WaitForElement("[data-testid=secret-input]").Change(Key + " ");
        await CompletionOf(dialogs.Find("[data-testid=submit-api-key]").ClickAsync(new()));

        dialogs.WaitForAssertion(() => Assert.Contains("copy-and-paste", dialogs.Markup, StringComparison.Ordinal));
        Assert.DoesNotContain(Key, dialogs.Markup, StringComparison.Ordinal);
        Assert.False(dialogs.Find("[data-testid=secret-input]").HasAttribute("value"));
    }

    [Fact]
    public async Task SubmitDialog_ValidKey_ClosesAndThePageShowsTheNewVersion()
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        var dialogs = RenderProviders();
        var page = Render<ApiKeyPage>(p => p.Add(x => x.TenantId, "contoso"));
        var pageUri = CurrentUri;
        var opened = page.WaitForElement("[data-testid=open-submit-dialog]").ClickAsync(new());

        dialogs.WaitForElement("[data-testid=secret-input]").Change(Key);
        await CompletionOf(dialogs.Find("[data-testid=submit-api-key]").ClickAsync(new()));
        await CompletionOf(opened);
        ServerRendersAgainAfterRefresh(page, pageUri);

        page.WaitForAssertion(() => Assert.Equal("••••a9F2", page.Find("[data-testid=masked-hint]").TextContent));
        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-testid=secret-input]")));
        Assert.DoesNotContain(Key, page.Markup + dialogs.Markup, StringComparison.Ordinal);
        Assert.Single(await Portal.StoredVersionsAsync("contoso"));
    }
}
