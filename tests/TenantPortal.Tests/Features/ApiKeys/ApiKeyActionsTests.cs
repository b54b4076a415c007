using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using TenantPortal.Tests.Infra;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.ApiKeys;

/// <summary>
/// The key page's controls, an interactive island of a static page: its parameters come from the page's server render
/// and arrive again, changed, after each enhanced refresh. They only decide which buttons to show; the service decides
/// what may be done.
/// </summary>
public sealed partial class ApiKeyActionsTests : PortalComponentTestBase
{
    private const string First = "sk_live_actions_first_0000a1";
    private const string Second = "sk_live_actions_second_000b2";

    [Fact]
    public void NewParameters_AfterTheRefresh_ChangeTheButtonsInPlace()
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        var actions = Render<ApiKeyActions>(p => p.Add(x => x.TenantId, "contoso"));
        var submit = actions.Find("[data-testid=open-submit-dialog]");
        Assert.Equal("Submit API key", submit.TextContent.Trim());
        Assert.Empty(actions.FindAll("[data-testid=open-revoke]"));
        Assert.Empty(actions.FindAll("[data-testid=restore-previous]"));

        // The page rendered again after a rotation: a current key and a previous one in its grace period.
        actions.Render(p => p.Add(x => x.HasCurrent, true).Add(x => x.HasPreviousInGrace, true));

        Assert.Equal("Rotate API key", actions.Find("[data-testid=open-submit-dialog]").TextContent.Trim());
        Assert.Single(actions.FindAll("[data-testid=open-revoke]"));
        Assert.Single(actions.FindAll("[data-testid=restore-previous]"));
        Assert.Equal("/tenants/contoso", actions.Find("[data-testid=policy-link]").GetAttribute("href"));

        // And after a revoke: nothing to revoke or restore.
        actions.Render(p => p.Add(x => x.HasCurrent, false).Add(x => x.HasPreviousInGrace, false));
        Assert.Empty(actions.FindAll("[data-testid=open-revoke]"));
        Assert.Empty(actions.FindAll("[data-testid=restore-previous]"));
    }

    [Fact]
    public void TheKeyPagesIslands_AndTheDialogsTheyOpen_UseNoPopover()
    {
        // The key page is [InteractiveIslands(Popovers = false)]: its circuit has no popover provider, and MudBlazor
        // refuses to open a select, menu, tooltip or picker without one (in the browser; bunit does not check). So the
        // source of everything the islands render or open, followed through the portal's own components and dialogs,
        // must use none.
        var source = Path.Combine(BicepCli.RepositoryRoot, "src", "TenantPortal.Web");
        var files = Directory.EnumerateFiles(source, "*.razor", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "_Imports.razor")
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), StringComparer.Ordinal);
        var pending = new Queue<string>(["ApiKeyActions", "WebhookControls"]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var popovers = new List<string>();
        while (pending.TryDequeue(out var name))
        {
            if (!seen.Add(name))
            {
                continue;
            }

            var text = File.ReadAllText(files[name]);
            popovers.AddRange(PopoverComponent().Matches(text).Select(m => $"{name}: {m.Value}"));
            foreach (var used in UsedComponent().Matches(text).Select(m => m.Groups[1].Value).Where(files.ContainsKey))
            {
                pending.Enqueue(used);
            }
        }

        Assert.Empty(popovers);
        // The walk reached the dialogs and their parts (so it is not vacuous).
        Assert.Superset(new HashSet<string>(["SubmitApiKeyDialog", "RevokeApiKeyDialog", "SecretInput"]), seen);
    }

    // A portal component used as a tag (<SecretInput ...>) or opened as a dialog (ShowAsync<RevokeApiKeyDialog>).
    [System.Text.RegularExpressions.GeneratedRegex(@"(?:<|ShowAsync<)([A-Z][A-Za-z0-9]+)")]
    private static partial System.Text.RegularExpressions.Regex UsedComponent();

    [System.Text.RegularExpressions.GeneratedRegex(@"<Mud(?:Select|Autocomplete|Menu|Tooltip|Popover|DatePicker|DateRangePicker|TimePicker|ColorPicker|Picker)\b")]
    private static partial System.Text.RegularExpressions.Regex PopoverComponent();

    [Fact]
    public async Task Restore_ByAnotherTenantsAdmin_GivenTheButtons_IsRefusedByTheService_AndChangesNothing()
    {
        var keys = Portal.Get<ApiKeyService>();
        await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(First), default);
        await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Second), default);
        SignInAs(DevelopmentPersonas.FabrikamAdmin);
        var dialogs = RenderProviders();
        // Parameters a page would never give Fabrikam's admin for Contoso: the island shows the buttons all the same.
        var actions = Render<ApiKeyActions>(p => p.Add(x => x.TenantId, "contoso").Add(x => x.HasCurrent, true).Add(x => x.HasPreviousInGrace, true));

        var opened = actions.Find("[data-testid=restore-previous]").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("Restore the previous version?", dialogs.Markup, StringComparison.Ordinal));
        await CompletionOf(dialogs.FindAll(".mud-dialog-actions button")[^1].ClickAsync(new()));
        await CompletionOf(opened);

        var snackbar = Assert.Single(Services.GetRequiredService<ISnackbar>().ShownSnackbars);
        Assert.Equal("Tenant not found.", snackbar.Message);
        Assert.Equal(Severity.Error, snackbar.Severity);
        var overview = await keys.GetOverviewAsync(TestPersonas.ContosoAdmin, "contoso", default);
        Assert.Equal("••••" + Second[^4..], overview!.Current!.MaskedHint);
        Assert.NotNull(overview.PreviousInGrace);
    }
}
