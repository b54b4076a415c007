using System.Text.Json;
using CsvHelper;

namespace TenantPortal.Web.Features.Audit;

/// <summary>Exports (CSV, JSON) and chain verification over plain HTTP, for downloads and for operators' scripts.</summary>
public static class AuditEndpoints
{
    public const string ExportCsvPath = "/audit/export.csv";
    public const string ExportJsonPath = "/audit/export.json";
    public const string VerifyPath = "/audit/verify";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("").RequireAuthorization();

        group.MapGet(ExportCsvPath, async (HttpContext http, AuditService audit, [AsParameters] AuditExportQuery query) =>
        {
            var rows = await audit.ExportAsync(http.User, query.ToFilter(), "csv", http.RequestAborted);
            if (rows is null)
            {
                return Results.NotFound();
            }

            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"audit-{query.Tenant ?? "all"}.csv\"";
            // Formula-looking text (a display name starting with '=') is escaped for spreadsheets; the JSON export keeps
            // every field exactly as hashed, for offline verification.
            await using var csv = CsvWriter.Create(http.Response.Body, CsvWriterOptions.Default with { Injection = CsvInjection.Escape }, true);
            await csv.WriteRecordsAsync(rows, http.RequestAborted);
            await csv.FlushAsync(http.RequestAborted);
            return Results.Empty;
        });

        group.MapGet(ExportJsonPath, async (HttpContext http, AuditService audit, [AsParameters] AuditExportQuery query) =>
        {
            var rows = await audit.ExportAsync(http.User, query.ToFilter(), "json", http.RequestAborted);
            if (rows is null)
            {
                return Results.NotFound();
            }

            http.Response.ContentType = "application/json; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"audit-{query.Tenant ?? "all"}.json\"";
            await JsonSerializer.SerializeAsync(http.Response.Body, rows, Json, http.RequestAborted);
            return Results.Empty;
        });

        group.MapGet(VerifyPath, async (HttpContext http, AuditService audit, string chain) =>
            await audit.VerifyAsync(http.User, chain, http.RequestAborted) is { } result ? Results.Ok(result) : Results.NotFound());

        return endpoints;
    }
}

public sealed record AuditExportQuery(string? Tenant, DateTimeOffset? From, DateTimeOffset? To, string? Action, AuditOutcome? Outcome, string? Actor)
{
    public AuditFilter ToFilter() => new(Tenant, From, To, Action, Outcome, Actor);
}
