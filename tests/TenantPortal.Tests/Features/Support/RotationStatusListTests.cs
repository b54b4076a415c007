using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Support;
using TenantPortal.Web.Features.Tenants;

namespace TenantPortal.Tests.Features.Support;

/// <summary>The rotation status list over one tenant in each status (<see cref="SupportTestBed.SeedOneOfEachAsync"/>), at day 95.</summary>
public sealed class RotationStatusListTests : IAsyncLifetime
{
    private PortalServices _portal = null!;
    private SupportTestBed _bed = null!;

    private SupportService Service => _portal.Get<SupportService>();

    public async Task InitializeAsync()
    {
        _portal = await PortalServices.StartAsync();
        _bed = new SupportTestBed(_portal);
        await _bed.SeedOneOfEachAsync();
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private async Task<RotationStatusPageResult> PageAsync(RotationStatusFilter filter, int size = 100, RotationStatusCursor? after = null) =>
        (await Service.GetRotationStatusPageAsync(TestPersonas.SupportReader, new RotationStatusQuery(filter, size, after), default))!;

    private async Task<int> CountAsync(RotationStatusFilter filter) =>
        (await Service.CountRotationStatusAsync(TestPersonas.SupportReader, filter, default))!.Total;

    private async Task<string[]> IdsAsync(RotationStatusFilter filter)
    {
        var page = await PageAsync(filter);
        Assert.Null(page.Problem);
        Assert.Null(page.Next);
        return page.Items.Select(r => r.TenantId).ToArray();
    }

    [Theory]
    [InlineData(RotationStatusSort.DueDate, false, "overdue-co,duesoon-co,active-co,contoso,fabrikam,northwind,offboarded-co,revoked-co")]
    [InlineData(RotationStatusSort.DueDate, true, "active-co,duesoon-co,overdue-co,revoked-co,offboarded-co,northwind,fabrikam,contoso")]
    [InlineData(RotationStatusSort.Name, false, "active-co,contoso,duesoon-co,fabrikam,northwind,offboarded-co,overdue-co,revoked-co")]
    [InlineData(RotationStatusSort.Name, true, "revoked-co,overdue-co,offboarded-co,northwind,fabrikam,duesoon-co,contoso,active-co")]
    [InlineData(RotationStatusSort.Status, false, "active-co,duesoon-co,overdue-co,revoked-co,contoso,fabrikam,northwind,offboarded-co")]
    [InlineData(RotationStatusSort.Status, true, "offboarded-co,northwind,fabrikam,contoso,revoked-co,overdue-co,duesoon-co,active-co")]
    public async Task GetRotationStatusPageAsync_Sorts(RotationStatusSort sort, bool descending, string expected)
    {
        Assert.Equal(expected.Split(','), await IdsAsync(new RotationStatusFilter(Sort: sort, Descending: descending)));
    }

    [Theory]
    [InlineData(TenantKeyStatus.Active, "active-co")]
    [InlineData(TenantKeyStatus.DueSoon, "duesoon-co")]
    [InlineData(TenantKeyStatus.Overdue, "overdue-co")]
    [InlineData(TenantKeyStatus.Revoked, "revoked-co")]
    [InlineData(TenantKeyStatus.NotSet, "contoso,fabrikam,northwind")]
    [InlineData(TenantKeyStatus.Offboarded, "offboarded-co")]
    public async Task GetRotationStatusPageAsync_FiltersByStatus_InEverySort(TenantKeyStatus status, string expected)
    {
        foreach (var sort in Enum.GetValues<RotationStatusSort>())
        {
            var page = await PageAsync(new RotationStatusFilter(Status: status, Sort: sort));
            Assert.Equal(expected.Split(','), page.Items.Select(r => r.TenantId));
            Assert.All(page.Items, r => Assert.Equal(status, r.Status));
            Assert.Equal(expected.Split(',').Length, await CountAsync(new RotationStatusFilter(Status: status, Sort: sort)));
        }
    }

    [Fact]
    public async Task GetRotationStatusPageAsync_ShowsStatusDueDateAgeVersionsAndDrift()
    {
        var rows = (await PageAsync(new RotationStatusFilter())).Items.ToDictionary(r => r.TenantId);
        var now = _portal.Time.GetUtcNow();

        var active = rows["active-co"];
        Assert.Equal(("Active Co", TenantKeyStatus.Active, 1, 0), (active.TenantName, active.Status, active.VersionCount, active.DriftCount));
        Assert.Equal(PortalServices.Start.AddDays(70), active.LastRotatedAt);
        Assert.Equal(PortalServices.Start.AddDays(160), active.DueAt);
        Assert.Equal(25, active.KeyAgeDays(now));
        Assert.Equal(PortalServices.Start.AddDays(90), rows["overdue-co"].DueAt);
        var revoked = rows["revoked-co"];
        Assert.Equal((TenantKeyStatus.Revoked, 1, (DateTimeOffset?)null), (revoked.Status, revoked.VersionCount, revoked.DueAt));
        var offboarded = rows["offboarded-co"];
        Assert.Equal((TenantKeyStatus.Offboarded, PortalServices.Start.AddDays(1)), (offboarded.Status, offboarded.OffboardedAt!.Value));
        Assert.Null(offboarded.KeyAgeDays(now));
        Assert.Equal((TenantKeyStatus.NotSet, 0), (rows["contoso"].Status, rows["contoso"].VersionCount));
    }

    [Fact]
    public async Task GetRotationStatusPageAsync_FiltersByDueWindow_OverdueKeysIncluded()
    {
        var today = new DateTimeOffset(_portal.Time.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);

        Assert.Equal(["duesoon-co"], await IdsAsync(new RotationStatusFilter(DueFrom: today, DueBefore: today.AddDays(31))));
        Assert.Equal(["overdue-co", "duesoon-co"], await IdsAsync(new RotationStatusFilter(DueFrom: today.AddDays(-10), DueBefore: today.AddDays(31))));
        Assert.Equal(["active-co", "duesoon-co", "overdue-co"], await IdsAsync(new RotationStatusFilter(DueBefore: today.AddDays(100), Sort: RotationStatusSort.Name)));
        Assert.Equal(["active-co"], await IdsAsync(new RotationStatusFilter(DueFrom: today.AddDays(31))));
        Assert.Equal(["overdue-co"], await IdsAsync(new RotationStatusFilter(Status: TenantKeyStatus.Overdue, DueFrom: today.AddDays(-10))));
        Assert.Empty(await IdsAsync(new RotationStatusFilter(Status: TenantKeyStatus.Active, DueBefore: today.AddDays(31))));
        var page = await PageAsync(new RotationStatusFilter(DueFrom: today.AddDays(-10), DueBefore: today.AddDays(31), Sort: RotationStatusSort.Status));
        Assert.Equal(["duesoon-co", "overdue-co"], page.Items.Select(r => r.TenantId));
        Assert.Equal(2, await CountAsync(new RotationStatusFilter(DueFrom: today.AddDays(-10), DueBefore: today.AddDays(31))));
    }

    [Fact]
    public async Task GetRotationStatusPageAsync_SearchesNamePrefixesCaseInsensitively_AndIdPrefixes()
    {
        Assert.Equal(["offboarded-co", "overdue-co"], await IdsAsync(new RotationStatusFilter(Search: "o", Sort: RotationStatusSort.Name)));
        Assert.Equal(["overdue-co"], await IdsAsync(new RotationStatusFilter(Search: "OVER")));
        Assert.Equal(["northwind"], await IdsAsync(new RotationStatusFilter(Search: " north ")));
        Assert.Equal(["duesoon-co"], await IdsAsync(new RotationStatusFilter(Search: "duesoon-")));
        Assert.Empty(await IdsAsync(new RotationStatusFilter(Search: "ltd")));
        Assert.Equal(["revoked-co"], await IdsAsync(new RotationStatusFilter(Search: "re", Status: TenantKeyStatus.Revoked)));
        Assert.Empty(await IdsAsync(new RotationStatusFilter(Search: "re", Status: TenantKeyStatus.Active)));
        var counted = await Service.CountRotationStatusAsync(TestPersonas.SupportReader, new RotationStatusFilter(Search: "o", Sort: RotationStatusSort.Status), default);
        Assert.Equal((2, false), (counted!.Total, counted.HasMore));
    }

    [Fact]
    public async Task GetRotationStatusPageAsync_SearchTreatsWildcardsLiterally()
    {
        await _bed.OnboardAsync("fifty-off", "50% Off");
        await _bed.OnboardAsync("fifty-cent", "50 Cent Ltd");
        await _bed.OnboardAsync("a-b-corp", "A_b Corp");
        await _bed.OnboardAsync("axb-corp", "Axb Corp");

        Assert.Equal(["fifty-off"], await IdsAsync(new RotationStatusFilter(Search: "50%")));
        Assert.Equal(["a-b-corp"], await IdsAsync(new RotationStatusFilter(Search: "a_b")));
        Assert.Equal(["fifty-cent", "fifty-off"], await IdsAsync(new RotationStatusFilter(Search: "50", Sort: RotationStatusSort.Name)));
    }

    [Fact]
    public async Task GetRotationStatusPageAsync_RefusesWhatCannotRun_WithTheReason()
    {
        var today = new DateTimeOffset(_portal.Time.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);

        var longSearch = await PageAsync(new RotationStatusFilter(Search: new string('b', 101)));
        var control = await PageAsync(new RotationStatusFilter(Search: "bulk\u0000"));
        var backwards = await PageAsync(new RotationStatusFilter(DueFrom: today.AddDays(10), DueBefore: today));
        var noDueDate = await PageAsync(new RotationStatusFilter(Status: TenantKeyStatus.NotSet, DueFrom: today));
        var undefined = await PageAsync(new RotationStatusFilter(Status: (TenantKeyStatus)42));
        var foreignCursor = await PageAsync(new RotationStatusFilter(Sort: RotationStatusSort.Name), after: new RotationStatusCursor(5, null, "x", "x"));

        Assert.Equal("The search can have at most 100 characters (101 given).", longSearch.Problem);
        Assert.Equal("The search contains a control character (U+0000): remove it.", control.Problem);
        Assert.Equal($"The due window ends ({today:yyyy-MM-dd}) before it starts ({today.AddDays(10):yyyy-MM-dd}): choose an end after the start.", backwards.Problem);
        Assert.Equal("Not set tenants have no due date, so a due window finds none of them: clear one of the two filters.", noDueDate.Problem);
        Assert.Equal("There is no status 42.", undefined.Problem);
        Assert.Equal("The page to continue from does not belong to this list: start again from the first page.", foreignCursor.Problem);
        Assert.All([longSearch, control, backwards, noDueDate, undefined, foreignCursor], p => Assert.Empty(p.Items));
    }
}

/// <summary>Keyset paging: walking every page gives exactly the rows of one big page, in its order, whatever the sort.</summary>
public sealed class RotationStatusPagingTests : IAsyncLifetime
{
    private PortalServices _portal = null!;

