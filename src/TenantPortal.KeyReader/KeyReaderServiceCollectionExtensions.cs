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
    /// The named <see cref="HttpClient"/> (<c>IHttpClientFactory</c>) that sends usage reports to the portal: configure it
    /// to add a proxy or a handler, e.g. <c>services.AddHttpClient(KeyReaderServiceCollectionExtensions.UsageReportingHttpClientName)</c>.
    /// </summary>
    public const string UsageReportingHttpClientName = "TenantPortal.KeyReader.UsageReporting";

    /// <summary>
    /// Registers <see cref="ITenantApiKeyProvider"/> as a singleton. Options come from the <c>TenantApiKeyReader</c>
    /// configuration section when an <see cref="IConfiguration"/> is registered (as in any host), then from
    /// <paramref name="configure"/>; they are validated when the host starts, so a wrong vault URI stops the boot.
    /// Uses the registered <see cref="TimeProvider"/> (the system clock if none). With
    /// <see cref="TenantApiKeyReaderOptions.UsageReporting"/> set, every served key is counted and the counts are sent
    /// to the portal in the background with the same identity (<see cref="TenantApiKeyReaderOptions.Credential"/>).
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
        services.AddHttpClient(UsageReportingHttpClientName);
        services.TryAddSingleton<ITenantApiKeyProvider>(sp =>
        {
            var settings = sp.GetRequiredService<IOptions<TenantApiKeyReaderOptions>>().Value;
            var loggerFactory = sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
            var time = sp.GetRequiredService<TimeProvider>();
            var credential = new Lazy<TokenCredential>(() => CreateCredential(settings));
            IKeyStore store = settings.Store == TenantApiKeyStore.Local
                ? new LocalKeyStore(Path.GetFullPath(settings.LocalSecretsPath!), Path.GetFullPath(settings.LocalKeysPath!), loggerFactory)
                : new KeyVaultKeyStore(CreateSecretClient(settings, credential.Value));
            KeyUsageRecorder? usage = null;
            KeyUsageSender? sender = null;
            if (settings.UsageReporting.Enabled)
            {
                var reporting = settings.UsageReporting;
                var clients = sp.GetRequiredService<IHttpClientFactory>();
                usage = new KeyUsageRecorder(time, reporting.MaxPendingEntries);
                sender = new KeyUsageSender(usage, reporting, credential.Value, () => clients.CreateClient(UsageReportingHttpClientName), time,
                    loggerFactory.CreateLogger<KeyUsageSender>());
            }

            return new TenantApiKeyProvider(store, settings, time, loggerFactory.CreateLogger<TenantApiKeyProvider>(), usage, sender);
        });
        return services;
    }

    private static TokenCredential CreateCredential(TenantApiKeyReaderOptions options) =>
        options.Credential ?? new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = string.IsNullOrWhiteSpace(options.ManagedIdentityClientId) ? null : options.ManagedIdentityClientId,
        });

    private static SecretClient CreateSecretClient(TenantApiKeyReaderOptions options, TokenCredential credential)
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
