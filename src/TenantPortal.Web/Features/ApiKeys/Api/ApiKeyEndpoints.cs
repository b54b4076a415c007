using System.Security.Claims;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Infrastructure.Api;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.ApiKeys.Api;

/// <summary>
/// The automation API for a tenant's key (<c>/api/v1</c>): the same <see cref="ApiKeyService"/> as the page (its
/// authorization, validation, probe, audit and key lifecycle), called with an app-only token. Values go in and never
/// come out; refusals are RFC 7807 problem details.
/// </summary>
/// <summary>The JSON body an endpoint reads itself (see <see cref="ApiJsonBody"/>), for the OpenAPI document.</summary>
public sealed record ApiRequestBody(Type Type);

public static class ApiKeyEndpoints
{
    public const string RoutePrefix = "/api/v1/tenants/{tenantId}/api-key";


    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    private const string ValueExample = "{\"value\": \"<the API key>\"}";
    private const string ReasonExample = "{\"reason\": \"<why>\"}";

    public static IEndpointRouteBuilder MapApiKeyEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var key = endpoints.MapGroup(RoutePrefix).WithTags("API key").DisableAntiforgery().AddEndpointFilter(ApiFailures.Filter);

        key.MapGet("", GetAsync)
            .RequireAuthorization(PortalPolicies.AppRole(PortalAppRoles.ApiKeysRead))
            .AddEndpointFilter(ApiKeyRateLimits.Filter(write: false))
            .WithName("GetApiKey")
            .WithSummary("The key's rotation status and version history (metadata only).")
            .Produces<ApiKeyStatusResponse>()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status429TooManyRequests);

        key.MapPut("", PutAsync)
            .RequireAuthorization(PortalPolicies.AppRole(PortalAppRoles.ApiKeysRotate))
            .AddEndpointFilter(ApiKeyRateLimits.Filter(write: true))
            .WithMetadata(new ApiRequestBody(typeof(ApiKeyValueRequest)))
            .WithName("PutApiKey")
            .WithSummary("Stores a new version of the tenant's key (a rotation when one is current). Send Idempotency-Key to retry safely.")
            .Produces<ApiKeySubmitResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        key.MapPost("/revoke", RevokeAsync)
            .RequireAuthorization(PortalPolicies.AppRole(PortalAppRoles.ApiKeysRotate))
            .AddEndpointFilter(ApiKeyRateLimits.Filter(write: true))
            .WithMetadata(new ApiRequestBody(typeof(ApiKeyRevokeRequest)))
            .WithName("RevokeApiKey")
            .WithSummary("Emergency revoke: disables every enabled version in the store at once. A reason is required.")
            .Produces<ApiKeyChangeResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests);

        key.MapPost("/restore-previous", RestorePreviousAsync)
            .RequireAuthorization(PortalPolicies.AppRole(PortalAppRoles.ApiKeysRotate))
            .AddEndpointFilter(ApiKeyRateLimits.Filter(write: true))
            .WithName("RestorePreviousApiKey")
            .WithSummary("Makes the previous version current again while its grace period lasts.")
            .Produces<ApiKeyChangeResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        return endpoints;
    }

    private static async Task<IResult> GetAsync(string tenantId, ClaimsPrincipal user, ApiKeyService keys, CancellationToken cancellationToken)
    {
        var overview = await keys.GetOverviewAsync(user, tenantId, cancellationToken);
        if (overview is null)
        {
            return NotFound(tenantId);
        }

        return TypedResults.Ok(new ApiKeyStatusResponse(overview.TenantId, overview.Status.ToString(), overview.RotationIntervalDays,
            overview.Current is null ? null : ApiKeyVersionResponse.From(overview.Current),
            overview.PreviousInGrace is null ? null : ApiKeyVersionResponse.From(overview.PreviousInGrace),
            overview.History.Select(ApiKeyVersionResponse.From).ToList()));
    }

    private static async Task<IResult> PutAsync(
        string tenantId, HttpContext http, ApiKeyService keys, ApiIdempotency idempotency, ApiKeyFingerprints fingerprints, CancellationToken cancellationToken)
    {
        var headers = http.Request.Headers[IdempotencyKeyHeader];
        var idempotencyKey = headers.Count == 0 ? null : headers.Count == 1 ? headers[0] : "";
        if (idempotencyKey is not null && !IsValidIdempotencyKey(idempotencyKey))
        {
            return ApiProblem.Result(StatusCodes.Status400BadRequest, "idempotency_key_invalid",
                $"The {IdempotencyKeyHeader} header must be sent once, with 1 to {ApiIdempotencyRecord.KeyMaxLength} visible ASCII characters (a UUID is a good choice).");
        }

        var body = await ApiJsonBody.ReadAsync(http.Request, ["value"], ValueExample, cancellationToken);
        if (body.Problem is { } unreadable)
        {
            return unreadable;
        }

        if (body["value"] is not { } text)
        {
            return ApiProblem.Result(StatusCodes.Status400BadRequest, "value_missing", $"The body has no \"value\": send {ValueExample}.");
        }

        var value = new SecretValue(text);
        long? record = null;
        if (idempotencyKey is not null)
        {
            // A value the submit would refuse is not worth a record: the same specific message, before any is written.
            if (keys.ValidateValue(value) is { } problem)
            {
                return ApiProblem.Result(StatusCodes.Status400BadRequest, "invalid_value", problem);
            }

            string fingerprint;
            try
            {
                fingerprint = await fingerprints.ComputeAsync(value, cancellationToken);
            }
            catch (FingerprintKeyUnavailableException)
            {
                return ApiProblem.Result(StatusCodes.Status503ServiceUnavailable, "not_completed",
                    "The portal cannot read the key it fingerprints API keys with, so the key was not stored. Nothing was changed; an operator must restore the key ring.");
            }

            switch (await idempotency.BeginAsync(tenantId, ClientOf(http.User), idempotencyKey, fingerprint, cancellationToken))
            {
                case IdempotencyClaim.Began began:
                    record = began.RecordId;
                    break;
                case IdempotencyClaim.Replay replay:
                    if (!await keys.MaySubmitAsync(http.User, tenantId, cancellationToken))
                    {
                        return NotFound(tenantId);
                    }

                    http.Response.Headers[ReplayedHeader] = "true";
                    return TypedResults.Created(Location(tenantId), replay.Response);
                case IdempotencyClaim.Reused:
                    return ApiProblem.Result(StatusCodes.Status409Conflict, "idempotency_key_reused",
                        $"This {IdempotencyKeyHeader} was sent with another value in the last {ApiIdempotency.Retention.TotalHours:0} hours. Use a new key for a new value; nothing was changed.");
                case IdempotencyClaim.InDoubt:
                    http.Response.Headers.RetryAfter = "60";
                    return ApiProblem.Result(StatusCodes.Status409Conflict, "idempotency_in_doubt",
                        $"The first request with this {IdempotencyKeyHeader} reached the secret store, but the portal has not recorded it yet; " +
                        "reconciliation records it within minutes. Retry with the same key to get its answer; do not send the value again under a new key.");
                default:
                    http.Response.Headers.RetryAfter = "1";
                    return ApiProblem.Result(StatusCodes.Status409Conflict, "idempotency_in_progress",
                        $"The first request with this {IdempotencyKeyHeader} is still running. Retry shortly to get its answer.");
            }
        }

        KeyChangeResult result;
        try
        {
            result = await keys.SubmitApiKeyAsync(http.User, tenantId, value, cancellationToken);
        }
        catch
        {
            if (record is { } id)
            {
                await idempotency.ReleaseAsync(id);
            }

            throw;
        }

        if (!result.Succeeded || result.Version is not { } version)
        {
            if (record is { } id && result.InDoubtVersion is { } written)
            {
                // The store holds it: a retry must not write it again; it gets the answer once reconciliation records it.
                await idempotency.CompleteAsync(id, written, replacedVersion: null);
            }
            else if (record is { } released)
            {
                await idempotency.ReleaseAsync(released);
            }

            return Refusal(tenantId, result, "invalid_value");
        }

        if (record is { } completed)
        {
            await idempotency.CompleteAsync(completed, version.Version, result.ReplacedVersion);
        }

        return TypedResults.Created(Location(tenantId), ApiKeySubmitResponse.From(tenantId, version, result.ReplacedVersion));
    }

    private static async Task<IResult> RevokeAsync(string tenantId, HttpContext http, ApiKeyService keys, CancellationToken cancellationToken)
    {
        var body = await ApiJsonBody.ReadAsync(http.Request, ["reason"], ReasonExample, cancellationToken);
        if (body.Problem is { } unreadable)
        {
            return unreadable;
        }

        // The call itself is the confirmation the page asks for with a checkbox.
        var result = await keys.RevokeAsync(http.User, tenantId, body["reason"] ?? "", confirmed: true, cancellationToken);
        return result.Succeeded ? TypedResults.Ok(new ApiKeyChangeResponse(tenantId, result.Message, result.Version?.Version)) : Refusal(tenantId, result, "invalid_reason");
    }

    private static async Task<IResult> RestorePreviousAsync(string tenantId, ClaimsPrincipal user, ApiKeyService keys, CancellationToken cancellationToken)
    {
        var result = await keys.RestorePreviousAsync(user, tenantId, cancellationToken);
        return result.Succeeded ? TypedResults.Ok(new ApiKeyChangeResponse(tenantId, result.Message, result.Version?.Version)) : Refusal(tenantId, result, "invalid_request");
    }

    private static IResult Refusal(string tenantId, KeyChangeResult result, string invalidCode) => result.Outcome switch
    {
        KeyChangeOutcome.NotFound => NotFound(tenantId),
        KeyChangeOutcome.Invalid => ApiProblem.Result(StatusCodes.Status400BadRequest, invalidCode, result.Message),
        KeyChangeOutcome.Conflict => ApiProblem.Result(StatusCodes.Status409Conflict, "conflict", result.Message),
        KeyChangeOutcome.Busy => ApiProblem.Result(StatusCodes.Status409Conflict, "busy", result.Message),
        _ => ApiProblem.Result(StatusCodes.Status503ServiceUnavailable, "not_completed", result.Message),
    };

    /// <summary>Another tenant's and a missing one look the same (the denial is audited, and the trail tells them apart).</summary>
    private static IResult NotFound(string tenantId) => ApiProblem.Result(StatusCodes.Status404NotFound, "tenant_not_found",
        $"There is no tenant '{(tenantId.Length > 64 ? tenantId[..64] + "…" : tenantId)}' that this token's directory manages.");

    private static string Location(string tenantId) => RoutePrefix.Replace("{tenantId}", Uri.EscapeDataString(tenantId), StringComparison.Ordinal);

    private static string ClientOf(ClaimsPrincipal user) => PortalActor.From(user) is { } actor ? $"{actor.EntraTenantId:D}/{actor.AppId}" : "";

    private static bool IsValidIdempotencyKey(string key) =>
        key.Length is > 0 and <= ApiIdempotencyRecord.KeyMaxLength && key.All(c => c is > ' ' and <= '~');
}
