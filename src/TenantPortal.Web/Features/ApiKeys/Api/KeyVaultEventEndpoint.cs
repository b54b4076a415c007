using System.Text.Json;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Infrastructure.Api;

namespace TenantPortal.Web.Features.ApiKeys.Api;

/// <summary>
/// <c>POST /api/events/key-vault</c>: Key Vault's events through an Azure Event Grid system topic (Event Grid schema),
/// delivered with an Entra token of the provider's own directory (<see cref="PortalPolicies.EventGridDelivery"/>). The
/// validation handshake is answered; <c>SecretNewVersionCreated</c>, <c>SecretNearExpiry</c> and <c>SecretExpired</c> on a
/// <c>tenant-&lt;id&gt;-api-key</c> secret reconcile just that tenant. A tenant that could not be reconciled answers 503, so
/// Event Grid delivers the batch again; events carry no value.
/// </summary>
public static partial class KeyVaultEventEndpoint
{
    public const string Path = "/api/events/key-vault";
    public const int MaxBodyBytes = 1024 * 1024;

    private static readonly string[] Reconciling =
        ["Microsoft.KeyVault.SecretNewVersionCreated", "Microsoft.KeyVault.SecretNearExpiry", "Microsoft.KeyVault.SecretExpired"];

    public static IEndpointRouteBuilder MapKeyVaultEvents(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Path, HandleAsync)
            .RequireAuthorization(PortalPolicies.EventGridDelivery)
            .DisableAntiforgery()
            .AddEndpointFilter(ApiFailures.Filter)
            .ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> HandleAsync(HttpContext http, ApiKeyReconciler reconciler, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        JsonDocument events;
        try
        {
            if (http.Request.ContentLength > MaxBodyBytes)
            {
                return ApiProblem.Result(StatusCodes.Status413PayloadTooLarge, "body_too_large", "An Event Grid delivery is at most 1 MB.");
            }

            events = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException)
        {
            return ApiProblem.Result(StatusCodes.Status400BadRequest, "malformed_json", "The body is not an Event Grid schema event array.");
        }

        using (events)
        {
            if (events.RootElement.ValueKind != JsonValueKind.Array)
            {
                return ApiProblem.Result(StatusCodes.Status400BadRequest, "body_not_array", "The body is not an Event Grid schema event array.");
            }

            var all = events.RootElement.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object).ToList();
            var validation = all.FirstOrDefault(e => Text(e, "eventType") == "Microsoft.EventGrid.SubscriptionValidationEvent");
            if (validation.ValueKind == JsonValueKind.Object
                && validation.TryGetProperty("data", out var data) && Text(data, "validationCode") is { Length: > 0 } code)
            {
                return TypedResults.Ok(new { validationResponse = code });
            }

            var tenants = all
                .Where(e => Reconciling.Contains(Text(e, "eventType"), StringComparer.Ordinal))
                .Select(e => e.TryGetProperty("data", out var d) ? TenantOf(Text(d, "ObjectName")) : null)
                .OfType<string>()
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToList();
            var results = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var tenant in tenants)
            {
                var outcome = (await reconciler.ReconcileTenantAsync(tenant, cancellationToken)).Outcome.ToString();
                results[outcome] = results.GetValueOrDefault(outcome) + 1;
            }

            var logger = loggers.CreateLogger(typeof(KeyVaultEventEndpoint));
            int reconciled = results.GetValueOrDefault(nameof(TenantReconciliationOutcome.Reconciled)), busy = results.GetValueOrDefault(nameof(TenantReconciliationOutcome.Busy)),
                failed = results.GetValueOrDefault(nameof(TenantReconciliationOutcome.Failed)), count = all.Count, named = tenants.Count;
            LogDelivery(logger, count, named, reconciled, busy, failed);
            if (results.ContainsKey(nameof(TenantReconciliationOutcome.Failed)))
            {
                http.Response.Headers.RetryAfter = "60";
                return ApiProblem.Result(StatusCodes.Status503ServiceUnavailable, "not_completed",
                    "A tenant named in the delivery could not be reconciled now (the store or the database did not answer); deliver it again.");
            }

            return TypedResults.Ok(new { events = all.Count, tenants = tenants.Count, outcomes = results });
        }
    }

    /// <summary>The portal tenant a secret name belongs to, or null for any other secret in the vault.</summary>
    internal static string? TenantOf(string? secretName)
    {
        const string prefix = "tenant-", suffix = "-api-key";
        if (secretName is null || secretName.Length <= prefix.Length + suffix.Length
            || !secretName.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || !secretName.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var id = secretName[prefix.Length..^suffix.Length].ToLowerInvariant();
        return SecretStore.SecretName.IsValidTenantId(id, out _) ? id : null;
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Key Vault event delivery: {Events} event(s) naming {Tenants} tenant(s): {Reconciled} reconciled, {Busy} busy, {Failed} failed")]
    private static partial void LogDelivery(ILogger logger, int events, int tenants, int reconciled, int busy, int failed);
}
