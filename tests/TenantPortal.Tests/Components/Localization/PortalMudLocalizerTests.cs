using System.Collections;
using System.Globalization;
using System.Resources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MudBlazor;
using MudBlazor.Services;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Components.Localization;

namespace TenantPortal.Tests.Components.Localization;

public sealed class PortalMudLocalizerTests
{
    [Fact]
    public void Resources_HoldEveryMudBlazorText_InMudBlazorsOwnEnglish()
    {
        var mudBlazor = new ResourceManager("MudBlazor.Resources.LanguageResource", typeof(MudButton).Assembly)
            .GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: false)!
            .Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string)e.Value!, StringComparer.Ordinal);
        var ours = ResourceParity.Neutral(typeof(Program).Assembly)["TenantPortal.Web.Components.Localization.PortalMudLocalizer"];

        // A MudBlazor upgrade that adds or rewords a text fails here until PortalMudLocalizer(.ja).resx follow it.
        Assert.NotEmpty(mudBlazor);
        Assert.Equal(mudBlazor.OrderBy(e => e.Key, StringComparer.Ordinal), ours.OrderBy(e => e.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void MudBlazorTexts_InJapanese_ComeFromThePortalsResources_AndInEnglishFromMudBlazor()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddMudServices();
        builder.AddPortalLocalization();
        using var services = builder.Services.BuildServiceProvider();
        var texts = services.GetRequiredService<ILocalizationInterceptor>();

        using (UiCulture.Use("ja-JP"))
        {
            Assert.Equal("1 ページの行数:", texts.Handle("MudDataGridPager_RowsPerPage").Value);
            Assert.Equal("40 件中 1–25 件", texts.Handle("MudDataGridPager_InfoFormat", 1, 25, 40).Value);
            Assert.Equal("閉じる", texts.Handle("MudDialog_Close").Value);
        }

        using (UiCulture.Use("en-GB"))
        {
            Assert.Equal("Rows per page:", texts.Handle("MudDataGridPager_RowsPerPage").Value);
            Assert.Equal("1-25 of 40", texts.Handle("MudDataGridPager_InfoFormat", 1, 25, 40).Value);
        }
    }
}
