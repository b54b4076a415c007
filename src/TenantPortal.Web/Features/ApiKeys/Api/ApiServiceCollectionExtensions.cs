using Microsoft.OpenApi;
using TenantPortal.Web.Features.KeyHealth;

namespace TenantPortal.Web.Features.ApiKeys.Api;

public static class ApiServiceCollectionExtensions
{
    public const string OpenApiDocumentPath = "/openapi/v1.json";
    private const string BearerScheme = "Bearer";

    public static IHostApplicationBuilder AddPortalApi(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ApiRateLimitOptions>().BindConfiguration(ApiRateLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ApiKeyRateLimits>();
        services.AddScoped<ApiIdempotency>();
        services.AddProblemDetails();
        services.AddOpenApi("v1", o =>
        {
            o.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "TenantPortal automation API";
                document.Info.Description =
                    "Rotate, revoke, restore and read a tenant's API key from a pipeline, with an app-only Microsoft Entra token from the tenant's own " +
                    "directory (application roles ApiKeys.Rotate and ApiKeys.Read). Values go in and never come out. See docs/automation.md.";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "An app-only access token from Microsoft Entra ID for the portal's API (client credentials or workload identity federation).",
                };
                return Task.CompletedTask;
            });
            o.AddOperationTransformer(async (operation, context, cancellationToken) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<ApiRequestBody>().FirstOrDefault() is { } body)
                {
                    operation.RequestBody = new OpenApiRequestBody
                    {
                        Required = true,
                        Content = new Dictionary<string, OpenApiMediaType>
                        {
                            ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken) },
                        },
                    };
                }

                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
            });
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapPortalApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapApiKeyEndpoints();
        endpoints.MapKeyVaultEvents();
        endpoints.MapKeyUsageEndpoint();
        endpoints.MapApiNotFound();
        endpoints.MapDevelopmentTokenEndpoint();
        endpoints.MapOpenApi(OpenApiDocumentPath.Replace("v1", "{documentName}", StringComparison.Ordinal));
        return endpoints;
    }
}
