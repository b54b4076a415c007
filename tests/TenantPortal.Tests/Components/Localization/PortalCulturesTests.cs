using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Components.Localization;

namespace TenantPortal.Tests.Components.Localization;

public sealed class PortalCulturesTests
{
    [Theory]
    [InlineData("ja-JP", "ja")]
    [InlineData("ja", "ja")]
    [InlineData("en-US", "en")]
    [InlineData("fr-FR", "en")]
    public void Current_IsTheSupportedLanguageOfTheUiCulture_ElseEnglish(string uiCulture, string expected)
    {
        using var culture = UiCulture.Use(uiCulture);

        Assert.Equal(expected, PortalCultures.Current.Name);
    }

    [Theory]
    [InlineData("ja", true)]
    [InlineData("en", true)]
    [InlineData("JA", false)]
    [InlineData("ja-JP", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Find_TakesOnlyASupportedNameExactly(string? name, bool found) =>
        Assert.Equal(found, PortalCultures.Find(name) is not null);
}
