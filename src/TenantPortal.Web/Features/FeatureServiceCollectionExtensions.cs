using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor.Services;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Audit;
using TenantPortal.Web.Features.Support;

namespace TenantPortal.Web.Features;

public static class FeatureServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddPortalFeatures(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddMudServices();
        builder.Services.AddScoped<AuditTrail>();
        builder.Services.AddScoped<ApiKeyService>();
        builder.Services.AddScoped<SupportService>();
        return builder;
    }
}
