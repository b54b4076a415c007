using System.Net;
using Azure.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Integration;

/// <summary>The whole portal with SecretStore:Provider=AzureKeyVault, the real SecretClient talking to the protocol fake.</summary>
public sealed class KeyVaultPortalTests : IAsyncLifetime
{
    private KeyVaultFake _vault = null!;
    private PortalAppFactory _factory = null!;

    public async Task InitializeAsync()
    {
        _vault = await KeyVaultFake.StartAsync(pageSize: 2);
        _factory = new PortalAppFactory
        {
            ConfigureServices = services =>
            {
                services.AddSingleton<TokenCredential>(_vault.Credential);
                services.PostConfigure<SecretStoreOptions>(o => o.ConfigureClient = _vault.ConfigureClient);
            },
        }
            .WithSetting("SecretStore:Provider", "AzureKeyVault")
            .WithSetting("SecretStore:VaultUri", _vault.VaultUri.ToString())
            .WithSetting("SecretStore:MaxRetries", "2")
            .WithSetting("SecretStore:RetryDelay", "00:00:00.010")
            .WithSetting("SecretStore:RetryMaxDelay", "00:00:00.050")
            .WithSetting("SecretStore:NetworkTimeout", "00:00:01")
            .WithSetting("SecretStore:OperationTimeout", "00:00:03")
            .WithSetting("Reconciliation:Enabled", "false");
        _factory.StartServer();
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _vault.DisposeAsync();
    }

    [Fact]
    public async Task SubmitAndRotate_WritesTaggedVersionsWithExpiry_AndNeverReadsAValue()
    {
        var first = $"sk_live_KV_first_{Guid.NewGuid():N}";
        var second = $"sk_live_KV_second_{Guid.NewGuid():N}";

        var one = await SubmitAsync(first);
        var two = await SubmitAsync(second);

        Assert.True(one.Succeeded, one.Message);
        Assert.True(two.Succeeded, two.Message);
        var versions = _vault.VersionsOf("tenant-contoso-api-key");
        Assert.Equal([first, second], versions.Select(v => v.Value));
        var oid = PortalActor.From(TestPersonas.ContosoAdmin)!.ObjectId.ToString();
        Assert.All(versions, v =>
        {
            Assert.Equal("text/plain", v.ContentType);
            Assert.Equal("contoso", v.Tags[ApiKeyTags.TenantId]);
            Assert.Equal(oid, v.Tags[ApiKeyTags.SetByObjectId]);
            Assert.DoesNotContain(v.Tags.Values, t => t.Contains("Adele", StringComparison.Ordinal) || t.Contains('@', StringComparison.Ordinal));
            Assert.NotNull(v.ExpiresOn);
            Assert.InRange(v.ExpiresOn!.Value - v.Created, TimeSpan.FromDays(90) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(90) + TimeSpan.FromMinutes(1));
        });

        await using var db = CreateDbContext();
        var rows = await db.ApiKeyVersions.OrderBy(v => v.Id).ToListAsync();
        Assert.Equal(versions.Select(v => v.Version), rows.Select(r => r.StoreVersionId));
        Assert.Equal([ApiKeyVersionStatus.Previous, ApiKeyVersionStatus.Current], rows.Select(r => r.Status));
        Assert.Empty(_vault.ValueReads);
        Assert.DoesNotContain(_factory.AllLogText(), l => l.Contains(first, StringComparison.Ordinal) || l.Contains(second, StringComparison.Ordinal));
    }

    public static TheoryData<FaultKind> Faults => [FaultKind.Throttle, FaultKind.ServerError, FaultKind.DropConnection, FaultKind.Slow];

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Submit_VaultFault_TellsTheUserToRetry_AuditsTheFailure_RecordsNothing_ThenReconciles(FaultKind fault)
    {
        _vault.Enqueue(fault, times: 10, delay: TimeSpan.FromSeconds(2));

        var result = await SubmitAsync("sk_live_KV_fault_000000001");

        Assert.Equal(KeyChangeOutcome.Failed, result.Outcome);
        Assert.Contains("try again", result.Message, StringComparison.Ordinal);
        await using (var db = CreateDbContext())
        {
            Assert.Empty(await db.ApiKeyVersions.ToListAsync());
            Assert.Equal([AuditOutcome.Requested, AuditOutcome.Failed],
                await db.AuditEvents.Where(e => e.Action == AuditActions.ApiKeySubmit).OrderBy(e => e.Id).Select(e => e.Outcome).ToListAsync());
        }

        // Once the vault recovers, the failed submit is a write in doubt (requested, never succeeded): the
        // search for writes in doubt reconciles it, leaving database and vault consistent (a slow vault may have kept writes).
        _vault.ClearFaults();
        using (var scope = _factory.Services.CreateScope())
        {
            var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
            var budget = new VaultCallBudget(scope.ServiceProvider.GetRequiredService<SecretStoreCalls>(), 100);
            var inDoubt = await scope.ServiceProvider.GetRequiredService<ApiKeyReconciler>()
                .SettleInDoubtAsync(now.AddHours(-1), now, budget, _ => Task.FromResult(true), default);
            Assert.Equal((1, 1), (inDoubt.Found, inDoubt.Settled));
        }

        await using (var db = CreateDbContext())
        {
            var recorded = await db.ApiKeyVersions.Select(v => v.StoreVersionId).ToListAsync();
            Assert.Equal(_vault.VersionsOf("tenant-contoso-api-key").Select(v => v.Version).Order(), recorded.Order());
            Assert.True(await db.ApiKeyVersions.CountAsync(v => v.Status == ApiKeyVersionStatus.Current) <= 1);
        }

        Assert.Empty(_vault.ValueReads);
    }

    [Fact]
    public async Task Ready_ReportsTheVaultWithoutReadingAnyValue()
    {
        using var client = _factory.CreateClient();
        await SubmitAsync("sk_live_KV_health_00000001");

        var healthy = await client.GetAsync("/health/ready");
        _vault.Enqueue(FaultKind.ServerError, times: 20);
        var unhealthy = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unhealthy.StatusCode);
        Assert.Empty(_vault.ValueReads);
    }

    private PortalDbContext CreateDbContext() =>
        _factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();

    private async Task<KeyChangeResult> SubmitAsync(string value)
    {
        using var scope = _factory.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ApiKeyService>()
            .SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(value), default);
    }
}

public class KeyVaultSettingsTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("http://my-vault.vault.azure.net/")]
    [InlineData("my-vault")]
    public void AzureKeyVaultWithoutAnHttpsVaultUri_FailsStartupNamingTheSetting(string? vaultUri)
    {
        using var factory = new PortalAppFactory()
            .WithSetting("SecretStore:Provider", "AzureKeyVault")
            .WithSetting("SecretStore:VaultUri", vaultUri);

        var ex = factory.StartupFailure();

        Assert.Contains("SecretStore:VaultUri", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownProvider_FailsStartup()
    {
        using var factory = new PortalAppFactory().WithSetting("SecretStore:Provider", "Vaultish");

        var ex = factory.StartupFailure();

        Assert.Contains("Vaultish", ex.ToString(), StringComparison.Ordinal);
    }
}
