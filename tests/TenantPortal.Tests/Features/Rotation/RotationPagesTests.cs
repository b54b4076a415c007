using Bunit;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Support;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.Rotation;

public sealed class RotationPagesTests : PortalComponentTestBase
{
    private Task<KeyChangeResult> SubmitAsync(string key) =>
        Portal.Get<ApiKeyService>().SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(key), default);

    [Fact]
    public async Task RevokeDialog_NeedsReasonAndConfirmation_ThenThePageSaysRevoked()
    {
        await SubmitAsync("sk_live_page_revoke_00000001");
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        var dialogs = RenderProviders();
        var page = Render<ApiKeyPage>(p => p.Add(x => x.TenantId, "contoso"));
        var pageUri = CurrentUri;
        var opened = page.WaitForElement("[data-testid=open-revoke]").ClickAsync(new());

        // The dialog promises what is true of the backend's cache, and names the KeyReader's Invalidate.
        dialogs.WaitForElement("[data-testid=revoke-reason]");
        Assert.Equal(
            "Every enabled version is disabled in the vault at once, including one still in its grace period. The SaaS backend does not " +
            "stop at once: it keeps using the key it has cached until that copy expires, within its CacheTtl (5 minutes by default), and " +
            "while it cannot reach the vault for up to its MaxStaleness (1 hour by default). After that, the SaaS cannot call the provider " +
            "for this tenant until someone submits a new key.",
            Normalized(dialogs.Find("[data-testid=revoke-warning]").TextContent));
        Assert.Equal(
            "To cut the backend off sooner, its operator calls ITenantApiKeyProvider.Invalidate(\"contoso\") in every backend instance: " +
            "the next call then reads the vault instead of the cache. If the key has leaked, revoke it at the provider too: only that " +
            "stops it everywhere at once.",
            Normalized(dialogs.Find("[data-testid=revoke-invalidate]").TextContent));
        Assert.Contains("I understand that the SaaS stops using this key once its cached copy expires, not at once", dialogs.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("stops using this key now", dialogs.Markup, StringComparison.Ordinal);

        dialogs.Find("[data-testid=revoke-reason]").Input("Exposed in a ticket");
        Assert.True(dialogs.Find("[data-testid=revoke-submit]").HasAttribute("disabled"));
        dialogs.Find("[data-testid=revoke-confirm]").Change(true);
        dialogs.WaitForAssertion(() => Assert.False(dialogs.Find("[data-testid=revoke-submit]").HasAttribute("disabled")));
        await CompletionOf(dialogs.Find("[data-testid=revoke-submit]").ClickAsync(new()));
        await CompletionOf(opened);
        ServerRendersAgainAfterRefresh(page, pageUri);

        page.WaitForAssertion(() => Assert.Equal("Revoked", page.Find("[data-testid=rotation-status]").TextContent.Trim()));
        Assert.Contains("Exposed in a ticket", page.Find("[data-testid=version-history]").TextContent, StringComparison.Ordinal);
        Assert.All(await Portal.StoredVersionsAsync("contoso"), v => Assert.False(v.Enabled));
    }

    private static string Normalized(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();

    [Fact]
    public async Task KeyPage_AfterARotation_ShowsGraceAndOffersRestore_NotToSupport()
    {
        await SubmitAsync("sk_live_page_grace_first_0001");
        await SubmitAsync("sk_live_page_grace_second_002");
        SignInAs(DevelopmentPersonas.ContosoAdmin);

        var page = Render<ApiKeyPage>(p => p.Add(x => x.TenantId, "contoso"));

        page.WaitForAssertion(() => Assert.Contains("stays enabled until", page.Find("[data-testid=grace-info]").TextContent, StringComparison.Ordinal));
        Assert.NotNull(page.Find("[data-testid=restore-previous]"));
    }

    [Fact]
    public async Task SupportOverview_FiltersByStatusInTheDatabase()
    {
        await SubmitAsync("sk_live_support_filter_000001");
        var support = Portal.Get<SupportService>();

        async Task<string[]> IdsAsync(TenantKeyStatus? status) =>
            (await support.GetRotationStatusPageAsync(TestPersonas.SupportReader, new RotationStatusQuery(new RotationStatusFilter(Status: status), 50), default))!
                .Items.Select(r => r.TenantId).ToArray();

        Assert.Equal(["contoso"], await IdsAsync(TenantKeyStatus.Active));
        Assert.Equal(["fabrikam", "northwind"], (await IdsAsync(TenantKeyStatus.NotSet)).Order());
        Portal.Time.Advance(TimeSpan.FromDays(61));
        Assert.Equal(["contoso"], await IdsAsync(TenantKeyStatus.DueSoon));
        Assert.Empty(await IdsAsync(TenantKeyStatus.Active));
        Portal.Time.Advance(TimeSpan.FromDays(30));
        Assert.Equal(["contoso"], await IdsAsync(TenantKeyStatus.Overdue));
        await Portal.Get<ApiKeyService>().RevokeAsync(TestPersonas.ContosoAdmin, "contoso", "test", true, default);
        Assert.Equal(["contoso"], await IdsAsync(TenantKeyStatus.Revoked));
        Assert.Equal(3, (await IdsAsync(null)).Length);
    }
}
