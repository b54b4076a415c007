using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using TenantPortal.Web.Data;

namespace TenantPortal.Web.SecretStore;

public sealed class SecretStoreOptions
{
    public const string SectionName = "SecretStore";

    /// <summary><c>Local</c> (embedded default, encrypted files) or, once available, <c>AzureKeyVault</c>.</summary>
    public SecretStoreProvider Provider { get; set; } = SecretStoreProvider.Local;
}

public enum SecretStoreProvider
{
    Local,
}

public static class SecretStoreServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddPortalSecretStore(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var appData = configuration.GetSection(AppDataOptions.SectionName).Get<AppDataOptions>() ?? new AppDataOptions();
        var contentRoot = builder.Environment.ContentRootPath;

        // The key that encrypts is kept apart from the data it encrypts: its own folder (in Azure, its own store).
        var keysPath = Path.GetFullPath(NullIfBlank(configuration["DataProtection:KeysPath"]) ?? appData.Resolve(contentRoot, "keys"), contentRoot);
        var secretsPath = Path.GetFullPath(NullIfBlank(configuration["SecretStore:Local:SecretsPath"]) ?? appData.Resolve(contentRoot, "secrets"), contentRoot);
        if (string.Equals(keysPath.TrimEnd('/'), secretsPath.TrimEnd('/'), StringComparison.Ordinal))
        {
            throw new OptionsValidationException(SecretStoreOptions.SectionName, typeof(SecretStoreOptions),
                ["DataProtection:KeysPath and SecretStore:Local:SecretsPath must be different folders: the key ring is kept apart from the data it encrypts."]);
        }

        builder.Logging.AddSecretLoggingGuard();
        builder.Services.AddDataProtection()
            .SetApplicationName("TenantPortal")
            .PersistKeysToFileSystem(new DirectoryInfo(keysPath));

        builder.Services.AddOptions<SecretStoreOptions>().BindConfiguration(SecretStoreOptions.SectionName).ValidateOnStart();
        builder.Services.Configure<LocalSecretStoreOptions>(o => o.SecretsPath = secretsPath);
        builder.Services.AddSingleton<ISecretStore, LocalSecretStore>();
        builder.Services.AddHealthChecks().AddCheck<SecretStoreHealthCheck>("secret-store", tags: ["ready"]);
        return builder;
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
