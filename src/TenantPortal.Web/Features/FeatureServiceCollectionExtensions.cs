using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Auth.AppTokens;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.ApiKeys.Api;
using TenantPortal.Web.Features.Audit;
using TenantPortal.Web.Features.KeyHealth;
using TenantPortal.Web.Features.Platform;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Support;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.SecretStore;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.Infrastructure.Leases;
using TenantPortal.Web.Infrastructure.Telemetry;

namespace TenantPortal.Web.Features;

public static class FeatureServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddPortalFeatures(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        // Services word the messages they return in the caller's language (IStringLocalizer<TheService>); idempotent.
        builder.Services.AddLocalization();
        builder.Services.AddPortalMetrics();
        // Snackbars fully opaque: at MudBlazor's default 95 % their text misses 4.5:1 contrast.
        builder.Services.AddMudServices(o => o.SnackbarConfiguration.MaximumOpacity = 100);
        if (DevelopmentSignIn.IsEnabled(builder.Configuration, builder.Environment))
        {
            // The development personas' tenants (the sign-in itself is AddPortalAuthentication's).
            builder.Services.AddHostedService<DevelopmentTenantSeeder>();
        }

        builder.Services.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<AuditAppender>();
        builder.Services.AddSingleton<DenialAuditBudget>();
        builder.Services.AddScoped<AuditTrail>();
        builder.Services.AddSingleton<AuditVerifier>();
        builder.Services.AddScoped<AuditService>();
        builder.Services.AddScoped<AuditRetention>();
        builder.Services.AddOptions<AuditRetentionOptions>().BindConfiguration(AuditRetentionOptions.SectionName)
            .Validate(o => o.Days >= 30, "Audit:Retention:Days must be at least 30.")
            .Validate(o => o.Interval >= TimeSpan.FromMinutes(1), "Audit:Retention:Interval must be at least one minute.")
            .ValidateOnStart();
        builder.Services.AddHostedService<AuditRetentionWorker>();
        // The key services tell their callers what happened in the caller's language (resources beside each service).
        builder.Services.AddLocalization();
        builder.Services.AddScoped<ApiKeyService>();
        builder.AddPortalApi();
        builder.Services.AddPortalKeyHealth();
        builder.Services.AddScoped<KeyLifecycle>();
        builder.Services.AddSingleton<ApiKeyFingerprints>();
        builder.Services.AddSingleton<TenantKeyLocks>();
        builder.Services.AddOptions<KeyLockOptions>().BindConfiguration(KeyLockOptions.SectionName).ValidateDataAnnotations()
            .Validate<IOptions<SecretStoreOptions>>((o, store) => o.Duration >= 2 * store.Value.OperationTimeout,
                "ApiKeys:Lock:Duration must be at least twice SecretStore:OperationTimeout (a store call must end well before the lease can lapse).")
            .ValidateOnStart();
        builder.Services.AddScoped<SupportService>();
        builder.Services.AddScoped<TenantService>();
        builder.Services.AddSingleton<IOnboardedDirectories, OnboardedDirectories>();
        builder.Services.TryAddSingleton<AllowListChanges>();
        builder.Services.AddSingleton<OnboardedDirectoriesChanged>();
        builder.Services.AddSingleton<IInterceptor>(sp => sp.GetRequiredService<OnboardedDirectoriesChanged>());
        builder.Services.AddSingleton<IInterceptor>(sp => sp.GetRequiredService<OnboardedDirectoriesChanged>().Transactions);
        builder.Services.AddSingleton<ISaveChangesInspector>(sp => sp.GetRequiredService<OnboardedDirectoriesChanged>());
        builder.Services.TryAddSingleton<Leases>();
        builder.Services.TryAddSingleton<LeaseHolder>();
        builder.Services.AddScoped<RotationMonitor>();
        builder.Services.AddOptions<RotationMonitorOptions>().BindConfiguration(RotationMonitorOptions.SectionName)
            .Validate(o => o.Interval >= TimeSpan.FromSeconds(10), "Rotation:Monitor:Interval must be at least 10 seconds.")
            .Validate(o => o.LeaseDuration > o.Interval, "Rotation:Monitor:LeaseDuration must be longer than Rotation:Monitor:Interval.")
            .Validate(o => o.BatchSize is >= 1 and <= 5000, "Rotation:Monitor:BatchSize must be between 1 and 5000.")
            .ValidateOnStart();
        builder.Services.AddHostedService<RotationMonitorWorker>();
        builder.Services.AddScoped<PlatformSettingsService>();
        builder.Services.AddScoped<ApiKeyReconciler>();
        builder.Services.AddScoped<ReconciliationScheduler>();
        builder.Services.AddOptions<ReconciliationOptions>().BindConfiguration(ReconciliationOptions.SectionName).ValidateDataAnnotations()
            .Validate(o => o.LeaseDuration > o.PassInterval, "Reconciliation:LeaseDuration must be longer than Reconciliation:PassInterval.")
            .ValidateOnStart();
        builder.Services.AddSingleton<ApiKeyReconciliationWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ApiKeyReconciliationWorker>());
        return builder;
    }
}
