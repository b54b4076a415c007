using Azure.Core;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using TenantPortal.Web.Data;
using TenantPortal.Web.Infrastructure.Files;
using TenantPortal.Web.Infrastructure.Leases;
using TenantPortal.Web.Infrastructure.Telemetry;

namespace TenantPortal.Web.SecretStore;

public sealed class SecretStoreOptions
{
    public const string SectionName = "SecretStore";

    /// <summary><c>Local</c> (embedded default, encrypted files) or <c>AzureKeyVault</c>.</summary>
    public SecretStoreProvider Provider { get; set; } = SecretStoreProvider.Local;

    /// <summary>The vault, e.g. <c>https://contoso-portal-prod.vault.azure.net/</c>. Required for <c>AzureKeyVault</c>.</summary>
    public Uri? VaultUri { get; set; }

    /// <summary>Client id of a user-assigned managed identity; empty for the system-assigned one or a developer login.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>The longest one store operation may take, retries included.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after the first attempt, with exponential back-off from <see cref="RetryDelay"/> up to <see cref="RetryMaxDelay"/>.</summary>
    public int MaxRetries { get; set; } = 3;

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(800);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>Per-attempt network timeout.</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A hook for tests (transport, challenge verification); never bound from configuration.</summary>
    public Action<SecretClientOptions>? ConfigureClient { get; set; }
}

public enum SecretStoreProvider
{
    Local,
    AzureKeyVault,
}

