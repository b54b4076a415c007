using Microsoft.EntityFrameworkCore;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.ApiKeys;

/// <summary>What the key services tell a person comes in that person's language; what they record stays English.</summary>
public sealed class ApiKeyServiceLanguageTests : IAsyncLifetime
{
    private const string Key = "sk_live_language_service_a9F2";
    private PortalServices _portal = null!;

    private ApiKeyService Service => _portal.Get<ApiKeyService>();

    public async Task InitializeAsync() => _portal = await PortalServices.StartAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Theory]
    [InlineData("ja", "失効の理由を入力してください（最大 500 文字）。")]
    [InlineData("ja-JP", "失効の理由を入力してください（最大 500 文字）。")]
    [InlineData("en", "Give a reason for revoking (at most 500 characters).")]
    [InlineData("fr", "Give a reason for revoking (at most 500 characters).")]
    public async Task RevokeAsync_NoReason_IsRefusedInTheCallersLanguage_EnglishOtherwise(string culture, string expected)
    {
        await Service.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Key), default);
        using var language = UiCulture.Use(culture);

        var result = await Service.RevokeAsync(TestPersonas.ContosoAdmin, "contoso", "  ", confirmed: true, default);

        Assert.Equal(KeyChangeOutcome.Invalid, result.Outcome);
        Assert.Equal(expected, result.Message);
    }

    [Fact]
    public async Task RestorePreviousAsync_NothingToRestore_InJapanese_TellsThePersonInJapanese_AndAuditsTheReasonInEnglish()
    {
        await Service.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Key), default);
        using var japanese = UiCulture.Use("ja");

        var result = await Service.RestorePreviousAsync(TestPersonas.ContosoAdmin, "contoso", default);

        Assert.Equal(KeyChangeOutcome.Conflict, result.Outcome);
        Assert.Equal("戻せる以前のバージョンがありません。以前のバージョンに戻せるのは猶予期間中だけです。代わりに新しいキーを登録してください。", result.Message);
        await using var db = _portal.CreateDbContext();
        var refused = await db.AuditEvents.SingleAsync(e => e.Action == AuditActions.ApiKeyRestore && e.Outcome == AuditOutcome.Failed);
        Assert.Equal("There is no previous version to restore: it can be restored only while its grace period lasts. Submit a new key instead.", refused.Reason);
    }

    [Fact]
    public async Task SubmitApiKeyAsync_InJapanese_ConfirmsInJapanese_WithTheVersion()
    {
        using var japanese = UiCulture.Use("ja");

        var result = await Service.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Key), default);

        Assert.Equal($"APIキーをバージョン {result.Version!.ShortVersion} として登録しました。それまでの現行バージョンがある場合は、以前のバージョンになりました。", result.Message);
        Assert.Equal("APIキーを入力してください。", (await Service.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(""), default)).Message);
        Assert.Equal("テナントが見つかりません。", (await Service.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "fabrikam", new SecretValue(Key), default)).Message);
    }
}
