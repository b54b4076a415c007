using System.Globalization;
using System.Text;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace TenantPortal.E2E;

/// <summary>
/// axe-core on what the page shows now, in the light and the dark theme (the browser's colour-scheme preference is
/// switched and the layout follows it). A serious or critical violation of a WCAG 2.1 A/AA rule or of axe's best
/// practices fails the test, and so does any breach of the page-structure rules (one main landmark, one level-one
/// heading, all content inside landmarks, heading levels in order).
/// </summary>
public static class Accessibility
{
    private static readonly AxeRunOptions Wcag21 = new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
        ResultTypes = [ResultType.Violations],
    };

    private static readonly HashSet<string> Failing = new(StringComparer.Ordinal) { "serious", "critical" };

    private static readonly HashSet<string> Structure = new(StringComparer.Ordinal) { "landmark-one-main", "page-has-heading-one", "region", "heading-order" };

    /// <summary>Checks <paramref name="page"/> in both themes and leaves it in the light one.</summary>
    public static async Task AssertAccessibleAsync(IPage page, string where)
    {
        var problems = new StringBuilder();
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            await UseThemeAsync(page, scheme);
            var result = await page.RunAxe(Wcag21);
            foreach (var violation in result.Violations.Where(v => Failing.Contains(v.Impact ?? "") || Structure.Contains(v.Id)))
            {
                problems.AppendLine(CultureInfo.InvariantCulture, $"[{scheme}] {violation.Id} ({violation.Impact}): {violation.Help}");
                foreach (var node in violation.Nodes.Take(5))
                {
                    var detail = node.Any.Concat(node.All).Concat(node.None).Select(c => c.Message).FirstOrDefault(m => !string.IsNullOrEmpty(m));
                    problems.AppendLine(CultureInfo.InvariantCulture, $"    {node.Target}: {detail}");
                    problems.AppendLine(CultureInfo.InvariantCulture, $"      {node.Html[..Math.Min(node.Html.Length, 160)]}");
                }
            }
        }

        await UseThemeAsync(page, ColorScheme.Light);
        Assert.True(problems.Length == 0, $"axe found accessibility violations on {where}:{Environment.NewLine}{problems}");
    }

    /// <summary>
    /// Colours are checked once they have settled: MudBlazor fades a theme change, a label and a snackbar in over a few
    /// hundred milliseconds, and axe would read the colours half-way. Endless animations (a progress spinner) are left out.
    /// </summary>
    private static Task<IJSHandle> AnimationsFinishedAsync(IPage page) =>
        page.WaitForFunctionAsync(
            "() => document.getAnimations().every(a => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity)");

    /// <summary>
    /// Emulates the preference and waits for the page to show it: the shell follows the system theme and
    /// says so on the theme switch (js/shell.js); a page without a circuit (the sign-in page) follows it through its CSS alone.
    /// </summary>
    public static async Task UseThemeAsync(IPage page, ColorScheme scheme)
    {
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = scheme });
        var toggle = page.Locator("[data-testid=theme-toggle]");
        if (await page.Locator("[data-testid=interactive]").CountAsync() > 0)
        {
            await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", scheme == ColorScheme.Dark ? "true" : "false");
        }

        await AnimationsFinishedAsync(page);
    }
}
