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

/// <summary>The texts moved to resources (issue 19) word for word, and the key health notices in both languages.</summary>
public sealed class NotificationTextResourcesTests
{
    public static TheoryData<RotationNoticeKind, string?, int, bool> EarlierNotices()
    {
        var data = new TheoryData<RotationNoticeKind, string?, int, bool>();
        RotationNoticeKind[] kinds = [RotationNoticeKind.Reminder, RotationNoticeKind.Overdue, RotationNoticeKind.Revoked, RotationNoticeKind.Rotated,
            RotationNoticeKind.PreviousDisabled, RotationNoticeKind.ProbeChanged];
        foreach (var kind in kinds)
        {
            foreach (var language in new string?[] { ContactLanguages.English, ContactLanguages.Japanese, null, "fr" })
            {
                foreach (var lead in new[] { 1, 7 })
                {
                    data.Add(kind, language, lead, true);
                    data.Add(kind, language, lead, false);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EarlierNotices))]
    public void Compose_FromResources_IsExactlyTheTextBeforeTheResources(RotationNoticeKind kind, string? language, int leadDays, bool withDueDate)
    {
        DateTimeOffset? due = withDueDate ? new DateTimeOffset(2026, 3, 9, 17, 45, 0, TimeSpan.FromHours(9)) : null;
        using var japaneseUi = TestHost.UiCulture.Use("ja"); // the request's culture must not matter: the contact's language does

        var now = NotificationTexts.Compose(kind, language, "Contoso Ltd", "3f2a9c71d0e84b6f", due, leadDays);
        var before = NotificationTextsBeforeResources.Compose(kind, language, "Contoso Ltd", "3f2a9c71d0e84b6f", due, leadDays);

        Assert.Equal(before, now);
    }

    [Fact]
    public void Compose_KeyHealthNotices_NameTheMomentInUtc_InEitherLanguage()
    {
        var since = new DateTimeOffset(2026, 11, 30, 18, 12, 0, TimeSpan.FromHours(9));

        var rejected = NotificationTexts.Compose(RotationNoticeKind.KeyRejected, ContactLanguages.English, "Contoso Ltd", "3f2a9c71d0e84b6f", since, 2);
        var rejectedJa = NotificationTexts.Compose(RotationNoticeKind.KeyRejected, ContactLanguages.Japanese, "Contoso Ltd", "3f2a9c71d0e84b6f", since, 2);
        var kept = NotificationTexts.Compose(RotationNoticeKind.PreviousKeptWhileUsed, ContactLanguages.English, "Contoso Ltd", "3f2a9c71d0e84b6f", since, 0);
        var stillUsedJa = NotificationTexts.Compose(RotationNoticeKind.PreviousStillUsed, ContactLanguages.Japanese, "Contoso Ltd", "3f2a9c71d0e84b6f", since, 0);

        Assert.Equal("[TenantPortal] Contoso Ltd: the provider is rejecting your API key", rejected.Subject);
        Assert.StartsWith("The service reported that the provider rejected version 3f2a9c71 of the API key that Contoso Ltd has stored in TenantPortal, " +
            "first at 30 November 2026 09:12 (UTC), and has not accepted it since.", rejected.Body, StringComparison.Ordinal);
        Assert.StartsWith("Contoso Ltd が TenantPortal に登録しているAPIキー（バージョン 3f2a9c71）が、2026年11月30日 09:12 (UTC) から", rejectedJa.Body, StringComparison.Ordinal);
        Assert.Equal("[TenantPortal] Contoso Ltd: the previous API key version is kept while it is still in use", kept.Subject);
        Assert.Contains("still used that version at 30 November 2026 09:12 (UTC). The platform is set to wait", kept.Body, StringComparison.Ordinal);
        Assert.Equal("[TenantPortal] Contoso Ltd: 以前のAPIキーのバージョンがまだ使用されていました", stillUsedJa.Subject);
        Assert.EndsWith("APIキーが記載されることはありません。\n", stillUsedJa.Body, StringComparison.Ordinal);
    }
}