internal sealed class SecretStoreOptionsValidator : IValidateOptions<SecretStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, SecretStoreOptions options)
    {
        var failures = new List<string>();
        if (options.Provider == SecretStoreProvider.AzureKeyVault
            && options.VaultUri is not { IsAbsoluteUri: true, Scheme: "https" })
        {
            failures.Add("SecretStore:VaultUri must be the vault's absolute https URI (e.g. https://my-vault.vault.azure.net/) when SecretStore:Provider is AzureKeyVault.");
        }

        if (options.OperationTimeout < TimeSpan.FromSeconds(1) || options.OperationTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add("SecretStore:OperationTimeout must be between 1 second and 5 minutes.");
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            failures.Add("SecretStore:MaxRetries must be between 0 and 10.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

public static class SecretStoreServiceCollectionExtensions
{
    /// <summary>Part of every protector's purpose chain, for the portal's ring and the local store's (and the KeyReader's) alike.</summary>
    public const string ApplicationName = "TenantPortal";

    public static IHostApplicationBuilder AddPortalSecretStore(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var appData = configuration.GetSection(AppDataOptions.SectionName).Get<AppDataOptions>() ?? new AppDataOptions();
        var contentRoot = builder.Environment.ContentRootPath;

        // The local store's key ring is kept apart from the data it encrypts: its own folder, not the secrets folder.
        var keysPath = Path.GetFullPath(NullIfBlank(configuration["DataProtection:KeysPath"]) ?? appData.Resolve(contentRoot, "keys"), contentRoot);
        var secretsPath = Path.GetFullPath(NullIfBlank(configuration["SecretStore:Local:SecretsPath"]) ?? appData.Resolve(contentRoot, "secrets"), contentRoot);
        if (string.Equals(keysPath.TrimEnd('/'), secretsPath.TrimEnd('/'), StringComparison.Ordinal))
        {
            throw new OptionsValidationException(SecretStoreOptions.SectionName, typeof(SecretStoreOptions),
                ["DataProtection:KeysPath and SecretStore:Local:SecretsPath must be different folders: the key ring is kept apart from the data it encrypts."]);
        }

        builder.Logging.AddSecretLoggingGuard();
        builder.Services.AddSingleton(new KeyRingFolder(keysPath));
        // Before Data Protection's own start-up work loads the ring: the first start on an empty database imports the file ring.
        builder.Services.AddHostedService<FileKeyRingImport>();
        // After the import and before Data Protection loads its ring: one first key between instances starting at once.
        builder.Services.TryAddSingleton<Leases>();
        builder.Services.TryAddSingleton<LeaseHolder>();
        builder.Services.AddSingleton<KeyRingStartup>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<KeyRingStartup>());
        builder.Services.AddDataProtection()
            .SetApplicationName(ApplicationName)
            .PersistKeysToPortalDatabase()
            .ProtectKeyRingFromConfiguration(configuration, builder.Environment);

        builder.Services.AddOptions<SecretStoreOptions>().BindConfiguration(SecretStoreOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<SecretStoreCalls>();
        builder.Services.AddPortalMetrics();
        builder.Services.AddSingleton<IValidateOptions<SecretStoreOptions>, SecretStoreOptionsValidator>();

        var provider = configuration.GetSection(SecretStoreOptions.SectionName).GetValue<SecretStoreProvider?>(nameof(SecretStoreOptions.Provider));
        if (provider == SecretStoreProvider.AzureKeyVault)
        {
            // Checked here as well as at start-up, so that a wrong vault setting stops the boot before anything runs.
            var configured = configuration.GetSection(SecretStoreOptions.SectionName).Get<SecretStoreOptions>() ?? new SecretStoreOptions();
            if (new SecretStoreOptionsValidator().Validate(null, configured) is { Failed: true } invalid)
            {
                throw new OptionsValidationException(SecretStoreOptions.SectionName, typeof(SecretStoreOptions), invalid.Failures);
            }

            builder.Services.TryAddSingleton<TokenCredential>(sp => new DefaultAzureCredential(new DefaultAzureCredentialOptions
            {
                ManagedIdentityClientId = NullIfBlank(sp.GetRequiredService<IOptions<SecretStoreOptions>>().Value.ManagedIdentityClientId),
            }));
            builder.Services.AddSingleton(sp => CreateSecretClient(
                sp.GetRequiredService<IOptions<SecretStoreOptions>>().Value, sp.GetRequiredService<TokenCredential>(), sp.GetRequiredService<SecretStoreCalls>(),
                sp.GetRequiredService<PortalMetrics>()));
            builder.Services.AddSingleton<ISecretStore, KeyVaultSecretStore>();
        }
        else
        {
            // 0700 before Data Protection writes its first key there (on Linux it writes each key file 0600 itself).
            PrivateFiles.CreateFolder(keysPath);
            builder.Services.Configure<LocalSecretStoreOptions>(o => o.SecretsPath = secretsPath);
            var environment = builder.Environment;
            builder.Services.AddSingleton(sp => new LocalStoreKeyRing(keysPath, configuration, environment, sp.GetRequiredService<ILoggerFactory>()));
            builder.Services.AddSingleton<ISecretStore>(sp => new LocalSecretStore(
                sp.GetRequiredService<LocalStoreKeyRing>().Provider, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<LocalSecretStoreOptions>>()));
        }

        builder.Services.AddHealthChecks().AddCheck<SecretStoreHealthCheck>("secret-store", tags: ["ready"]);
        return builder;
    }

    private static SecretClient CreateSecretClient(SecretStoreOptions options, TokenCredential credential, SecretStoreCalls calls, PortalMetrics metrics)
    {
        var clientOptions = new SecretClientOptions
        {
            Retry =
            {
                Mode = RetryMode.Exponential,
                MaxRetries = options.MaxRetries,
                Delay = options.RetryDelay,
                MaxDelay = options.RetryMaxDelay,
                NetworkTimeout = options.NetworkTimeout,
            },
        };
        // Request and response bodies carry values: never let the SDK log them.
        clientOptions.Diagnostics.IsLoggingContentEnabled = false;
        clientOptions.AddPolicy(new VaultCallPolicy(calls, metrics), HttpPipelinePosition.PerRetry);
        options.ConfigureClient?.Invoke(clientOptions);
        return new SecretClient(options.VaultUri!, credential, clientOptions);
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

internal sealed class SecretStoreHealthCheck(ISecretStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.CheckAvailabilityAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (SecretStoreException ex)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }
}
