using Microsoft.EntityFrameworkCore;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Audit;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.Audit;

public sealed class AuditServiceTests : IAsyncLifetime
{
    private PortalServices _portal = null!;

    private AuditService Service => _portal.Get<AuditService>();

    public async Task InitializeAsync()
    {
        _portal = await PortalServices.StartAsync();
        var keys = _portal.Get<ApiKeyService>();
        await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue("sk_live_audit_contoso_0001"), default);
        _portal.Time.Advance(TimeSpan.FromDays(2));
        await keys.SubmitApiKeyAsync(TestPersonas.FabrikamAdmin, "fabrikam", new SecretValue("sk_live_audit_fabrikam_001"), default);
        await keys.SubmitApiKeyAsync(TestPersonas.FabrikamAdmin, "contoso", new SecretValue("sk_live_audit_attack_00001"), default);
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task GetPageAsync_TenantAdmin_SeesOnlyTheirOwnTenantsEvents()
    {
        var page = await Service.GetPageAsync(TestPersonas.ContosoAdmin, new AuditQuery(0, 50, new AuditFilter()), default);

        Assert.NotNull(page);
        Assert.NotEmpty(page.Items);
        Assert.All(page.Items, r => Assert.Equal("contoso", r.TenantId));
        // Fabrikam's admin's denied attempt on contoso is on the platform chain: contoso's admins do not read the
        // attacker's name and user agent, nor can an attacker flood contoso's trail.
        Assert.DoesNotContain(page.Items, r => r.Outcome == AuditOutcome.Denied);
        Assert.All(page.Items, r => Assert.Equal("contoso", r.ChainId));
    }

    [Fact]
    public async Task GetPageAsync_SupportFilteringByTheTargetTenant_FindsAnotherTenantsAdminsDenial()
    {
        var page = await Service.GetPageAsync(TestPersonas.SupportReader,
            new AuditQuery(0, 50, new AuditFilter(TenantId: "contoso", Outcome: AuditOutcome.Denied)), default);

        var denial = Assert.Single(page!.Items);
        Assert.Equal(AuditActions.ApiKeySubmit, denial.Action);
        Assert.Equal("contoso", denial.TenantId);
        Assert.Equal(AuditChains.Platform, denial.ChainId);
        Assert.Equal(DevelopmentPersonas.FabrikamAdmin.ObjectId, denial.ActorObjectId);
        Assert.Equal("Not permitted: Submit", denial.Reason);
    }

    [Fact]
    public async Task GetPageAsync_TenantAdminAskingForAnotherTenant_IsRefusedAndAudited()
    {
        var page = await Service.GetPageAsync(TestPersonas.FabrikamAdmin, new AuditQuery(0, 50, new AuditFilter(TenantId: "contoso")), default);

        Assert.Null(page);
        await using var db = _portal.CreateDbContext();
        Assert.Single(await db.AuditEvents.Where(e => e.Action == AuditActions.AuditViewed && e.Outcome == AuditOutcome.Denied).ToListAsync());
    }

    [Fact]
    public async Task GetPageAsync_Support_SeesAllAndFiltersByTenantTimeActionOutcomeAndActor()
    {
        var all = await Service.GetPageAsync(TestPersonas.SupportReader, new AuditQuery(0, 100, new AuditFilter()), default);
        var fabrikam = await Service.GetPageAsync(TestPersonas.SupportReader, new AuditQuery(0, 100, new AuditFilter(TenantId: "fabrikam")), default);
        var later = await Service.GetPageAsync(TestPersonas.SupportReader, new AuditQuery(0, 100, new AuditFilter(From: PortalServices.Start.AddDays(1))), default);
        var denied = await Service.GetPageAsync(TestPersonas.SupportReader, new AuditQuery(0, 100, new AuditFilter(Outcome: AuditOutcome.Denied)), default);
        var byActor = await Service.GetPageAsync(TestPersonas.SupportReader, new AuditQuery(0, 100, new AuditFilter(Actor: "Bruno", Action: AuditActions.ApiKeySubmit)), default);

        Assert.Contains(all!.Items, r => r.TenantId == "contoso");
        Assert.Contains(all.Items, r => r.TenantId == "fabrikam");
        Assert.All(fabrikam!.Items, r => Assert.Equal("fabrikam", r.TenantId));
        Assert.All(later!.Items, r => Assert.True(r.OccurredAt >= PortalServices.Start.AddDays(1)));
        Assert.DoesNotContain(later.Items, r => r.TenantId == "contoso" && r.Outcome == AuditOutcome.Succeeded && r.Action == AuditActions.ApiKeySubmit);
        Assert.All(denied!.Items, r => Assert.Equal(AuditOutcome.Denied, r.Outcome));
        Assert.Equal(3, byActor!.TotalCount);
    }

