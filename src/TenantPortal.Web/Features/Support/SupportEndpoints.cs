using CsvHelper;

namespace TenantPortal.Web.Features.Support;

/// <summary>The rotation status list as CSV, over plain HTTP for the download link.</summary>
public static class SupportEndpoints
{
    public static IEndpointRouteBuilder MapSupportEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // Formula-looking text (a display name starting with '=') is escaped for spreadsheets.
        endpoints.MapGet(RotationStatusLinks.ExportCsvPath, async (HttpContext http, SupportService support, [AsParameters] RotationStatusExportQuery query) =>
        {
            var (filter, problem) = RotationStatusLinks.Parse(query.Status, query.DueFrom, query.DueBefore, query.Q, query.Sort, query.Desc);
            if (filter is null)
            {
                return Results.Problem(problem, statusCode: StatusCodes.Status400BadRequest, title: "The filter was refused");
            }

            var export = await support.ExportRotationStatusAsync(http.User, filter, http.RequestAborted);
            if (export is null)
            {
                return Results.NotFound();
            }

            if (export.Rows is not { } rows)
            {
                return Results.Problem(export.Problem, statusCode: StatusCodes.Status400BadRequest, title: "The filter was refused");
            }

            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"rotation-status{(filter.Status is { } s ? "-" + s.ToString().ToLowerInvariant() : "")}.csv\"";
            await using var csv = CsvWriter.Create(http.Response.Body, CsvWriterOptions.Default with { Injection = CsvInjection.Escape }, true);
            await csv.WriteRecordsAsync(Csv(rows, export.At), http.RequestAborted);
            await csv.FlushAsync(http.RequestAborted);
            return Results.Empty;
        }).RequireAuthorization();

        return endpoints;
    }

    private static async IAsyncEnumerable<RotationStatusCsvRow> Csv(IAsyncEnumerable<TenantRotationRow> rows, DateTimeOffset now)
    {
        await foreach (var r in rows)
        {
            yield return RotationStatusCsvRow.From(r, now);
        }
    }
}

public sealed record RotationStatusExportQuery(string? Status, string? DueFrom, string? DueBefore, string? Q, string? Sort, string? Desc);

/// <summary>One exported row: metadata only.</summary>
[CsvRecord]
public sealed partial record RotationStatusCsvRow(
    string TenantId,
    string TenantName,
    string Status,
    DateTimeOffset? DueAt,
    DateTimeOffset? LastRotatedAt,
    int? KeyAgeDays,
    int Versions,
    int StoreDrift,
    DateTimeOffset? OffboardedAt)
{
    public static RotationStatusCsvRow From(TenantRotationRow row, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new(row.TenantId, row.TenantName, TenantKeyStatuses.LabelOf(row.Status), row.DueAt, row.LastRotatedAt,
            row.KeyAgeDays(now), row.VersionCount, row.DriftCount, row.OffboardedAt);
    }
}
