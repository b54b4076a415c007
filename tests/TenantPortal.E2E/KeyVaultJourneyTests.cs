namespace TenantPortal.E2E;

public sealed class KeyVaultJourneyTests(KeyVaultPortalServerFixture server) : IClassFixture<KeyVaultPortalServerFixture>
{
    [Fact]
    public async Task TenantAdmin_RotatesThroughTheBrowser_IntoKeyVault_WithoutTheVaultEverServingAValue()
    {
        var first = $"sk_live_E2E_kv_first_{Guid.NewGuid():N}";
        var second = $"sk_live_E2E_kv_second_{Guid.NewGuid():N}";
        var page = await server.NewPageAsync();
        await page.GotoAsync("/dev/sign-in?returnUrl=/tenants/contoso/api-key");
        await page.Locator("[data-testid=persona-contoso-admin]").ClickAsync();
        await page.WaitForURLAsync("**/tenants/contoso/api-key");
        await PortalServerFixture.WaitForCircuitAsync(page);

        await TenantAdminJourneyTests.SubmitAsync(page, first);
        await Microsoft.Playwright.Assertions.Expect(page.Locator("[data-testid=masked-hint]")).ToHaveTextAsync("••••" + first[^4..], new() { Timeout = 15_000 });
        await TenantAdminJourneyTests.SubmitAsync(page, second);
        await Microsoft.Playwright.Assertions.Expect(page.Locator("[data-testid=masked-hint]")).ToHaveTextAsync("••••" + second[^4..], new() { Timeout = 15_000 });

        var versions = server.Vault.VersionsOf("tenant-contoso-api-key");
        Assert.Equal([first, second], versions.Select(v => v.Value));
        Assert.Empty(server.Vault.ValueReads);
        Assert.DoesNotContain(first, await page.ContentAsync(), StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }
}
