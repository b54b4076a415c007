namespace TenantPortal.Web.Features.KeyHealth;

public static class KeyHealthServiceCollectionExtensions
{
    public static IServiceCollection AddPortalKeyHealth(this IServiceCollection services)
    {
        services.AddOptions<KeyHealthOptions>().BindConfiguration(KeyHealthOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<KeyUsageIngestion>();
        services.AddScoped<KeyHealthService>();
        services.AddScoped<KeyRejectionNotices>();
        services.AddScoped<KeyHealthSupportService>();
        return services;
    }
}
