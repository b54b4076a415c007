using System.Globalization;
using System.Resources;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;

namespace TenantPortal.Web.Features.Notifications;

/// <summary>
/// What a notice says to a contact, in English or Japanese: the texts are resources beside this class
/// (<c>NotificationTexts.resx</c>, <c>.ja.resx</c>), as the pages' are, chosen by the contact's language rather than the
/// request's. Names, a short version id and dates only, never a key or its hint.
/// </summary>
public static class NotificationTexts
{
    private static readonly ResourceManager Resources = new(typeof(NotificationTexts));
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");
    private static readonly CultureInfo Japanese = CultureInfo.GetCultureInfo("ja");

    /// <param name="dueAt">The due date; for the key health notices, the moment they are about (the incident's first rejection, the previous version's last use).</param>
    public static NotificationText Compose(RotationNoticeKind kind, string? language, string tenantName, string storeVersionId, DateTimeOffset? dueAt, int leadDays)
    {
        var culture = language == ContactLanguages.Japanese ? Japanese : English;
        string Text(string key) => Resources.GetString(key, culture) ?? throw new InvalidOperationException($"The notification text '{key}' is missing.");

        var isMoment = kind is RotationNoticeKind.KeyRejected or RotationNoticeKind.PreviousStillUsed or RotationNoticeKind.PreviousKeptWhileUsed;
        var when = dueAt is { } at ? at.UtcDateTime.ToString(Text(isMoment ? "TimeFormat" : "DueDateFormat"), CultureInfo.InvariantCulture) : Text("DueNotSet");
        var name = kind switch
        {
            RotationNoticeKind.Reminder => leadDays == 1 ? "ReminderSubjectOne" : "ReminderSubject",
            RotationNoticeKind.Overdue or RotationNoticeKind.Revoked or RotationNoticeKind.Rotated or RotationNoticeKind.PreviousDisabled
                or RotationNoticeKind.ProbeChanged or RotationNoticeKind.KeyRejected or RotationNoticeKind.PreviousStillUsed
                or RotationNoticeKind.PreviousKeptWhileUsed => kind + "Subject",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown notice kind."),
        };
        var bodyName = kind == RotationNoticeKind.Reminder && leadDays == 1 ? "ReminderBodyOne" : kind + "Body";
        object[] arguments = [tenantName, ShortVersion(storeVersionId), when, leadDays];
        return new NotificationText(
            Text("Prefix") + string.Format(CultureInfo.InvariantCulture, Text(name), arguments),
            string.Format(CultureInfo.InvariantCulture, Text(bodyName), arguments) + string.Format(CultureInfo.InvariantCulture, Text("Footer"), arguments));
    }

    /// <summary>The first 8 characters of a store version id, as the portal shows it everywhere.</summary>
    public static string ShortVersion(string storeVersionId) => storeVersionId.Length > 8 ? storeVersionId[..8] : storeVersionId;
}

public sealed record NotificationText(string Subject, string Body);
