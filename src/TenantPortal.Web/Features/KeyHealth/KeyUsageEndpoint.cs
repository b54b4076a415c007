using System.Buffers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Net.Http.Headers;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Features.ApiKeys.Api;
using TenantPortal.Web.Infrastructure.Api;

namespace TenantPortal.Web.Features.KeyHealth;

/// <summary>
/// <c>POST /api/v1/key-usage</c>: the SaaS backend's usage and rejection counts, as TenantPortal.KeyReader batches
/// them, with the backend's own app-only token (application role <c>KeyUsage.Report</c>, home tenant only). A batch is
/// checked whole before anything is applied: one bad entry refuses it with the entry's index and what is wrong.
/// </summary>
public static partial class KeyUsageEndpoint
{
    public const string Route = "/api/v1/key-usage";
    public const int MaxEntries = 10_000;

    /// <summary>10,000 entries of the longest tenant id and version, with room to spare.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);
    private const string Schema = "{\"batchId\": \"<uuid>\", \"droppedEntries\": 0, \"entries\": [{\"tenantId\", \"version\", \"uses\", \"lastUsedAt\", \"rejections\", \"firstRejectedAt\", \"lastRejectedAt\"}]}";

    public static IEndpointRouteBuilder MapKeyUsageEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Route, PostAsync)
            .RequireAuthorization(PortalPolicies.AppRole(PortalAppRoles.KeyUsageReport))
            .AddEndpointFilter(ApiKeyRateLimits.Filter(write: false))
            .WithMetadata(new ApiRequestBody(typeof(KeyUsageReportRequest)))
            .DisableAntiforgery()
            .WithTags("Key usage")
            .WithName("ReportKeyUsage")
            .WithSummary("The SaaS backend's key usage and provider rejections per tenant and version (TenantPortal.KeyReader). Home tenant only; a batch id makes retries safe.")
            .Produces<KeyUsageReportResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return endpoints;
    }

    private static async Task<IResult> PostAsync(HttpContext http, KeyUsageIngestion ingestion, TimeProvider time, CancellationToken cancellationToken)
    {
        var (report, problem) = await ReadAsync(http.Request, time.GetUtcNow(), cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        return await ingestion.IngestAsync(http.User, report!, cancellationToken) switch
        {
            KeyUsageIngestOutcome.Applied applied => TypedResults.Ok(applied.Response),
            KeyUsageIngestOutcome.Forbidden forbidden => ApiProblem.Result(StatusCodes.Status403Forbidden, forbidden.Code, forbidden.Detail),
            _ => ApiProblem.Result(StatusCodes.Status409Conflict, "batch_id_taken",
                "Another client app sent a batch with this batchId; send a new UUID for each batch (and the same one only for its retries)."),
        };
    }

    internal static async Task<(KeyUsageBatchReport? Report, IResult? Problem)> ReadAsync(HttpRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return Refused(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", $"Send the batch as application/json: {Schema}.");
        }

        if (request.ContentLength > MaxBytes)
        {
            return TooLarge();
        }

        var buffer = ArrayPool<byte>.Shared.Rent(MaxBytes + 1);
        try
        {
            var length = 0;
            int read;
            while (length <= MaxBytes && (read = await request.Body.ReadAsync(buffer.AsMemory(length, MaxBytes + 1 - length), cancellationToken)) > 0)
            {
                length += read;
            }

            if (length > MaxBytes)
            {
                return TooLarge();
            }

            KeyUsageReportRequest? body;
            try
            {
                body = JsonSerializer.Deserialize(buffer.AsSpan(0, length), KeyHealthJsonContext.Default.KeyUsageReportRequest);
            }
            catch (JsonException ex)
            {
                return Refused(StatusCodes.Status400BadRequest, "malformed_batch",
                    $"The body is not a key usage batch: {SafePath(ex.Path)} (line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}) is not what {Schema} allows.");
            }

            return Check(body, now);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    private static (KeyUsageBatchReport?, IResult?) Check(KeyUsageReportRequest? body, DateTimeOffset now)
    {
        if (body is null)
        {
            return Invalid("malformed_batch", $"The body must be one JSON object: {Schema}.");
        }

        if (body.BatchId is not { } batchId || batchId == Guid.Empty)
        {
            return Invalid("batch_id_missing", "The batch has no batchId: send a new UUID for each batch, and the same one when retrying it.");
        }

        if (body.DroppedEntries is < 0)
        {
            return Invalid("entry_invalid", "droppedEntries cannot be negative.");
        }

        if (body.Entries is not { } entries)
        {
            return Invalid("entries_missing", "The batch has no \"entries\" array (it may be empty).");
        }

        if (entries.Count > MaxEntries)
        {
            return Invalid("too_many_entries", $"A batch holds at most {MaxEntries:N0} entries; this one has {entries.Count:N0}. Send the rest in another batch.");
        }

        var merged = new Dictionary<(string, string), KeyUsageEntry>(entries.Count);
        var order = new List<(string, string)>(entries.Count);
        var latest = now + ClockSkew;
        for (var i = 0; i < entries.Count; i++)
        {
            if (CheckEntry(entries[i], latest) is { } wrong)
            {
                return Invalid("entry_invalid", $"entries[{i}]: {wrong}");
            }

            var e = entries[i]!;
            var entry = new KeyUsageEntry(e.TenantId!.ToLowerInvariant(), e.Version!, e.Uses!.Value, e.LastUsedAt?.ToUniversalTime(), e.Rejections!.Value,
                e.FirstRejectedAt?.ToUniversalTime(), e.LastRejectedAt?.ToUniversalTime());
            var key = (entry.TenantId, entry.Version);
            if (merged.TryGetValue(key, out var earlier))
            {
                var sum = new KeyUsage();
                sum.Add(earlier, now, TimeSpan.MaxValue);
                sum.Add(entry, now, TimeSpan.MaxValue);
                entry = entry with
                {
                    Uses = sum.Uses, LastUsedAt = sum.LastUsedAt, Rejections = sum.Rejections, FirstRejectedAt = sum.FirstRejectedAt, LastRejectedAt = sum.LastRejectedAt,
                };
            }
            else
            {
                order.Add(key);
            }

            merged[key] = entry;
        }

        return (new KeyUsageBatchReport(batchId, body.DroppedEntries ?? 0, order.Select(k => merged[k]).ToList()), null);
    }

    /// <summary>What is wrong with one entry, naming the field and never quoting a value the rules refuse.</summary>
    private static string? CheckEntry(KeyUsageReportEntry? e, DateTimeOffset latest)
    {
        if (e is null)
        {
            return "an entry must be a JSON object.";
        }

        if (string.IsNullOrEmpty(e.TenantId) || e.TenantId.Length > Tenants.Tenant.SlugMaxLength || !IdPattern().IsMatch(e.TenantId))
        {
            return $"tenantId must be a tenant id: 1–{Tenants.Tenant.SlugMaxLength} letters, digits and hyphens.";
        }

        if (string.IsNullOrEmpty(e.Version) || e.Version.Length > 64 || !IdPattern().IsMatch(e.Version))
        {
            return "version must be the store's version id: 1–64 letters, digits and hyphens.";
        }

        if (e.Uses is not { } uses || uses < 0 || e.Rejections is not { } rejections || rejections < 0)
        {
            return "uses and rejections must be whole numbers, 0 or more.";
        }

        if (uses == 0 && rejections == 0)
        {
            return "the entry reports neither a use nor a rejection.";
        }

        if ((uses > 0) != e.LastUsedAt.HasValue)
        {
            return "lastUsedAt is required when uses is more than 0, and only then.";
        }

        if ((rejections > 0) != e.FirstRejectedAt.HasValue || (rejections > 0) != e.LastRejectedAt.HasValue)
        {
            return "firstRejectedAt and lastRejectedAt are required when rejections is more than 0, and only then.";
        }

        if (e.FirstRejectedAt > e.LastRejectedAt)
        {
            return "firstRejectedAt is after lastRejectedAt.";
        }

        if (e.LastUsedAt > latest || e.LastRejectedAt > latest)
        {
            return "a time is in the future (more than 5 minutes ahead of the portal's clock).";
        }

        return null;
    }

    /// <summary>The JSON path of a parse error, with any property name the schema lacks left out (it could be anything, a key included).</summary>
    private static string SafePath(string? path) => string.IsNullOrEmpty(path) ? "the body" : PathSegment().Replace(path, m =>
        KnownNames.Contains(m.Groups["name"].Value) ? m.Value : ".<a property the batch does not have>");

    private static readonly HashSet<string> KnownNames = new(StringComparer.Ordinal)
    {
        "batchId", "droppedEntries", "entries", "tenantId", "version", "uses", "lastUsedAt", "rejections", "firstRejectedAt", "lastRejectedAt",
    };

    private static (KeyUsageBatchReport?, IResult?) TooLarge() => Refused(StatusCodes.Status413PayloadTooLarge, "body_too_large",
        $"The batch is larger than {MaxBytes / (1024 * 1024)} MB; send at most {MaxEntries:N0} entries per batch.");

    private static (KeyUsageBatchReport?, IResult?) Invalid(string code, string detail) => Refused(StatusCodes.Status400BadRequest, code, detail);

    private static (KeyUsageBatchReport?, IResult?) Refused(int status, string code, string detail) => (null, ApiProblem.Result(status, code, detail));

    [GeneratedRegex("^[A-Za-z0-9-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"\.(?<name>[^.\[]*)|\['(?<name>(?:[^']|'')*)'\]", RegexOptions.CultureInvariant)]
    private static partial Regex PathSegment();
}
