using Bunit;
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
}
