using System.Globalization;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Notifications;
using TenantPortal.Web.Features.Tenants;

namespace TenantPortal.Tests.Features.Notifications;

/// <summary>NotificationTexts as it was before its texts moved to resources (issue 19): the texts the resources must reproduce exactly.</summary>
internal static class NotificationTextsBeforeResources
{
    public static NotificationText Compose(RotationNoticeKind kind, string? language, string tenantName, string storeVersionId, DateTimeOffset? dueAt, int leadDays) =>
        language == ContactLanguages.Japanese
            ? Japanese(kind, tenantName, ShortVersion(storeVersionId), dueAt is { } j ? j.UtcDateTime.ToString("yyyy年M月d日 (UTC)", CultureInfo.InvariantCulture) : "未設定", leadDays)
            : English(kind, tenantName, ShortVersion(storeVersionId), dueAt is { } e ? e.UtcDateTime.ToString("d MMMM yyyy (UTC)", CultureInfo.InvariantCulture) : "not set", leadDays);

    /// <summary>The first 8 characters of a store version id, as the portal shows it everywhere.</summary>
    public static string ShortVersion(string storeVersionId) => storeVersionId.Length > 8 ? storeVersionId[..8] : storeVersionId;

    private static NotificationText English(RotationNoticeKind kind, string tenant, string version, string due, int leadDays)
    {
        var (subject, body) = kind switch
        {
            RotationNoticeKind.Reminder => (
                $"{tenant}: rotate your API key within {leadDays} {(leadDays == 1 ? "day" : "days")}",
                $"The API key that {tenant} has stored in TenantPortal (version {version}) is due for rotation on {due}.\n\n" +
                $"Please submit a new key in TenantPortal within {leadDays} {(leadDays == 1 ? "day" : "days")}."),
            RotationNoticeKind.Overdue => (
                $"{tenant}: your API key is overdue for rotation",
                $"The API key that {tenant} has stored in TenantPortal (version {version}) was due for rotation on {due}.\n\n" +
                "Please submit a new key in TenantPortal as soon as possible."),
            RotationNoticeKind.Revoked => (
                $"{tenant}: your API key was revoked",
                $"Version {version} of the API key that {tenant} has stored in TenantPortal was revoked: it is disabled in the vault, and the service " +
                "stops using it once its cached copy expires (normally within minutes).\n\n" +
                "Please submit a new key in TenantPortal so that the service can call the provider again."),
            RotationNoticeKind.Rotated => (
                $"{tenant}: your API key was rotated",
                $"A new API key for {tenant} (version {version}) is now current in TenantPortal. Its next rotation is due on {due}.\n\n" +
                "The previous version stays enabled until the end of the grace period."),
            RotationNoticeKind.PreviousDisabled => (
                $"{tenant}: the previous API key version was disabled",
                $"Version {version} of the API key for {tenant}, which a newer key replaced, was disabled at the end of its grace period."),
            RotationNoticeKind.ProbeChanged => (
                $"{tenant}: the verification probe URL was changed",
                $"A tenant admin of {tenant} set, changed or removed the verification probe URL in TenantPortal. Every new API key is sent to " +
                "that URL to check it before it is stored, so it must be your provider's.\n\n" +
                "If nobody in your organisation made this change, check the probe on the tenant page in TenantPortal and do not submit a new key until it is put right."),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown notice kind."),
        };
        return new NotificationText("[TenantPortal] " + subject,
            body + $"\n\n--\nTenantPortal sent this message to the contacts of {tenant}. It never contains an API key.\n");
    }

    private static NotificationText Japanese(RotationNoticeKind kind, string tenant, string version, string due, int leadDays)
    {
        var (subject, body) = kind switch
        {
            RotationNoticeKind.Reminder => (
                $"{tenant}: {leadDays}日以内にAPIキーをローテーションしてください",
                $"{tenant} が TenantPortal に登録しているAPIキー（バージョン {version}）のローテーション期限は {due} です。\n\n" +
                $"{leadDays}日以内に TenantPortal で新しいキーを登録してください。"),
            RotationNoticeKind.Overdue => (
                $"{tenant}: APIキーのローテーション期限を過ぎています",
                $"{tenant} が TenantPortal に登録しているAPIキー（バージョン {version}）のローテーション期限（{due}）を過ぎています。\n\n" +
                "至急、TenantPortal で新しいキーを登録してください。"),
            RotationNoticeKind.Revoked => (
                $"{tenant}: APIキーが失効しました",
                $"{tenant} が TenantPortal に登録しているAPIキー（バージョン {version}）は失効し、保管庫で無効になりました。" +
                "サービスはキャッシュされたキーの有効期限が切れた時点（通常は数分以内）で使用を停止します。\n\n" +
                "サービスがプロバイダーを再び呼び出せるよう、TenantPortal で新しいキーを登録してください。"),
            RotationNoticeKind.Rotated => (
                $"{tenant}: APIキーがローテーションされました",
                $"{tenant} の新しいAPIキー（バージョン {version}）が TenantPortal で有効になりました。次回のローテーション期限は {due} です。\n\n" +
                "以前のバージョンは猶予期間の終了まで有効です。"),
            RotationNoticeKind.PreviousDisabled => (
                $"{tenant}: 以前のAPIキーのバージョンを無効にしました",
                $"新しいキーに置き換えられた {tenant} のAPIキー（バージョン {version}）は、猶予期間が終了したため無効になりました。"),
            RotationNoticeKind.ProbeChanged => (
                $"{tenant}: 検証プローブのURLが変更されました",
                $"{tenant} のテナント管理者が TenantPortal で検証プローブのURLを設定、変更、または削除しました。新しいAPIキーは登録前に確認のため必ずこのURLに送信されるため、" +
                "URLはご利用のプロバイダーのものである必要があります。\n\n" +
                "この変更に心当たりがない場合は、TenantPortal のテナントページでプローブを確認し、正しく直されるまで新しいキーを登録しないでください。"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown notice kind."),
        };
        return new NotificationText("[TenantPortal] " + subject,
            body + $"\n\n--\nこのメールは TenantPortal から {tenant} の連絡先に送信されています。APIキーが記載されることはありません。\n");
    }
}

