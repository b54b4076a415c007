using System.Text.RegularExpressions;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.Infra;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Features.Notifications;
using TenantPortal.Web.Features.Support;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Outbound;

namespace TenantPortal.Tests.Components;

/// <summary>
/// Every icon button has an accessible name, in the page's language: an icon alone says nothing to a screen reader.
/// The source check finds every icon button the portal declares; the renders check the names people hear. (The shell's
/// two, the menu and the theme switch, are checked in Japanese by <c>MainLayoutTests</c>; MudBlazor's own, such as a
/// pager's, come from <c>PortalMudLocalizer</c> and are checked by axe in the browser journeys.)
/// </summary>
public sealed partial class IconButtonNameTests : PortalComponentTestBase
{
    protected override void ConfigurePortal(IServiceCollection services) =>
        services.AddSingleton<IOutboundDnsResolver>(new StaticDnsResolver().Map("hooks.contoso.com", "20.50.60.70"));

    [Fact]
    public void EveryIconButtonInTheSource_IsNamedByALocalizedAriaLabel()
    {
        var source = Path.Combine(BicepCli.RepositoryRoot, "src", "TenantPortal.Web");
        var buttons = Directory.EnumerateFiles(source, "*.razor", SearchOption.AllDirectories)
            .SelectMany(file => IconButton().Matches(File.ReadAllText(file)).Select(m => (File: Path.GetRelativePath(source, file), Tag: m.Value)))
            .ToList();

        Assert.True(buttons.Count >= 5, $"only {buttons.Count} icon buttons found: is the pattern still right?");
        Assert.All(buttons, b => Assert.True(LocalizedAriaLabel().IsMatch(b.Tag), $"{b.File}: {b.Tag}"));
    }

    [Fact]
    public async Task IconButtons_InJapanese_AreNamedInJapanese()
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        using var japanese = UiCulture.Use("ja");

        var card = Render<WebhookSettingsCard>(p => p.Add(x => x.TenantId, "contoso"));
        await CompletionOf(card.WaitForElement("[data-testid=generate-signing-key]").ClickAsync(new()));
        card.WaitForElement("[data-testid=copy-signing-key]");
        var contacts = Render<ContactsEditor>(p => p.Add(x => x.Contacts, [new ContactInput("ops@contoso.test"), new ContactInput("tanaka@contoso.test", "ja")]));

        Assert.Equal(["署名キーをコピー"], Names(card));
        Assert.Equal(["連絡先を削除", "連絡先を削除"], Names(contacts));
    }

    [Fact]
    public void IconButtons_OnTheRotationStatusPageInJapanese_AreNamedInJapanese()
    {
        SignInAs(DevelopmentPersonas.SupportReader);
        RenderProviders();
        using var japanese = UiCulture.Use("ja");

        var page = Render<RotationStatusPage>();

        page.WaitForElement("[data-testid=sort-descending]");
        Assert.Equal(["順序を逆にする"], Names(page));
    }

    /// <summary>The accessible name of each rendered icon button (its aria-label; never empty, never missing).</summary>
    private static List<string> Names(IRenderedComponent<Microsoft.AspNetCore.Components.IComponent> rendered) =>
        [.. rendered.FindAll(".mud-icon-button").Select(b => b.GetAttribute("aria-label") ?? "")];

    // The whole tag: a quoted attribute value may hold a '>' (a lambda's "=>").
    [GeneratedRegex(@"<Mud(Toggle)?IconButton\b(?:[^>""]|""[^""]*"")*>", RegexOptions.Singleline)]
    private static partial Regex IconButton();

    [GeneratedRegex(@"aria-label=""@L\[""[A-Za-z]+""\]""")]
    private static partial Regex LocalizedAriaLabel();
}