    [Fact]
    public async Task GetPageAsync_PagesInTheDatabaseNewestFirst()
    {
        var first = await Service.GetPageAsync(TestPersonas.SupportReader, new AuditQuery(0, 2, new AuditFilter(Action: AuditActions.ApiKeySubmit)), default);
        var second = await Service.GetPageAsync(TestPersonas.SupportReader, new AuditQuery(1, 2, new AuditFilter(Action: AuditActions.ApiKeySubmit)), default);

        Assert.Equal(5, first!.TotalCount);
        Assert.Equal(2, first.Items.Count);
        Assert.True(first.Items[0].OccurredAt >= first.Items[1].OccurredAt);
        Assert.True(first.Items[1].OccurredAt >= second!.Items[0].OccurredAt);
    }

    [Fact]
    public async Task GetPageAsync_HugeMatch_CapsTheCountAndSaysThereIsMore()
    {
        await using (var db = _portal.CreateDbContext())
        {
            await db.Database.ExecuteSqlRawAsync(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10050) " +
                "INSERT INTO AuditEvents (OccurredAt, ActorRole, TenantId, Action, Outcome, CorrelationId, ChainId, Sequence, PreviousHash, Hash) " +
                "SELECT i, 'System', 'bulk', 'Bench.Append', 'Succeeded', 'c', 'bulk', i, '', '' FROM n; " +
                "INSERT INTO AuditChainHeads (ChainId, Sequence, Hash) VALUES ('bulk', 10050, '')");
        }

        var page = await Service.GetPageAsync(TestPersonas.SupportReader, new AuditQuery(0, 25, new AuditFilter(TenantId: "bulk")), default);
        var small = await Service.GetPageAsync(TestPersonas.SupportReader, new AuditQuery(0, 25, new AuditFilter(TenantId: "fabrikam")), default);

