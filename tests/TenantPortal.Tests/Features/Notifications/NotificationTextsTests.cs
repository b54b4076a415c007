using TenantPortal.Web.Features.Notifications;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;

namespace TenantPortal.Tests.Features.Notifications;

public sealed class NotificationTextsTests
{
    [Fact]
    public void Compose_Revoked_SaysTheServiceStopsOnceItsCacheExpires_NotThatTheKeyIsNoLongerUsed()
    {
        var english = NotificationTexts.Compose(RotationNoticeKind.Revoked, ContactLanguages.English, "Contoso Ltd", "3f2a9c71d0e84b6f", null, 0);
        var japanese = NotificationTexts.Compose(RotationNoticeKind.Revoked, ContactLanguages.Japanese, "Contoso Ltd", "3f2a9c71d0e84b6f", null, 0);

        Assert.StartsWith(
            "Version 3f2a9c71 of the API key that Contoso Ltd has stored in TenantPortal was revoked: it is disabled in the vault, and the service " +
            "stops using it once its cached copy expires (normally within minutes).\n\n", english.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("no longer used", english.Body, StringComparison.Ordinal);
        Assert.StartsWith(
            "Contoso Ltd が TenantPortal に登録しているAPIキー（バージョン 3f2a9c71）は失効し、保管庫で無効になりました。" +
            "サービスはキャッシュされたキーの有効期限が切れた時点（通常は数分以内）で使用を停止します。\n\n", japanese.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_ProbeChanged_NamesNoVersion_InEitherLanguage()
    {
        var english = NotificationTexts.Compose(RotationNoticeKind.ProbeChanged, ContactLanguages.English, "Contoso Ltd", "probe-0123456789abcdef", null, 0);
        var japanese = NotificationTexts.Compose(RotationNoticeKind.ProbeChanged, ContactLanguages.Japanese, "Contoso Ltd", "probe-0123456789abcdef", null, 0);

        Assert.Equal("[TenantPortal] Contoso Ltd: the verification probe URL was changed", english.Subject);
        Assert.Equal("[TenantPortal] Contoso Ltd: 検証プローブのURLが変更されました", japanese.Subject);
        Assert.DoesNotContain("probe-", english.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("probe-", japanese.Body, StringComparison.Ordinal);
    }
}
