using Azure.Core;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace TenantPortal.KeyReader;

/// <summary>Registration of <see cref="ITenantApiKeyProvider"/>.</summary>
public static class KeyReaderServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ITenantApiKeyProvider"/> as a singleton. Options come from the <c>TenantApiKeyReader</c>
    /// configuration section when an <see cref="IConfiguration"/> is registered (as in any host), then from
    /// <paramref name="configure"/>; they are validated when the host starts, so a wrong vault URI stops the boot.
    /// Uses the registered <see cref="TimeProvider"/> (the system clock if none).
    /// </summary>
    /// <example>
    /// <code>
    /// builder.Services.AddTenantApiKeyReader(o => o.VaultUri = new Uri("https://contoso-portal-prod.vault.azure.net/"));
    /// </code>
    /// </example>
    public static IServiceCollection AddTenantApiKeyReader(this IServiceCollection services, Action<TenantApiKeyReaderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<TenantApiKeyReaderOptions>();
        services.AddSingleton<IConfigureOptions<TenantApiKeyReaderOptions>>(sp => new BindFromConfiguration(sp.GetService<IConfiguration>()));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TenantApiKeyReaderOptions>, TenantApiKeyReaderOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ITenantApiKeyProvider>(sp =>
        {
            var settings = sp.GetRequiredService<IOptions<TenantApiKeyReaderOptions>>().Value;
            var loggerFactory = sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
            IKeyStore store = settings.Store == TenantApiKeyStore.Local
                ? new LocalKeyStore(Path.GetFullPath(settings.LocalSecretsPath!), Path.GetFullPath(settings.LocalKeysPath!), loggerFactory)
                : new KeyVaultKeyStore(CreateSecretClient(settings));
            return new TenantApiKeyProvider(store, settings, sp.GetRequiredService<TimeProvider>(), loggerFactory.CreateLogger<TenantApiKeyProvider>());
        });
        return services;
    }

    private static SecretClient CreateSecretClient(TenantApiKeyReaderOptions options)
    {
        var clientOptions = new SecretClientOptions
        {
            Retry =
            {
                // Exponential back-off; a 429's or 503's Retry-After wins when it asks for longer.
                Mode = RetryMode.Exponential,
                MaxRetries = 3,
                Delay = TimeSpan.FromMilliseconds(800),
                MaxDelay = TimeSpan.FromSeconds(8),
                NetworkTimeout = TimeSpan.FromSeconds(10),
            },
        };
        // Response bodies carry values: never let the SDK log content.
        clientOptions.Diagnostics.IsLoggingContentEnabled = false;
        options.ConfigureClient?.Invoke(clientOptions);
        var credential = options.Credential ?? new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = string.IsNullOrWhiteSpace(options.ManagedIdentityClientId) ? null : options.ManagedIdentityClientId,
        });
        return new SecretClient(options.VaultUri!, credential, clientOptions);
    }

    private sealed class BindFromConfiguration(IConfiguration? configuration) : IConfigureOptions<TenantApiKeyReaderOptions>
    {
        public void Configure(TenantApiKeyReaderOptions options)
        {
            var section = configuration?.GetSection(TenantApiKeyReaderOptions.SectionName);
            if (section?.Exists() == true)
            {
                section.Bind(options);
            }
        }
    }
}
