using Microsoft.Playwright;

namespace TenantPortal.E2E;

/// <summary>The shell's own pages (not found, error, sign-in refused) under axe; the feature pages are checked in their journeys.</summary>
[Collection(PortalServerGroup.Name)]
public sealed class ShellAccessibilityTests(PortalServerFixture server)
{
    [Theory]
    [InlineData("/no-such-page", "Not found", false)]
    [InlineData("/Error", "Something went wrong", false)]
    [InlineData("/authentication/no-access", "No access", false)]
    [InlineData("/authentication/not-onboarded", "Your organisation is not onboarded", false)]
    [InlineData("/authentication/sign-in-failed", "Sign-in failed", false)]
    public async Task ShellPage_HasNoAccessibilityViolations(string path, string heading, bool interactive)
    {
        var page = await server.NewPageAsync();
        await page.GotoAsync(path);
        if (interactive)
        {
            await PortalServerFixture.WaitForCircuitAsync(page);
        }

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(heading);
        await Accessibility.AssertAccessibleAsync(page, path);
        await page.Context.CloseAsync();
    }
}
