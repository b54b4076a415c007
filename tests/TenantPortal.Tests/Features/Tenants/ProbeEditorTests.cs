using Bunit;
using MudBlazor;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.Tenants;

namespace TenantPortal.Tests.Features.Tenants;

public sealed class ProbeEditorTests : ComponentTestBase
{
    private static VerificationProbe Saved() => new()
    {
        Method = "POST", Url = "https://api.partner.example/v1/me", HeaderName = "X-Api-Key", HeaderPrefix = "", ExpectedStatus = 204,
    };

    [Fact]
    public void Render_ShowsTheCurrentProbe()
    {
        var editor = Render<ProbeEditor>(p => p.Add(x => x.Model, Saved()));

        Assert.Equal("POST", editor.Find("[data-testid=probe-method]").TextContent.Trim());
        Assert.Equal("https://api.partner.example/v1/me", editor.Find("input[data-testid=probe-url]").GetAttribute("value"));
        Assert.Equal("X-Api-Key", editor.Find("input[data-testid=probe-header]").GetAttribute("value"));
        Assert.Equal("", editor.Find("input[data-testid=probe-prefix]").GetAttribute("value"));
        Assert.Equal("204", editor.Find("input[data-testid=probe-status]").GetAttribute("value"));
    }

    [Fact]
    public void Edits_RaiseTheCallbackWithTheEditedProbe_AndLeaveTheGivenOneAlone()
    {
        var popovers = Render<MudPopoverProvider>();
        var saved = Saved();
        VerificationProbe? raised = null;
        var editor = Render<ProbeEditor>(p => p
            .Add(x => x.Model, saved)
            .Add(x => x.ModelChanged, (VerificationProbe probe) => raised = probe));

        editor.Find("input[data-testid=probe-url]").Change("https://api.partner.example/v2/whoami");
        editor.Find("input[data-testid=probe-header]").Change("Authorization");
        editor.Find("input[data-testid=probe-prefix]").Change("Bearer ");
        editor.Find("input[data-testid=probe-status]").Change("200");
        editor.Find(".mud-select .mud-input-control").MouseDown();
        popovers.WaitForElements(".mud-list-item").Single(i => i.TextContent.Trim() == "GET").Click();

        editor.WaitForAssertion(() => Assert.Equal("GET", raised?.Method));
        Assert.Equal("https://api.partner.example/v2/whoami", raised!.Url);
        Assert.Equal("Authorization", raised.HeaderName);
        Assert.Equal("Bearer ", raised.HeaderPrefix);
        Assert.Equal(200, raised.ExpectedStatus);
        Assert.NotSame(saved, raised);
        Assert.Equal("https://api.partner.example/v1/me", saved.Url);
        Assert.Equal("POST", saved.Method);
    }

    [Fact]
    public void ClearingTheUrl_SaysItIsNeeded()
    {
        var editor = Render<ProbeEditor>(p => p.Add(x => x.Model, Saved()));
        Assert.DoesNotContain("Enter the probe URL.", editor.Markup, StringComparison.Ordinal);

        editor.Find("input[data-testid=probe-url]").Change("");
        editor.Find("input[data-testid=probe-url]").Blur();

        editor.WaitForAssertion(() => Assert.Contains("Enter the probe URL.", editor.Find(".mud-input-error").TextContent, StringComparison.Ordinal));
        Assert.Equal("true", editor.Find("input[data-testid=probe-url]").GetAttribute("aria-invalid"));
    }

    [Fact]
    public void Disabled_DisablesEveryField()
    {
        var editor = Render<ProbeEditor>(p => p.Add(x => x.Model, Saved()).Add(x => x.Disabled, true));

        Assert.All(editor.FindAll("input[data-testid^=probe-]"), input => Assert.True(input.HasAttribute("disabled")));
        Assert.Equal("true", editor.Find("[data-testid=probe-method]").GetAttribute("aria-disabled"));
    }
}
