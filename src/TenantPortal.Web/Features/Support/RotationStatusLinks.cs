using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using TenantPortal.Web.Infrastructure.Text;

namespace TenantPortal.Web.Features.Support;

/// <summary>
/// The rotation status list's filter as a query string: what the dashboard links to, what the page keeps in its
/// address (so that a filtered list can be shared), and what the CSV export reads. Times are UTC; a date alone is
/// its midnight.
/// </summary>
public static class RotationStatusLinks
{
    public const string ListPath = "/support/rotation-status";
    public const string ExportCsvPath = "/support/rotation-status/export.csv";

    // The messages are worded in the caller's UI culture (RotationStatusLinks.resx, .ja.resx beside this file).
    private static readonly ResourceTexts Texts = new(typeof(RotationStatusLinks));

    public static string TimelinePath(string tenantId) => $"/support/tenants/{Uri.EscapeDataString(tenantId)}/timeline";

    public static string List(RotationStatusFilter filter) => QueryHelpers.AddQueryString(ListPath, ToQuery(filter));

    public static string ExportCsv(RotationStatusFilter filter) => QueryHelpers.AddQueryString(ExportCsvPath, ToQuery(filter));

    public static Dictionary<string, string?> ToQuery(RotationStatusFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var query = new Dictionary<string, string?>();
        if (filter.Status is { } status)
        {
            query["status"] = status.ToString();
        }

        if (filter.DueFrom is { } from)
        {
            query["dueFrom"] = Format(from);
        }

        if (filter.DueBefore is { } before)
        {
            query["dueBefore"] = Format(before);
        }

        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            query["q"] = filter.Search.Trim();
        }

        if (filter.Sort != RotationStatusSort.DueDate)
        {
            query["sort"] = filter.Sort.ToString();
        }

        if (filter.Descending)
        {
            query["desc"] = "true";
        }

        return query;
    }

    /// <summary>The filter the query string names, or why it names none (an unknown status or sort, a time that is not one).</summary>
    public static (RotationStatusFilter? Filter, string? Problem) Parse(string? status, string? dueFrom, string? dueBefore, string? search, string? sort, string? descending)
    {
        TenantKeyStatus? parsedStatus = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (!Enum.TryParse<TenantKeyStatus>(status, ignoreCase: true, out var s) || !Enum.IsDefined(s) || int.TryParse(status, out _))
            {
                return (null, Texts.Format("NoSuchStatus", Cut(status), string.Join(", ", Enum.GetNames<TenantKeyStatus>())));
            }

            parsedStatus = s;
        }

        var parsedSort = RotationStatusSort.DueDate;
        if (!string.IsNullOrEmpty(sort) && (!Enum.TryParse(sort, ignoreCase: true, out parsedSort) || !Enum.IsDefined(parsedSort) || int.TryParse(sort, out _)))
        {
            return (null, Texts.Format("NoSuchSort", Cut(sort), string.Join(", ", Enum.GetNames<RotationStatusSort>())));
        }

        var (from, fromProblem) = ParseTime(dueFrom, "dueFrom");
        var (before, beforeProblem) = ParseTime(dueBefore, "dueBefore");
        if ((fromProblem ?? beforeProblem) is { } problem)
        {
            return (null, problem);
        }

        var desc = string.Equals(descending, "true", StringComparison.OrdinalIgnoreCase);
        return (new RotationStatusFilter(string.IsNullOrWhiteSpace(search) ? null : search, parsedStatus, from, before, parsedSort, desc), null);
    }

    private static (DateTimeOffset? Time, string? Problem) ParseTime(string? text, string name)
    {
        if (string.IsNullOrEmpty(text))
        {
            return (null, null);
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? (time, null)
            : (null, Texts.Format("NotATime", name, Cut(text)));
    }

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    private static string Cut(string text) => TextRules.Neutralize(text, 40);
}
