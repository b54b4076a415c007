using TenantPortal.Web.Components.Localization;

namespace TenantPortal.Tests.Components.Localization;

public sealed class ResourceParityTests
{
    public static TheoryData<string> Translations { get; } = [.. PortalCultures.All.Where(c => c.Name != PortalCultures.Default).Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Translations))]
    public void EveryResourceFile_HasTheSameKeysAndPlaceholdersInEveryLanguage(string culture)
    {
        var neutral = ResourceParity.Neutral(typeof(Program).Assembly);
        var translated = ResourceParity.Translated(typeof(Program).Assembly, culture);

        // The shell's sets are compiled in, so the comparison below is over real files, not over nothing.
        Assert.Contains("TenantPortal.Web.Components.Layout.NavMenu", neutral.Keys);
        Assert.Contains("TenantPortal.Web.Auth.Development.DevSignInPage", translated.Keys);
        var problems = ResourceParity.Differences(neutral, translated, culture);
        Assert.True(problems.Count == 0, $"The {culture} resources differ from the English ones:{Environment.NewLine}{string.Join(Environment.NewLine, problems)}");
    }

    [Fact]
    public void Differences_NameEveryMismatch()
    {
        var neutral = new Dictionary<string, Dictionary<string, string>>
        {
            ["Shell.Nav"] = new() { ["Home"] = "Home", ["TenantOf"] = "Tenant · {0}", ["Audit"] = "Audit trail", ["Blank"] = "Blank" },
            ["Shell.Unpaired"] = new() { ["A"] = "a" },
        };
        var translated = new Dictionary<string, Dictionary<string, string>>
        {
            ["Shell.Nav"] = new() { ["Home"] = "ホーム", ["TenantOf"] = "テナント", ["Extra"] = "余分", ["Blank"] = " " },
            ["Shell.Orphan"] = new() { ["B"] = "b" },
        };

        var problems = ResourceParity.Differences(neutral, translated, "ja");

        Assert.Equal(
        [
            "Shell.Unpaired: no ja file",
            "Shell.Orphan: a ja file without the English one",
            "Shell.Nav: 'Audit' only in English",
            "Shell.Nav: 'Extra' only in ja",
            "Shell.Nav: 'Blank' is empty in ja",
            "Shell.Nav: 'TenantOf' has placeholders {0} in English but none in ja",
        ], problems);
    }
}
