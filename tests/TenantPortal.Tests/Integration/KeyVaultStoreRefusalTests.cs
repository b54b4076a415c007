using Azure.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Integration;

/// <summary>
/// The portal against the Key Vault protocol fake with an identity that may read but not write (a role assignment
/// gone wrong): the vault answers 403, and the person reads the store's refusal in their own language.
/// </summary>
public sealed class KeyVaultStoreRefusalTests : IAsyncLifetime
{
    private KeyVaultFake _vault = null!;
    private PortalAppFactory _factory = null!;

    public async Task InitializeAsync()
    {
        _vault = await KeyVaultFake.StartAsync();
        _factory = new PortalAppFactory
        {
            ConfigureServices = services =>
            {
                services.AddSingleton<TokenCredential>(_vault.ReaderCredential);
                services.PostConfigure<SecretStoreOptions>(o => o.ConfigureClient = _vault.ConfigureClient);
            },
        }
            .WithSetting("SecretStore:Provider", "AzureKeyVault")
            .WithSetting("SecretStore:VaultUri", _vault.VaultUri.ToString())
            .WithSetting("SecretStore:MaxRetries", "0")
            .WithSetting("Reconciliation:Enabled", "false");
        _factory.StartServer();
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _vault.DisposeAsync();
    }

    [Theory]
    [InlineData("en", "The secret store refused the key: The portal's identity is not allowed to do this in Key Vault. Nothing was changed.")]
    [InlineData("ja", "シークレット ストアがキーを拒否しました: ポータルの ID には、Key Vault でこの操作を行う権限がありません。何も変更されていません。")]
    public async Task Submit_VaultForbidsTheWrite_SaysSoInTheCallersLanguage_AuditsInEnglish_StoresNothing(string culture, string expected)
    {
        KeyChangeResult result;
        using (UiCulture.Use(culture))
        {
            using var scope = _factory.Services.CreateScope();
            result = await scope.ServiceProvider.GetRequiredService<ApiKeyService>()
                .SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue("sk_live_KV_forbidden_0000001"), default);
        }

        Assert.Equal(KeyChangeOutcome.Failed, result.Outcome);
        Assert.Equal(expected, result.Message);
        Assert.Empty(_vault.VersionsOf("tenant-contoso-api-key"));
        await using var db = _factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        Assert.Empty(await db.ApiKeyVersions.ToListAsync());
        var failed = await db.AuditEvents.Where(e => e.Action == AuditActions.ApiKeySubmit && e.Outcome == AuditOutcome.Failed).Select(e => e.Reason).SingleAsync();
        Assert.Equal("Secret store refused the change", failed);
    }
}
