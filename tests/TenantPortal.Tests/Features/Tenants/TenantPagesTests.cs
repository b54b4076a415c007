using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Features.Platform;
using TenantPortal.Web.Features.Tenants;

namespace TenantPortal.Tests.Features.Tenants;

public sealed class TenantPagesTests : PortalComponentTestBase
{
    [Fact]
    public async Task OnboardDialog_BadSlugShowsTheRule_ThenAValidTenantIsSavedAndListed()
    {
        SignInAs(DevelopmentPersonas.PlatformAdmin);
        var dialogs = RenderProviders();
        var page = Render<TenantsPage>();
        var opened = page.WaitForElement("[data-testid=open-onboard]").ClickAsync(new());

        dialogs.WaitForElement("[data-testid=tenant-id]").Input("Acme");
        dialogs.Find("[data-testid=tenant-name]").Input("Acme Corp");
        dialogs.Find("[data-testid=tenant-directories]").Change("3f1c0000-0000-4000-8000-0000000000aa");
        await CompletionOf(dialogs.Find("[data-testid=tenant-save]").ClickAsync(new()));

        dialogs.WaitForAssertion(() => Assert.Contains("must be lower case", dialogs.Find("[data-testid=tenant-error]").TextContent, StringComparison.Ordinal));
        Assert.Null(await Portal.Get<TenantService>().GetAsync(TestPersonas.PlatformAdmin, "Acme", default));

        dialogs.Find("[data-testid=tenant-id]").Input("acme");
        Assert.Contains("tenant-acme-api-key", dialogs.Markup, StringComparison.Ordinal);
        await CompletionOf(dialogs.Find("[data-testid=tenant-save]").ClickAsync(new()));
        await CompletionOf(opened);

        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-testid=tenant-save]")));
        page.WaitForAssertion(() => Assert.Contains("Acme Corp", page.Find("[data-testid=tenants-grid]").TextContent, StringComparison.Ordinal));
        var saved = await Portal.Get<TenantService>().GetAsync(TestPersonas.PlatformAdmin, "acme", default);
        Assert.Equal([Guid.Parse("3f1c0000-0000-4000-8000-0000000000aa")], saved!.EntraTenantIds);
    }

    [Fact]
    public void TenantsPage_SearchLongerThanItsLimit_SaysWhyAndListsNothing()
    {
        SignInAs(DevelopmentPersonas.PlatformAdmin);
        RenderProviders();
        var page = Render<TenantsPage>();
        page.WaitForAssertion(() => Assert.Contains("Contoso Ltd", page.Find("[data-testid=tenants-grid]").TextContent, StringComparison.Ordinal));

        page.Find("[data-testid=tenants-search]").Input(new string('c', 101));

        page.WaitForAssertion(() =>
        {
            Assert.Contains("The search can have at most 100 characters (101 given).", page.Find("[data-testid=search-problem]").TextContent, StringComparison.Ordinal);
            Assert.DoesNotContain("Contoso Ltd", page.Find("[data-testid=tenants-grid]").TextContent, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task OffboardDialog_StaysDisabledUntilTheNameIsTyped_ThenOffboards()
    {
        SignInAs(DevelopmentPersonas.PlatformAdmin);
        var dialogs = RenderProviders();
        var page = Render<TenantPage>(p => p.Add(x => x.TenantId, "fabrikam"));
        var opened = page.WaitForElement("[data-testid=open-offboard]").ClickAsync(new());

        dialogs.WaitForElement("[data-testid=offboard-reason]").Input("Contract ended");
        dialogs.Find("[data-testid=offboard-confirm]").Input("fabrikam");
        Assert.True(dialogs.Find("[data-testid=offboard-submit]").HasAttribute("disabled"));

        dialogs.Find("[data-testid=offboard-confirm]").Input("Fabrikam Inc");
        dialogs.WaitForAssertion(() => Assert.False(dialogs.Find("[data-testid=offboard-submit]").HasAttribute("disabled")));
        await CompletionOf(dialogs.Find("[data-testid=offboard-submit]").ClickAsync(new()));
        await CompletionOf(opened);

        page.WaitForAssertion(() => Assert.Contains("Contract ended", page.Find("[data-testid=offboarded]").TextContent, StringComparison.Ordinal));
        Assert.NotNull(page.Find("[data-testid=reonboard]"));
    }

    [Fact]
    public async Task EditDialog_ChangingTheId_MovesThePageToTheTenantsNewAddress()
    {
        SignInAs(DevelopmentPersonas.PlatformAdmin);
        var onboarded = await Portal.Get<TenantService>().OnboardAsync(TestPersonas.PlatformAdmin,
            new TenantInput("globex", "Globex", ["5a1c0000-0000-4000-8000-0000000000bb"], [], Web.Features.Rotation.RotationPolicy.Default), default);
        Assert.True(onboarded.Succeeded, onboarded.Message);
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo("/tenants/globex");
        var dialogs = RenderProviders();
        var page = Render<TenantPage>(p => p.Add(x => x.TenantId, "globex"));

        var opened = page.WaitForElement("[data-testid=open-edit]").ClickAsync(new());
        dialogs.WaitForElement("[data-testid=tenant-id]").Input("globex-eu");
        await CompletionOf(dialogs.Find("[data-testid=tenant-save]").ClickAsync(new()));
        await CompletionOf(opened);

        page.WaitForAssertion(() => Assert.EndsWith("/tenants/globex-eu", navigation.Uri, StringComparison.Ordinal));
        Assert.Contains(Services.GetRequiredService<MudBlazor.ISnackbar>().ShownSnackbars, b => b.Message == "Tenant globex is now globex-eu.");
        Assert.NotNull(await Portal.Get<TenantService>().GetAsync(TestPersonas.PlatformAdmin, "globex-eu", default));
    }

    [Fact]
    public async Task TenantAdmin_SeesOwnTenantReadOnly_ButManagesContacts()
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        var page = Render<TenantPage>(p => p.Add(x => x.TenantId, "contoso"));

        page.WaitForElement("[data-testid=contact-add]").Click();
        page.WaitForElement("[data-testid=contact-email-0]").Input("ops@contoso.example");
        await CompletionOf(page.Find("[data-testid=contacts-save]").ClickAsync(new()));

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=tenant-error]")));
        await page.WaitForAssertionAsync(async () => Assert.Equal("ops@contoso.example",
            Assert.Single((await Portal.Get<TenantService>().GetAsync(TestPersonas.ContosoAdmin, "contoso", default))!.Contacts).Email));
        Assert.Empty(page.FindAll("[data-testid=open-edit]"));
        Assert.Empty(page.FindAll("[data-testid=open-offboard]"));
    }

    [Fact]
    public async Task TenantAdmin_SavesAVerificationProbeThroughTheEditor_ThenRemovesIt()
    {
        var settings = await Portal.Get<PlatformSettingsService>().UpdateAsync(TestPersonas.PlatformAdmin,
            new PlatformSettingsInput(90, 365, [30, 14, 7, 1], 7, ["api.provider.example"]), default);
        Assert.True(settings.Succeeded, settings.Problem);
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        RenderProviders();
        var page = Render<TenantPage>(p => p.Add(x => x.TenantId, "contoso"));

        page.WaitForElement("input[data-testid=probe-url]").Change("https://api.provider.example/v1/me");
        page.Find("input[data-testid=probe-header]").Change("X-Api-Key");
        page.Find("input[data-testid=probe-prefix]").Change("");
        page.Find("input[data-testid=probe-status]").Change("204");
        await CompletionOf(page.Find("[data-testid=probe-save]").ClickAsync(new()));

        page.WaitForElement("[data-testid=probe-remove]");
        Assert.Empty(page.FindAll("[data-testid=tenant-error]"));
        var saved = (await Portal.Get<TenantService>().GetAsync(TestPersonas.ContosoAdmin, "contoso", default))!.Probe!;
        Assert.Equal(("GET", "https://api.provider.example/v1/me", "X-Api-Key", "", 204),
            (saved.Method, saved.Url, saved.HeaderName, saved.HeaderPrefix, saved.ExpectedStatus));

        await CompletionOf(page.Find("[data-testid=probe-remove]").ClickAsync(new()));
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=probe-remove]")));
        Assert.Null((await Portal.Get<TenantService>().GetAsync(TestPersonas.ContosoAdmin, "contoso", default))!.Probe);
    }

    [Fact]
    public void TenantAdmin_OtherTenant_IsNotFound()
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        var page = Render<TenantPage>(p => p.Add(x => x.TenantId, "fabrikam"));

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=tenant-not-found]")));
        Assert.DoesNotContain("Fabrikam Inc", page.Markup, StringComparison.Ordinal);
    }
}
