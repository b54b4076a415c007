using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Infrastructure.Outbound;
using TenantPortal.Web.Infrastructure.Telemetry;

namespace TenantPortal.Web.Features.Notifications;

public static class NotificationServiceCollectionExtensions
{
    /// <summary>
    /// The outbound side of rotation: the SSRF-safe HTTP client, the verification probe, e-mail and webhook senders,
    /// the dispatcher and its worker, and the tenant admin's webhook settings. Needs Data Protection
    /// (<c>AddPortalSecretStore</c>), the audit trail (<c>AddPortalFeatures</c>) and authorization
    /// (<c>AddPortalAuthentication</c>). Calling it twice registers nothing twice.
    /// </summary>
    public static IHostApplicationBuilder AddPortalNotifications(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddPortalMetrics();
        if (services.Any(d => d.ServiceType == typeof(NotificationDispatcher)))
        {
            return builder;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddPortalOutbound();
        services.AddSingleton<IApiKeyProbe, ApiKeyProbe>();

        var isDevelopment = builder.Environment.IsDevelopment();
        var pickup = (builder.Configuration.GetSection(AppDataOptions.SectionName).Get<AppDataOptions>() ?? new AppDataOptions())
            .Resolve(builder.Environment.ContentRootPath, "mail-pickup");
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.SectionName)
            .PostConfigure(o => o.PickupDirectory = isDevelopment ? pickup : null)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidator>();
        services.AddOptions<NotificationDispatchOptions>().BindConfiguration(NotificationDispatchOptions.SectionName)
            .Validate(o => o.Interval >= TimeSpan.FromSeconds(1), "Notifications:Dispatch:Interval must be at least one second.")
            .Validate(o => o.BatchSize is >= 1 and <= 100, "Notifications:Dispatch:BatchSize must be between 1 and 100.")
            .Validate(o => o.MaxAttempts is >= 1 and <= 20, "Notifications:Dispatch:MaxAttempts must be between 1 and 20.")
            .Validate(o => o.ClaimTimeout >= TimeSpan.FromMinutes(1), "Notifications:Dispatch:ClaimTimeout must be at least one minute (longer than any send).")
            .ValidateOnStart();

        services.AddSingleton<WebhookSigningKeys>();
        services.AddSingleton<INotificationSender, EmailSender>();
        services.AddSingleton<INotificationSender, WebhookSender>();
        services.AddScoped<NotificationDispatcher>();
        services.AddSingleton<NotificationWakeUp>();
        services.AddSingleton<NotificationWakeUpInterceptor>();
        services.AddSingleton<IInterceptor>(sp => sp.GetRequiredService<NotificationWakeUpInterceptor>());
        services.AddSingleton<ISaveChangesInspector>(sp => sp.GetRequiredService<NotificationWakeUpInterceptor>());
        services.AddSingleton<IInterceptor>(sp => sp.GetRequiredService<NotificationWakeUpInterceptor>().Transactions);
        services.AddSingleton<NotificationDispatchWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<NotificationDispatchWorker>());
        services.AddScoped<WebhookSettingsService>();
        return builder;
    }
}
