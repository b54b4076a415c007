using Bunit;
using Microsoft.EntityFrameworkCore;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Audit;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.Audit;

public sealed class AuditPageTests : PortalComponentTestBase
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var keys = Portal.Get<ApiKeyService>();
        await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue("sk_live_audit_page_000001"), default);
        await keys.SubmitApiKeyAsync(TestPersonas.FabrikamAdmin, "fabrikam", new SecretValue("sk_live_audit_page_000002"), default);
    }

    [Fact]
    public void Render_TenantAdmin_SeesOwnEventsOnlyWithTheirChainPositions()
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        RenderProviders();

        var page = Render<AuditPage>();

        page.WaitForAssertion(() => Assert.Contains(AuditActions.ApiKeySubmit, page.Find("[data-testid=audit-grid]").TextContent, StringComparison.Ordinal));
        var grid = page.Find("[data-testid=audit-grid]").TextContent;
        Assert.Contains("contoso", grid, StringComparison.Ordinal);
        Assert.DoesNotContain("fabrikam", grid, StringComparison.Ordinal);
        Assert.Contains("#1 ", grid, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=filter-tenant]"));
        Assert.Contains("/audit/export.csv", page.Find("[data-testid=export-csv]").GetAttribute("href"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_TenantAdmin_ReportsTheirChainIntact()
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        RenderProviders();
        var page = Render<AuditPage>();

        // Enabled once the page knows the admin's own chain.
        await CompletionOf(page.WaitForElement("[data-testid=verify-chain]:not([disabled])").ClickAsync(new()));

        page.WaitForAssertion(() => Assert.Contains("Chain \"contoso\" is intact", page.Find("[data-testid=verify-result]").TextContent, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("en", "Chain \"contoso\" is broken at event 1: Event 1 was changed after it was written: its hash does not match its content.")]
    [InlineData("ja", "チェーン「contoso」はイベント 1 で途切れています: イベント 1 は書き込み後に変更されています。ハッシュが内容と一致しません。")]
    public async Task Verify_TamperedChain_NamesTheBreakInThePagesLanguage_TheAuditRowStaysEnglish(string culture, string expected)
    {
        await using (var db = Portal.CreateDbContext())
        {
            await db.Database.ExecuteSqlRawAsync("UPDATE AuditEvents SET Reason = 'nothing to see' WHERE ChainId = 'contoso' AND Sequence = 1");
        }

        using var language = UiCulture.Use(culture);
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        RenderProviders();
        var page = Render<AuditPage>();

        await CompletionOf(page.WaitForElement("[data-testid=verify-chain]:not([disabled])").ClickAsync(new()));

        page.WaitForAssertion(() => Assert.Equal(expected, page.Find("[data-testid=verify-result] span").TextContent.Trim()));
        await using var check = Portal.CreateDbContext();
        var recorded = await check.AuditEvents.Where(e => e.Action == AuditActions.AuditVerified).Select(e => e.Reason).SingleAsync();
        Assert.Contains("Event 1 was changed after it was written: its hash does not match its content.", recorded, StringComparison.Ordinal);
    }
}
