using System.Globalization;
using System.Linq.Expressions;
using System.Resources;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Rotation;

namespace TenantPortal.Web.Features.Support;

/// <summary>Where a tenant stands, as support sees it: its key's rotation status, or offboarded.</summary>
public enum TenantKeyStatus
{
    Active,
    DueSoon,
    Overdue,
    Revoked,
    NotSet,
    Offboarded,
}

/// <summary>
/// One rule for a tenant's status, written twice: as database predicates (so that counts and lists stay in the
/// database, on indexes) and as <see cref="Of"/> for a row already read. Both read the current version's recorded due
/// date (<see cref="ApiKeyVersion.ExpiresAt"/>, also the store's <c>exp</c>) and its "due soon" moment, as
/// <see cref="RotationSchedule.StatusOf"/> does; a current version without a recorded due date (only one recovered
/// from the store without <c>exp</c>) is active with no due date, as the rotation monitor never makes it due.
/// An offboarded tenant is offboarded whatever its versions say.
/// </summary>
public static class TenantKeyStatuses
{
    /// <summary>Statuses that come from a current version.</summary>
    public static bool IsKeyed(TenantKeyStatus status) => status is TenantKeyStatus.Active or TenantKeyStatus.DueSoon or TenantKeyStatus.Overdue;

    public static TenantKeyStatus Of(bool offboarded, bool hasCurrent, DateTimeOffset? dueAt, DateTimeOffset? dueSoonAt, bool hasRevoked, DateTimeOffset now)
    {
        if (offboarded)
        {
            return TenantKeyStatus.Offboarded;
        }

        if (hasCurrent && dueAt is null)
        {
            return TenantKeyStatus.Active;
        }

        return RotationSchedule.StatusOf(hasCurrent ? dueAt : null, dueSoonAt, hasRevoked, now) switch
        {
            RotationStatus.Overdue => TenantKeyStatus.Overdue,
            RotationStatus.DueSoon => TenantKeyStatus.DueSoon,
            RotationStatus.Revoked => TenantKeyStatus.Revoked,
            RotationStatus.NotSet => TenantKeyStatus.NotSet,
            _ => TenantKeyStatus.Active,
        };
    }

    public static RotationStatus? AsRotationStatus(TenantKeyStatus status) => status switch
    {
        TenantKeyStatus.Active => RotationStatus.Ok,
        TenantKeyStatus.DueSoon => RotationStatus.DueSoon,
        TenantKeyStatus.Overdue => RotationStatus.Overdue,
        TenantKeyStatus.Revoked => RotationStatus.Revoked,
        TenantKeyStatus.NotSet => RotationStatus.NotSet,
        _ => null,
    };

    private static readonly ResourceManager Labels = new(typeof(TenantKeyStatuses));

    /// <summary>The status as a reader sees it, in the current UI culture (<see cref="LabelOf"/> stays English for exports).</summary>
    public static string DisplayName(TenantKeyStatus status) =>
        Labels.GetString(Enum.IsDefined(status) ? status.ToString() : nameof(TenantKeyStatus.Offboarded), CultureInfo.CurrentUICulture) ?? LabelOf(status);

    /// <summary>A key version's status as a reader sees it, in the current UI culture.</summary>
    public static string DisplayName(ApiKeyVersionStatus status) =>
        Labels.GetString("Version" + status, CultureInfo.CurrentUICulture) ?? status.ToString();

    /// <summary>The status's English name, as the CSV export writes it.</summary>
    public static string LabelOf(TenantKeyStatus status) => status switch
    {
        TenantKeyStatus.Active => "Active",
        TenantKeyStatus.DueSoon => "Due soon",
        TenantKeyStatus.Overdue => "Overdue",
        TenantKeyStatus.Revoked => "Revoked",
        TenantKeyStatus.NotSet => "Not set",
        _ => "Offboarded",
    };

    /// <summary>
    /// A current version with a recorded due date and status <paramref name="status"/> at <paramref name="now"/>
    /// (Active, DueSoon or Overdue); the version's <see cref="ApiKeyVersion.Status"/> is checked by the caller.
    /// </summary>
    public static Expression<Func<ApiKeyVersion, bool>> DueIn(TenantKeyStatus status, DateTimeOffset now)
    {
        // RotationSchedule.StatusOf's window for a version without a "due soon" moment.
        var soon = now + RotationSchedule.DefaultDueSoonWindow;
        return status switch
        {
            TenantKeyStatus.Overdue => v => v.ExpiresAt <= now,
            TenantKeyStatus.DueSoon => v => v.ExpiresAt > now && (v.DueSoonAt <= now || (v.DueSoonAt == null && v.ExpiresAt <= soon)),
            TenantKeyStatus.Active => v => v.ExpiresAt > now && (v.DueSoonAt > now || (v.DueSoonAt == null && v.ExpiresAt > soon)),
            _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Only a current version's statuses have a due date."),
        };
    }
}