        Assert.Equal(AuditService.CountLimit, page!.TotalCount);
        Assert.True(page.HasMore);
        Assert.Equal(25, page.Items.Count);
        Assert.False(small!.HasMore);
    }

    [Fact]
    public async Task GetPageAsync_FirstPage_IsItselfAudited()
    {
        await Service.GetPageAsync(TestPersonas.ContosoAdmin, new AuditQuery(0, 10, new AuditFilter()), default);
        await Service.GetPageAsync(TestPersonas.ContosoAdmin, new AuditQuery(1, 10, new AuditFilter()), default);

        await using var db = _portal.CreateDbContext();
        Assert.Single(await db.AuditEvents.Where(e => e.Action == AuditActions.AuditViewed && e.Outcome == AuditOutcome.Succeeded).ToListAsync());
    }

    /// <summary>Filter text, the tenant column and chain its audit row gets, and how the text reads in the reason.</summary>
    public static TheoryData<string, string?, string, string> TenantFilters() => new()
    {
        { "コントソ", null, AuditChains.Platform, "コントソ" },
        { "contoso-ü", null, AuditChains.Platform, "contoso-ü" },
        { "x\"; filter=Ω", null, AuditChains.Platform, "x\"; filter=Ω" },
        { "Contoso", null, AuditChains.Platform, "Contoso" },
        { "no-such-tenant", "no-such-tenant", AuditChains.Platform, "no-such-tenant" },
        { "fabrikam", "fabrikam", "fabrikam", "fabrikam" },
    };

    [Theory]
    [MemberData(nameof(TenantFilters))]
    public async Task GetPageAsync_SupportFilteringByAnyText_AuditsTheViewOnAnExistingTenantsChainOrThePlatforms(
        string filter, string? tenantColumn, string chain, string inReason)
    {
        var page = await Service.GetPageAsync(TestPersonas.SupportReader, new AuditQuery(0, 10, new AuditFilter(TenantId: filter)), default);

        Assert.NotNull(page);
        await using var db = _portal.CreateDbContext();
        var viewed = Assert.Single(await db.AuditEvents.Where(e => e.Action == AuditActions.AuditViewed).ToListAsync());
        Assert.Equal(chain, viewed.ChainId);
        Assert.Equal(tenantColumn, viewed.TenantId);
        Assert.Equal($"filter tenant={inReason} from= to= action=* outcome=* actor=*", viewed.Reason);
        await AssertEveryChainIntactAsync();
    }

    [Theory]
    [MemberData(nameof(TenantFilters))]
    public async Task ExportAsync_SupportFilteringByAnyText_AuditsTheExportOnAnExistingTenantsChainOrThePlatforms(
        string filter, string? tenantColumn, string chain, string inReason)
    {
        var rows = await Service.ExportAsync(TestPersonas.SupportReader, new AuditFilter(TenantId: filter), "json", default);

        Assert.NotNull(rows);
        await using var db = _portal.CreateDbContext();
        var exported = Assert.Single(await db.AuditEvents.Where(e => e.Action == AuditActions.AuditExported).ToListAsync());
        Assert.Equal(chain, exported.ChainId);
        Assert.Equal(tenantColumn, exported.TenantId);
        Assert.Equal($"json; filter tenant={inReason} from= to= action=* outcome=* actor=*", exported.Reason);
        await AssertEveryChainIntactAsync();
    }

    [Theory]
    [MemberData(nameof(TenantFilters))]
    public async Task VerifyAsync_SupportNamingAnyChain_AuditsTheCheckOnAnExistingTenantsChainOrThePlatforms(
        string requested, string? tenantColumn, string chain, string inReason)
    {
        var result = await Service.VerifyAsync(TestPersonas.SupportReader, requested, default);

        Assert.True(result!.IsIntact);
        await using var db = _portal.CreateDbContext();
        var verified = Assert.Single(await db.AuditEvents.Where(e => e.Action == AuditActions.AuditVerified).ToListAsync());
        Assert.Equal(chain, verified.ChainId);
        Assert.Equal(tenantColumn, verified.TenantId);
        var checkedText = $"{result.EventsChecked} events intact";
        Assert.Equal(tenantColumn is null ? $"{checkedText}; chain={inReason}" : checkedText, verified.Reason);
        await AssertEveryChainIntactAsync();
    }

    public static TheoryData<string, string?, string> DeniedTenantFilters()
    {
        var data = new TheoryData<string, string?, string>();
        foreach (var row in TenantFilters())
        {
            data.Add((string)row[0]!, (string?)row[1], (string)row[3]!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DeniedTenantFilters))]
    public async Task GetPageAsync_TenantAdminAskingForAnyOtherText_IsDeniedOnThePlatformChain(string filter, string? tenantColumn, string inReason)
    {
        var page = await Service.GetPageAsync(TestPersonas.ContosoAdmin, new AuditQuery(0, 10, new AuditFilter(TenantId: filter)), default);

        Assert.Null(page);
        await using var db = _portal.CreateDbContext();
        var denied = Assert.Single(await db.AuditEvents.Where(e => e.Action == AuditActions.AuditViewed).ToListAsync());
        Assert.Equal(AuditOutcome.Denied, denied.Outcome);
        Assert.Equal(AuditChains.Platform, denied.ChainId);
        Assert.Equal(tenantColumn, denied.TenantId);
        Assert.Equal(tenantColumn is null ? $"Not permitted: audit trail; tenant={inReason}" : "Not permitted: audit trail", denied.Reason);
        await AssertEveryChainIntactAsync();
    }

    [Fact]
    public async Task VerifyAsync_TenantAdmin_OwnChainOnly()
    {
        var own = await Service.VerifyAsync(TestPersonas.ContosoAdmin, "contoso", default);
        var other = await Service.VerifyAsync(TestPersonas.ContosoAdmin, "fabrikam", default);
        var platform = await Service.VerifyAsync(TestPersonas.ContosoAdmin, AuditChains.Platform, default);
        var staff = await Service.VerifyAsync(TestPersonas.PlatformAdmin, AuditChains.Platform, default);

        Assert.True(own!.IsIntact);
        Assert.Null(other);
        Assert.Null(platform);
        Assert.True(staff!.IsIntact);
    }

    private async Task AssertEveryChainIntactAsync()
    {
        var verifier = _portal.Get<AuditVerifier>();
        foreach (var chainId in await verifier.ChainIdsAsync(default))
        {
            var verification = await verifier.VerifyAsync(chainId, default);
            Assert.True(verification.IsIntact, $"{chainId}: {verification.Problem}");
        }
    }

    public static TheoryData<AuditFilter, string> RefusedFilters => new()
    {
        { new AuditFilter(TenantId: new string('a', 113)), "The tenant filter can have at most 112 characters (113 given)." },
        { new AuditFilter(Action: new string('a', 65)), "The action filter can have at most 64 characters (65 given)." },
        { new AuditFilter(Actor: new string('a', 101)), "The actor filter can have at most 100 characters (101 given)." },
        { new AuditFilter(Actor: "Bruno\u202E"), "The actor filter contains an invisible character that changes the direction of text (U+202E), which can make it read differently than it is stored: remove it." },
        { new AuditFilter(TenantId: "contoso\r\n"), "The tenant filter contains a control character (U+000D): remove it." },
    };

    [Theory]
    [MemberData(nameof(RefusedFilters))]
    public async Task GetPageAndExport_FilterBeyondItsLimitOrWithAControlCharacter_IsRefusedWithTheReason_AndNotAuditedAsAView(AuditFilter filter, string expected)
    {
        var page = await Service.GetPageAsync(TestPersonas.SupportReader, new AuditQuery(0, 10, filter), default);
        var export = await Service.ExportAsync(TestPersonas.SupportReader, filter, "json", default);

        Assert.Equal(expected, page!.Problem);
        Assert.Empty(page.Items);
        Assert.Equal(expected, export!.Problem);
        Assert.Null(export.Rows);
        await using var db = _portal.CreateDbContext();
        Assert.False(await db.AuditEvents.AnyAsync(e => e.Action == AuditActions.AuditViewed || e.Action == AuditActions.AuditExported));
    }

    [Fact]
    public async Task GetPageAsync_FiltersAtTheirLimits_Run()
    {
        var page = await Service.GetPageAsync(TestPersonas.SupportReader,
            new AuditQuery(0, 10, new AuditFilter(TenantId: new string('a', 112), Action: new string('a', 64), Actor: new string('a', 100))), default);

        Assert.Null(page!.Problem);
        Assert.Empty(page.Items);
    }
}