    private SupportService Service => _portal.Get<SupportService>();

    public async Task InitializeAsync()
    {
        _portal = await PortalServices.StartAsync();
        var now = _portal.Time.GetUtcNow();
        await using var db = _portal.CreateDbContext();
        for (var i = 0; i < 40; i++)
        {
            // Names and due dates repeat, so that ties are broken by id; a quarter have no key, some are revoked or offboarded.
            var id = $"bulk-{i:00}";
            var tenant = new Tenant { Id = id, DisplayName = $"Bulk {(i * 7) % 13:00}", CreatedAt = now };
            if (i % 10 == 9)
            {
                tenant.OffboardedAt = now;
            }

            db.Tenants.Add(tenant);
            if (i % 4 != 3 && i % 10 != 9)
            {
                db.ApiKeyVersions.Add(Version(id, i % 11 == 5 ? ApiKeyVersionStatus.Revoked : ApiKeyVersionStatus.Current, now.AddDays(-(i % 6) * 20)));
            }
        }

        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    internal static ApiKeyVersion Version(string tenantId, ApiKeyVersionStatus status, DateTimeOffset createdAt)
    {
        var due = createdAt.AddDays(90);
        return new ApiKeyVersion
        {
            TenantId = tenantId, StoreVersionId = Guid.NewGuid().ToString("N"), Status = status, CreatedAt = createdAt, ExpiresAt = due,
            DueSoonAt = RotationSchedule.DueSoonAt(due, RotationPolicy.DefaultReminderLeadDays), CreatedByName = "Seed", MaskedHint = "••••", Fingerprint = "",
        };
    }

    public static TheoryData<RotationStatusSort, bool, TenantKeyStatus?> Lists()
    {
        var data = new TheoryData<RotationStatusSort, bool, TenantKeyStatus?>();
        foreach (var sort in Enum.GetValues<RotationStatusSort>())
        {
            foreach (var descending in new[] { false, true })
            {
                data.Add(sort, descending, null);
            }

            data.Add(sort, false, TenantKeyStatus.Overdue);
            data.Add(sort, true, TenantKeyStatus.NotSet);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Lists))]
    public async Task GetRotationStatusPageAsync_PagesPastTheFirst_SeeEveryRowOnceInOrder(RotationStatusSort sort, bool descending, TenantKeyStatus? status)
    {
        var filter = new RotationStatusFilter(Status: status, Sort: sort, Descending: descending);
        var whole = (await Service.GetRotationStatusPageAsync(TestPersonas.SupportReader, new RotationStatusQuery(filter, 100), default))!;
        Assert.Null(whole.Next);

        var walked = new List<string>();
        RotationStatusCursor? after = null;
        var pages = 0;
        do
        {
            var page = (await Service.GetRotationStatusPageAsync(TestPersonas.SupportReader, new RotationStatusQuery(filter, 4, after), default))!;
            Assert.Null(page.Problem);
            Assert.True(page.Items.Count == 4 || page.Next is null);
            walked.AddRange(page.Items.Select(r => r.TenantId));
            after = page.Next;
            pages++;
        }
        while (after is not null);

        Assert.Equal(whole.Items.Select(r => r.TenantId), walked);
        Assert.Equal((whole.Items.Count + 3) / 4, pages);
        Assert.Equal(whole.Items.Count, (await Service.CountRotationStatusAsync(TestPersonas.SupportReader, filter, default))!.Total);
        Assert.True(status is not null || whole.Items.Count == 43, $"{whole.Items.Count} rows");
    }

