using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TenantPortal.KeyReader;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.KeyReader;

/// <summary>Registration, options validation, and the library's boundaries checked on the compiled assemblies.</summary>
public sealed class KeyReaderRegistrationTests
{
    [Fact]
    public void AddTenantApiKeyReader_KeyVaultWithoutVaultUri_FailsNamingTheSetting()
    {
        using var services = new ServiceCollection().AddLogging().AddTenantApiKeyReader().BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<ITenantApiKeyProvider>());

        Assert.Contains("TenantApiKeyReader:VaultUri", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddTenantApiKeyReader_UsageReportingWithoutAppIdUriOrOverHttp_FailsNamingTheSettings()
    {
        using var services = new ServiceCollection().AddLogging()
            .AddTenantApiKeyReader(o =>
            {
                o.VaultUri = new Uri("https://vault.example/");
                o.UsageReporting.PortalUri = new Uri("http://portal.example/");
                o.UsageReporting.MaxPendingEntries = 10;
                o.UsageReporting.MaxBatchEntries = 20;
                o.UsageReporting.Interval = TimeSpan.Zero;
            })
            .BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<TenantApiKeyReaderOptions>>().Value);

        Assert.Contains(ex.Failures, f => f.StartsWith("TenantApiKeyReader:UsageReporting:PortalUri must be the portal's absolute https address", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("TenantApiKeyReader:UsageReporting:PortalAppIdUri must be the portal's Application ID URI", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("TenantApiKeyReader:UsageReporting:MaxBatchEntries cannot be more than", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("TenantApiKeyReader:UsageReporting:Interval:", StringComparison.Ordinal));
    }

    [Fact]
    public void AddTenantApiKeyReader_OutOfRangeTtlOrMissingLocalFolders_FailsValidation()
    {
        using var services = new ServiceCollection().AddLogging()
            .AddTenantApiKeyReader(o =>
            {
                o.Store = TenantApiKeyStore.Local;
                o.CacheTtl = TimeSpan.Zero;
            })
            .BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<TenantApiKeyReaderOptions>>().Value);

        Assert.Contains(ex.Failures, f => f.Contains("CacheTtl", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("TenantApiKeyReader:LocalSecretsPath", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(10_000_001)]
    public void AddTenantApiKeyReader_MaxCachedTenantsOutOfRange_FailsNamingTheSettingAndItsRange(int maxCachedTenants)
    {
        using var services = new ServiceCollection().AddLogging()
            .AddTenantApiKeyReader(o =>
            {
                o.VaultUri = new Uri("https://vault.example/");
                o.MaxCachedTenants = maxCachedTenants;
            })
            .BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<ITenantApiKeyProvider>());

        var failure = Assert.Single(ex.Failures);
        Assert.Contains("'TenantApiKeyReader:MaxCachedTenants must be between 1 and 10000000: the most tenants whose answers the cache keeps at once.'",
            failure, StringComparison.Ordinal);
    }

    [Fact]
    public void TenantApiKeyReaderOptions_MaxCachedTenants_DefaultsTo100000()
    {
        Assert.Equal(100_000, new TenantApiKeyReaderOptions().MaxCachedTenants);
    }

    [Fact]
    public void AddTenantApiKeyReader_WithConfiguration_BindsTheSectionThenAppliesCode()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TenantApiKeyReader:VaultUri"] = "https://contoso-portal-prod.vault.azure.net/",
            ["TenantApiKeyReader:CacheTtl"] = "00:02:00",
            ["TenantApiKeyReader:MaxStaleness"] = "02:00:00",
            ["TenantApiKeyReader:ManagedIdentityClientId"] = "00000000-0000-0000-0000-000000000001",
        }).Build();
        using var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration)
            .AddTenantApiKeyReader(o => o.NegativeCacheTtl = TimeSpan.FromSeconds(5))
            .BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<TenantApiKeyReaderOptions>>().Value;

        Assert.Equal(new Uri("https://contoso-portal-prod.vault.azure.net/"), options.VaultUri);
        Assert.Equal(TimeSpan.FromMinutes(2), options.CacheTtl);
        Assert.Equal(TimeSpan.FromHours(2), options.MaxStaleness);
        Assert.Equal(TimeSpan.FromSeconds(5), options.NegativeCacheTtl);
        Assert.Equal(TenantApiKeyStore.AzureKeyVault, options.Store);
        Assert.NotNull(services.GetRequiredService<ITenantApiKeyProvider>());
    }

    [Fact]
    public void KeyReaderAssembly_OnlyGetsSecretsAndListsVersionsOnTheVaultAndNeverProtects()
    {
        var members = MemberReferences(typeof(ITenantApiKeyProvider).Assembly);

        // Key Vault Secrets User: getSecret, and readMetadata for the version list (no values) when the latest is disabled.
        Assert.Equal([".ctor", "GetPropertiesOfSecretVersionsAsync", "GetSecretAsync"],
            members.Where(m => m.Type == "SecretClient").Select(m => m.Name).Distinct().Order(StringComparer.Ordinal));
        Assert.DoesNotContain(members, m => m.Name is "Protect" or "SetSecretAsync" or "SetSecret" or "UpdateSecretPropertiesAsync"
            or "StartDeleteSecretAsync" or "PurgeDeletedSecretAsync" or "RestoreSecretBackupAsync" or "StartRecoverDeletedSecretAsync");
        Assert.DoesNotContain(members, m => m.Type == "File" && (m.Name.StartsWith("Write", StringComparison.Ordinal)
            || m.Name.StartsWith("Create", StringComparison.Ordinal) || m.Name is "Delete" or "Move" or "Copy"));
    }

    [Fact]
    public void KeyReaderAndPortal_NeitherReferencesTheOther()
    {
        Assert.DoesNotContain(typeof(ITenantApiKeyProvider).Assembly.GetReferencedAssemblies(), a => a.Name!.StartsWith("TenantPortal.Web", StringComparison.Ordinal));
        Assert.DoesNotContain(typeof(ISecretStore).Assembly.GetReferencedAssemblies(), a => a.Name == "TenantPortal.KeyReader");
    }

    private static List<(string Type, string Name)> MemberReferences(Assembly assembly)
    {
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var result = new List<(string Type, string Name)>();
        foreach (var handle in metadata.MemberReferences)
        {
            var member = metadata.GetMemberReference(handle);
            var type = member.Parent.Kind switch
            {
                HandleKind.TypeReference => metadata.GetString(metadata.GetTypeReference((TypeReferenceHandle)member.Parent).Name),
                HandleKind.TypeSpecification => "(generic)",
                _ => "",
            };
            result.Add((type, metadata.GetString(member.Name)));
        }

        return result;
    }
}
