using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.ApiKeys;

public sealed class ApiKeyServiceTests : IAsyncLifetime
{
    private const string Key1 = "sk_live_first_key_0001a9F2";
    private const string Key2 = "sk_live_second_key_0002b7C4";
    private PortalServices _portal = null!;

    private ApiKeyService Service => _portal.Get<ApiKeyService>();

    public async Task InitializeAsync() => _portal = await PortalServices.StartAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task SubmitApiKeyAsync_FirstKey_StoresOneVersionAndRecordsItAsCurrent()
    {
        var result = await Service.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Key1), default);

        Assert.Equal(KeyChangeOutcome.Done, result.Outcome);
        var stored = Assert.Single(await _portal.StoredVersionsAsync("contoso"));
        Assert.Equal("tenant-contoso-api-key", stored.Name);
        Assert.Equal("text/plain", stored.ContentType);
        Assert.Equal("contoso", stored.Tags["tenant-id"]);
        Assert.Equal(PortalActor.From(TestPersonas.ContosoAdmin)!.ObjectId.ToString(), stored.Tags["set-by-oid"]);
        Assert.DoesNotContain(stored.Tags.Values, v => v.Contains("Adele", StringComparison.Ordinal));
        Assert.Equal(PortalServices.Start.AddDays(90), stored.ExpiresOn);

        await using var db = _portal.CreateDbContext();
        var version = await db.ApiKeyVersions.SingleAsync();
        Assert.Equal(stored.Version, version.StoreVersionId);
        Assert.Equal(ApiKeyVersionStatus.Current, version.Status);
        Assert.Equal("••••a9F2", version.MaskedHint);
        Assert.Equal("Adele Vance", version.CreatedByName);
        Assert.Equal(PortalServices.Start, version.CreatedAt);

        var audit = await db.AuditEvents.Where(e => e.Action == AuditActions.ApiKeySubmit).OrderBy(e => e.Id).ToListAsync();
        Assert.Equal([AuditOutcome.Requested, AuditOutcome.Succeeded], audit.Select(e => e.Outcome));
        Assert.Equal(stored.Version, audit[1].KeyVersion);
        Assert.Single(audit.Select(e => e.CorrelationId).Distinct());
    }

    [Fact]
    public async Task SubmitApiKeyAsync_Rotation_MakesTheOldVersionPreviousAndTheOneBeforeSuperseded()
    {
        await Service.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Key1), default);
        _portal.Time.Advance(TimeSpan.FromDays(30));
        await Service.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Key2), default);
        _portal.Time.Advance(TimeSpan.FromDays(30));
        var third = await Service.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Key1 + "x"), default);

        var overview = await Service.GetOverviewAsync(TestPersonas.ContosoAdmin, "contoso", default);
        Assert.NotNull(overview);
        Assert.Equal(third.Version!.Version, overview.Current!.Version);
        Assert.Equal(
            [ApiKeyVersionStatus.Current, ApiKeyVersionStatus.Previous, ApiKeyVersionStatus.Superseded],
            overview.History.Select(v => v.Status));
        Assert.Equal(3, (await _portal.StoredVersionsAsync("contoso")).Count);
        await using var db = _portal.CreateDbContext();
        Assert.Equal(
            [AuditActions.ApiKeySubmit, AuditActions.ApiKeyRotate, AuditActions.ApiKeyRotate],
            await db.AuditEvents.Where(e => e.Outcome == AuditOutcome.Succeeded).OrderBy(e => e.Id).Select(e => e.Action).ToListAsync());
    }

    public static TheoryData<string, string> BadValues => new()
    {
        { "", "Enter the API key." },
        { "    ", "blank" },
        { " " + Key1, "starts or ends" },
        { Key1 + "\r\n", "starts or ends" },
        { "sk_live\nsecond_line", "line break" },
        { new string('k', 8193), "8 KB" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public async Task SubmitApiKeyAsync_BadValue_ExplainsAndChangesNothing(string value, string expected)
    {
        var result = await Service.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(value), default);

        Assert.Equal(KeyChangeOutcome.Invalid, result.Outcome);
        Assert.Contains(expected, result.Message, StringComparison.OrdinalIgnoreCase);
        await AssertNothingWrittenAsync("contoso");
    }

    [Fact]
    public async Task SubmitApiKeyAsync_AnotherTenantsAdmin_AnswersNotFoundAuditsDenialAndChangesNothing()
    {
        var result = await Service.SubmitApiKeyAsync(TestPersonas.FabrikamAdmin, "contoso", new SecretValue(Key1), default);

        Assert.Equal(KeyChangeOutcome.NotFound, result.Outcome);
        await AssertNothingWrittenAsync("contoso");
        await using var db = _portal.CreateDbContext();
        var denied = await db.AuditEvents.SingleAsync(e => e.Outcome == AuditOutcome.Denied);
        Assert.Equal("contoso", denied.TenantId);
        Assert.Equal(PortalActor.From(TestPersonas.FabrikamAdmin)!.ObjectId, denied.ActorObjectId);
        Assert.Equal(AuditActions.ApiKeySubmit, denied.Action);
    }

    [Fact]
    public async Task SubmitApiKeyAsync_UnknownTenant_AnswersTheSameNotFound()
    {
        var unknown = await Service.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "no-such-tenant", new SecretValue(Key1), default);
        var foreign = await Service.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "fabrikam", new SecretValue(Key1), default);

        Assert.Equal(foreign, unknown);
    }

    [Theory]
    [InlineData(PortalRoles.SupportReader)]
    [InlineData(PortalRoles.PlatformAdmin)]
    public async Task SubmitApiKeyAsync_Staff_CannotWriteATenantsKey(string role)
    {
        var staff = role == PortalRoles.SupportReader ? TestPersonas.SupportReader : TestPersonas.PlatformAdmin;

        var result = await Service.SubmitApiKeyAsync(staff, "contoso", new SecretValue(Key1), default);

        Assert.Equal(KeyChangeOutcome.NotFound, result.Outcome);
        await AssertNothingWrittenAsync("contoso");
    }

    [Fact]
    public async Task SubmitApiKeyAsync_TenantAdminRoleFromAnUnmappedEntraTenant_IsRefused()
    {
        var stranger = TestPersonas.With(Guid.NewGuid(), PortalRoles.TenantAdmin);

        var result = await Service.SubmitApiKeyAsync(stranger, "contoso", new SecretValue(Key1), default);

        Assert.Equal(KeyChangeOutcome.NotFound, result.Outcome);
        await AssertNothingWrittenAsync("contoso");
    }

    [Fact]
    public async Task SubmitApiKeyAsync_StoreFails_RecordsNoVersionAndAuditsTheFailure()
    {
        await using var portal = await PortalServices.StartAsync(s => s.AddSingleton<ISecretStore>(new FailingSecretStore()));
        var service = portal.Get<ApiKeyService>();

        var result = await service.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Key1), default);

        Assert.Equal(KeyChangeOutcome.Failed, result.Outcome);
        Assert.Contains("try again", result.Message, StringComparison.OrdinalIgnoreCase);
        await using var db = portal.CreateDbContext();
        Assert.Empty(await db.ApiKeyVersions.ToListAsync());
        Assert.Equal(
            [AuditOutcome.Requested, AuditOutcome.Failed],
            await db.AuditEvents.OrderBy(e => e.Id).Select(e => e.Outcome).ToListAsync());
    }

    [Fact]
    public async Task SubmitApiKeyAsync_AuditTrailUnavailable_DoesNotWriteToTheStore()
    {
        await using (var db = _portal.CreateDbContext())
        {
            await db.Database.ExecuteSqlRawAsync("DROP TABLE AuditEvents");
        }

        var result = await Service.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Key1), default);

        Assert.Equal(KeyChangeOutcome.Failed, result.Outcome);
        Assert.Contains("audit", result.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await _portal.StoredVersionsAsync("contoso"));
    }

    [Fact]
    public async Task SubmitApiKeyAsync_MetadataWriteFails_ReportsTheStrayVersionHonestly()
    {
        await using (var db = _portal.CreateDbContext())
        {
            await db.Database.ExecuteSqlRawAsync("CREATE TRIGGER no_versions BEFORE INSERT ON ApiKeyVersions BEGIN SELECT RAISE(ABORT, 'disk full'); END");
        }

        var result = await Service.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Key1), default);

        Assert.Equal(KeyChangeOutcome.Failed, result.Outcome);
        var stray = Assert.Single(await _portal.StoredVersionsAsync("contoso"));
        Assert.Contains(stray.Version[..8], result.Message, StringComparison.Ordinal);
        await using var check = _portal.CreateDbContext();
        Assert.Empty(await check.ApiKeyVersions.ToListAsync());
        Assert.Contains(await check.AuditEvents.ToListAsync(), e => e.Outcome == AuditOutcome.Failed && e.KeyVersion == stray.Version);
    }

    [Fact]
    public async Task SubmitApiKeyAsync_ConcurrentSubmits_LeaveExactlyOneCurrentVersion()
    {
        var submits = Enumerable.Range(0, 4).Select(i =>
        {
            var scope = _portal.Services.CreateScope();
            return scope.ServiceProvider.GetRequiredService<ApiKeyService>()
                .SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue($"{Key1}-{i}"), default);
        });

        var results = await Task.WhenAll(submits);

        Assert.All(results, r => Assert.Equal(KeyChangeOutcome.Done, r.Outcome));
        await using var db = _portal.CreateDbContext();
        Assert.Equal(1, await db.ApiKeyVersions.CountAsync(v => v.Status == ApiKeyVersionStatus.Current));
        Assert.Equal(4, await db.ApiKeyVersions.CountAsync());
    }

    [Fact]
    public async Task GetOverviewAsync_MovesFromOkToDueSoonToOverdueAsTheClockAdvances()
    {
        Assert.Equal(RotationStatus.NotSet, (await Service.GetOverviewAsync(TestPersonas.ContosoAdmin, "contoso", default))!.Status);
        await Service.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Key1), default);

        Assert.Equal(RotationStatus.Ok, (await Service.GetOverviewAsync(TestPersonas.ContosoAdmin, "contoso", default))!.Status);
        _portal.Time.Advance(TimeSpan.FromDays(77));
        Assert.Equal(RotationStatus.DueSoon, (await Service.GetOverviewAsync(TestPersonas.ContosoAdmin, "contoso", default))!.Status);
        _portal.Time.Advance(TimeSpan.FromDays(13));
        Assert.Equal(RotationStatus.Overdue, (await Service.GetOverviewAsync(TestPersonas.ContosoAdmin, "contoso", default))!.Status);
    }

    [Fact]
    public async Task GetOverviewAsync_AnotherTenantsAdmin_SeesNothing()
    {
        await Service.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Key1), default);

        Assert.Null(await Service.GetOverviewAsync(TestPersonas.FabrikamAdmin, "contoso", default));
    }

    [Fact]
    public async Task GetOverviewAsync_SupportReader_SeesMetadataButCannotSubmit()
    {
        await Service.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Key1), default);

        var overview = await Service.GetOverviewAsync(TestPersonas.SupportReader, "contoso", default);

        Assert.NotNull(overview);
        Assert.False(overview.CanSubmit);
        Assert.Equal("••••a9F2", overview.Current!.MaskedHint);
    }

    [Fact]
    public async Task GetOverviewAsync_CustomerWhoGaveThemselvesTheSupportRole_SeesNothing()
    {
        var rogue = TestPersonas.CustomerWithStaffRole(PortalRoles.SupportReader);

        Assert.Null(await Service.GetOverviewAsync(rogue, "fabrikam", default));
    }

    [Fact]
    public async Task GetAdministeredTenantsAsync_ReturnsOnlyTheTenantMappedToTheUsersEntraTenant()
    {
        var tenants = await Service.GetAdministeredTenantsAsync(TestPersonas.ContosoAdmin, default);

        Assert.Equal(["contoso"], tenants.Select(t => t.Id));
        Assert.Empty(await Service.GetAdministeredTenantsAsync(TestPersonas.SupportReader, default));
    }

    private async Task AssertNothingWrittenAsync(string tenantId)
    {
        Assert.Empty(await _portal.StoredVersionsAsync(tenantId));
        await using var db = _portal.CreateDbContext();
        Assert.Empty(await db.ApiKeyVersions.Where(v => v.TenantId == tenantId).ToListAsync());
        Assert.DoesNotContain(await db.AuditEvents.ToListAsync(), e => e.Outcome is AuditOutcome.Requested or AuditOutcome.Succeeded);
    }

    private sealed class FailingSecretStore : ISecretStore
    {
        public Task<SecretVersionProperties> SetAsync(SecretName name, SecretValue value, SecretWriteOptions options, CancellationToken cancellationToken) =>
            throw new SecretStoreException("The secret store is unavailable.", isRetryable: true);

        public Task<SecretVersionProperties> UpdateVersionAsync(SecretName name, string version, SecretVersionUpdate update, CancellationToken cancellationToken) =>
            throw new SecretStoreException("The secret store is unavailable.", isRetryable: true);

        public IAsyncEnumerable<SecretVersionProperties> ListVersionsAsync(SecretName name, CancellationToken cancellationToken) =>
            AsyncEnumerable.Empty<SecretVersionProperties>();

        public Task CheckAvailabilityAsync(CancellationToken cancellationToken) =>
            throw new SecretStoreException("The secret store is unavailable.", isRetryable: true);
    }
}
