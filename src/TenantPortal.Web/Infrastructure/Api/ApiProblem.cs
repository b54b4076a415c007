namespace TenantPortal.Web.Infrastructure.Api;

/// <summary>
/// RFC 7807 problem details for <c>/api</c>: the status, a specific human-readable <c>detail</c> and a stable
/// machine-readable <c>code</c> a pipeline can branch on. A detail never quotes the request body.
/// </summary>
public static class ApiProblem
{
    public const string CodeKey = "code";

    public static IResult Result(int status, string code, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, extensions: new Dictionary<string, object?> { [CodeKey] = code });

    public static Task WriteAsync(HttpContext http, int status, string code, string detail)
    {
        ArgumentNullException.ThrowIfNull(http);
        return Result(status, code, detail).ExecuteAsync(http);
    }
}
