using TenantPortal.Web.Infrastructure.Api;

namespace TenantPortal.Web.Features.ApiKeys.Api;

/// <summary>
/// What <c>/api</c> answers when nothing else does: an unknown path is a 404 problem (not the portal's not-found page),
/// and an unexpected failure a 500 problem naming the trace id (not the HTML error page), logged without the request.
/// </summary>
public static partial class ApiFailures
{
    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        // A tenant id is a slug (letters, digits, hyphens): no other spelling of an id (a trailing space a database
        // collation ignores) reaches the service or gets a rate-limit partition of its own.
        if (context.HttpContext.GetRouteValue("tenantId") is string tenantId && !IsSlug(tenantId))
        {
            return NotFound();
        }

        try
        {
            return await next(context);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiFailures));
            LogFailed(logger, ex, context.HttpContext.Request.Method, context.HttpContext.GetEndpoint()?.DisplayName);
            return ApiProblem.Result(StatusCodes.Status500InternalServerError, "internal_error",
                "The portal failed while handling the request; it is logged under this response's traceId. " +
                "Check the key's state with GET before trying again (a PUT retried with the same Idempotency-Key is safe).");
        }
    }

    public static IEndpointRouteBuilder MapApiNotFound(this IEndpointRouteBuilder endpoints)
    {
        endpoints.Map("/api/{**path}", NotFound).WithOrder(int.MaxValue).ExcludeFromDescription().DisableAntiforgery();
        return endpoints;
    }

    private static IResult NotFound() => ApiProblem.Result(StatusCodes.Status404NotFound, "not_found",
        $"There is no such endpoint (tenant ids are letters, digits and hyphens); the API is described at {ApiServiceCollectionExtensions.OpenApiDocumentPath}.");

    private static bool IsSlug(string id) => id.Length is > 0 and <= 112 && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    [LoggerMessage(Level = LogLevel.Error, Message = "API request {Method} {Endpoint} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string method, string? endpoint);
}