    [Fact]
    public async Task GetRotationStatusPageAsync_ByName_BreaksTiesById()
    {
        var page = (await Service.GetRotationStatusPageAsync(TestPersonas.SupportReader,
            new RotationStatusQuery(new RotationStatusFilter(Search: "Bulk 00", Sort: RotationStatusSort.Name), 100), default))!;

        // i * 7 % 13 == 0 for i = 0, 13, 26, 39.
        Assert.Equal(["bulk-00", "bulk-13", "bulk-26", "bulk-39"], page.Items.Select(r => r.TenantId));
    }
}

/// <summary>
/// A keyed status read by name either walks the name index (a common status) or reads its versions and sorts them (at
/// most <see cref="SupportService.SparseLimit"/>); both give the same order.
/// </summary>
public sealed class RotationStatusSparseAndDenseTests : IAsyncLifetime
{
    private PortalServices _portal = null!;

    public async Task InitializeAsync()
    {
        _portal = await PortalServices.StartAsync();
        var now = _portal.Time.GetUtcNow();
        await using var db = _portal.CreateDbContext();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        for (var i = 0; i < SupportService.SparseLimit + 50; i++)
        {
            // Names shuffled against ids; every tenant overdue, one in a hundred also due soon instead.
            var id = $"t-{i:0000}";
            db.Tenants.Add(new Tenant { Id = id, DisplayName = $"Name {(i * 7919) % 10007:00000}", CreatedAt = now });
            db.ApiKeyVersions.Add(RotationStatusPagingTests.Version(id, ApiKeyVersionStatus.Current, i % 100 == 0 ? now.AddDays(-70) : now.AddDays(-100)));
        }

        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Theory]
    [InlineData(TenantKeyStatus.Overdue, SupportService.SparseLimit + 50 - 21)]
    [InlineData(TenantKeyStatus.DueSoon, 21)]
    public async Task GetRotationStatusPageAsync_KeyedStatusByName_IsInNameOrder_WhetherDenseOrSparse(TenantKeyStatus status, int expected)
    {
        var service = _portal.Get<SupportService>();
        var filter = new RotationStatusFilter(Status: status, Sort: RotationStatusSort.Name);
        var first = (await service.GetRotationStatusPageAsync(TestPersonas.SupportReader, new RotationStatusQuery(filter, 50), default))!;
        var second = first.Next is null
            ? new RotationStatusPageResult([], null)
            : (await service.GetRotationStatusPageAsync(TestPersonas.SupportReader, new RotationStatusQuery(filter, 50, first.Next), default))!;

        Assert.Equal(expected, (await service.CountRotationStatusAsync(TestPersonas.SupportReader, filter, default))!.Total);
        var names = first.Items.Concat(second.Items).Select(r => r.TenantName).ToList();
        Assert.Equal(Math.Min(expected, 100), names.Count);
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.All(first.Items.Concat(second.Items), r => Assert.Equal(status, r.Status));
        await using var db = _portal.CreateDbContext();
        var expectedFirst = db.Tenants.AsEnumerable().Where(t => t.Id.StartsWith("t-", StringComparison.Ordinal)).Where(t => (int.Parse(t.Id[2..], System.Globalization.CultureInfo.InvariantCulture) % 100 == 0) == (status == TenantKeyStatus.DueSoon))
            .Select(t => t.DisplayName).Order(StringComparer.Ordinal).Take(100);
        Assert.Equal(expectedFirst, names);
    }
}
