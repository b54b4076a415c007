using System.Text.Json;
using CsvHelper;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Audit;

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

        // Formula-looking text (a display name starting with '=') is escaped for spreadsheets; the JSON export keeps
        // every field exactly as hashed, for offline verification.
        group.MapGet(ExportCsvPath, (HttpContext http, AuditService audit, [AsParameters] AuditExportQuery query) =>
            ExportAsync(http, audit, query, "csv", "text/csv; charset=utf-8", async (rows, body, ct) =>
            {
                await using var csv = CsvWriter.Create(body, CsvWriterOptions.Default with { Injection = CsvInjection.Escape }, true);
                await csv.WriteRecordsAsync(rows, ct);
                await csv.FlushAsync(ct);
            }));

        group.MapGet(ExportJsonPath, (HttpContext http, AuditService audit, [AsParameters] AuditExportQuery query) =>
            ExportAsync(http, audit, query, "json", "application/json; charset=utf-8",
                (rows, body, ct) => JsonSerializer.SerializeAsync(body, rows, Json, ct)));

        group.MapGet(VerifyPath, async (HttpContext http, AuditService audit, string chain) =>
            await audit.VerifyAsync(http.User, chain, http.RequestAborted) is { } result ? Results.Ok(result) : Results.NotFound());

        return endpoints;
    }

    /// <summary>Streams the caller's filtered rows in one format; another tenant's rows answer "not found".</summary>
    private static async Task<IResult> ExportAsync(
        HttpContext http,
        AuditService audit,
        AuditExportQuery query,
        string format,
        string contentType,
        Func<IAsyncEnumerable<AuditRow>, Stream, CancellationToken, Task> write)
    {
        var export = await audit.ExportAsync(http.User, query.ToFilter(), format, http.RequestAborted);
        if (export is null)
        {
            return Results.NotFound();
        }

        if (export.Rows is not { } rows)
        {
            return Results.Problem(export.Problem, statusCode: StatusCodes.Status400BadRequest, title: "The filter was refused");
        }

        http.Response.ContentType = contentType;
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{FileName(query.Tenant)}.{format}\"";
        await write(rows, http.Response.Body, http.RequestAborted);
        return Results.Empty;
    }

    /// <summary>
    /// The download's name: <c>audit-&lt;tenant&gt;</c> only for a tenant id that passes the slug rule (a-z, 0-9, '-'), so
    /// nothing the caller typed (quotes, ';', line breaks, non-ASCII) reaches the header; <c>audit</c> for anything else.
    /// </summary>
    internal static string FileName(string? tenant) => tenant switch
    {
        null => "audit-all",
        _ when TenantRules.ValidateSlug(tenant) is null => $"audit-{tenant}",
        _ => "audit",
    };
}

public sealed record AuditExportQuery(string? Tenant, DateTimeOffset? From, DateTimeOffset? To, string? Action, AuditOutcome? Outcome, string? Actor)
{
    public AuditFilter ToFilter() => new(Tenant, From, To, Action, Outcome, Actor);
}
