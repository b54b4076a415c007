using Microsoft.EntityFrameworkCore;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Notifications;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.Tenants;

public sealed class TenantServiceTests : IAsyncLifetime
{
    private static readonly Guid AcmeTid = Guid.Parse("ac3e0000-0000-4000-8000-000000000010");
    private PortalServices _portal = null!;

    private TenantService Tenants => _portal.Get<TenantService>();

    public async Task InitializeAsync() => _portal = await PortalServices.StartAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private static TenantInput Acme(string id = "acme", string? tid = null, params ContactInput[] contacts) =>
        new(id, "Acme Corp", [tid ?? AcmeTid.ToString()], contacts.Length == 0 ? [new ContactInput("Ops@Acme.example", "en")] : contacts,
            RotationPolicy.Default);

    [Fact]
    public async Task Onboard_StoresTenantDirectoriesContactsAndPolicy_AndAuditsWhatWasSet()
    {
        var result = await Tenants.OnboardAsync(TestPersonas.PlatformAdmin, Acme(contacts: [new("ops@acme.example", "en"), new("keiko@acme.example", "ja")]), default);

        Assert.True(result.Succeeded, result.Message);
        Assert.Contains("tenant-acme-api-key", result.Message, StringComparison.Ordinal);
        var details = await Tenants.GetAsync(TestPersonas.PlatformAdmin, "acme", default);
        Assert.NotNull(details);
        Assert.Equal("Acme Corp", details.DisplayName);
        Assert.Equal([AcmeTid], details.EntraTenantIds);
        Assert.Equal(["keiko@acme.example", "ops@acme.example"], details.Contacts.Select(c => c.Email));
        Assert.Equal("ja", details.Contacts[0].Language);
        Assert.Equal(90, details.Policy.IntervalDays);

        await using var db = _portal.CreateDbContext();
        var audit = await db.AuditEvents.SingleAsync(e => e.Action == AuditActions.TenantOnboard);
        Assert.Equal(AuditOutcome.Succeeded, audit.Outcome);
        Assert.Contains("Display name: (none) → \"Acme Corp\"", audit.Changes, StringComparison.Ordinal);
        Assert.Contains("+" + AcmeTid, audit.Changes, StringComparison.Ordinal);
        Assert.Contains("+keiko@acme.example (ja)", audit.Changes, StringComparison.Ordinal);
    }

    public static TheoryData<TenantInput, string> BadInputs => new()
    {
        { Acme(id: "Acme"), "lower case" },
        { Acme(id: "acme_eu"), "letters a-z" },
        { Acme(id: "-acme"), "start and end with a letter or digit" },
        { Acme(id: new string('a', 113)), "at most 112 characters" },
        { Acme(id: "contoso"), "already exists" },
        { Acme(tid: "not-a-guid"), "\"not-a-guid\" is not an Entra tenant id" },
        { Acme(tid: DevelopmentPersonas.ContosoEntraTenantId.ToString()), "already belongs to the tenant \"contoso\"" },
        { Acme(tid: DevelopmentPersonas.HomeTenantId.ToString()), "provider's own Entra tenant" },
        { Acme(contacts: new ContactInput("not an address", "en")), "\"not an address\" is not a valid e-mail address" },
        { Acme(contacts: new ContactInput("Ops <ops@acme.example>", "en")), "is not a valid e-mail address" },
        { Acme(contacts: [new("ops@acme.example", "en"), new("OPS@acme.example", "en")]), "listed twice" },
        { Acme(contacts: new ContactInput("ops@acme.example", "fr")), "must be one of: en, ja" },
        { Acme() with { DisplayName = "  " }, "display name is required" },
        { Acme() with { Policy = RotationPolicy.Default with { IntervalDays = 400 } }, "between 1 and 365 days" },
        { Acme() with { Policy = RotationPolicy.Default with { IntervalDays = 20 } }, "shorter than the 20-day interval; 30 is not" },
        { Acme() with { Policy = RotationPolicy.Default with { GracePeriodDays = -1 } }, "grace period must be between 0 and 90" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Onboard_BadInput_SaysWhatIsWrongAndSavesNothing(TenantInput input, string expected)
    {
        await using var before = _portal.CreateDbContext();
        var tenantsBefore = await before.Tenants.CountAsync();
        var auditBefore = await before.AuditEvents.CountAsync();

        var result = await Tenants.OnboardAsync(TestPersonas.PlatformAdmin, input, default);

        Assert.Equal(TenantChangeOutcome.Invalid, result.Outcome);
        Assert.Contains(expected, result.Message, StringComparison.Ordinal);
        await using var db = _portal.CreateDbContext();
        Assert.Equal(tenantsBefore, await db.Tenants.CountAsync());
        Assert.Equal(auditBefore, await db.AuditEvents.CountAsync());
        Assert.False(await db.TenantDirectories.AnyAsync(d => d.EntraTenantId == AcmeTid));
    }

    public static TheoryData<TenantInput, string> BadInputsInJapanese => new()
    {
        { Acme(tid: "not-a-guid"), "「not-a-guid」は Entra テナント ID ではありません: ディレクトリ (テナント) ID を GUID で入力してください (例: 72f988bf-86f1-41af-91ab-2d7cd011db47)。" },
        { Acme(tid: DevelopmentPersonas.ContosoEntraTenantId.ToString()),
            $"Entra テナント ID {DevelopmentPersonas.ContosoEntraTenantId} はすでにテナント「contoso」に割り当てられています。1 つの Entra テナントが対応できるポータルのテナントは 1 つだけです。" },
        { Acme(id: "contoso"), "ID が「contoso」のテナントはすでに存在します (オフボードしたテナントも ID を保持します。その場合は再オンボードしてください)。" },
        { Acme(contacts: [new("ops@acme.example", "en"), new("OPS@acme.example", "en")]), "アドレス OPS@acme.example が 2 回入力されています。" },
        { Acme() with { DisplayName = "  " }, "表示名を入力してください。" },
    };

    [Theory]
    [MemberData(nameof(BadInputsInJapanese))]
    public async Task Onboard_BadInputUnderJapanese_SaysWhatIsWrongInJapaneseAndSavesNothing(TenantInput input, string expected)
    {
        using var japanese = UiCulture.Use("ja");

        var result = await Tenants.OnboardAsync(TestPersonas.PlatformAdmin, input, default);

        Assert.Equal(TenantChangeOutcome.Invalid, result.Outcome);
        Assert.Equal(expected, result.Message);
        await using var db = _portal.CreateDbContext();
        Assert.False(await db.Tenants.AnyAsync(t => t.Id == "acme"));
    }

    [Fact]
    public async Task Onboard_UnderJapanese_ConfirmsInJapanese_WhileTheAuditRowStaysEnglish()
    {
        using var japanese = UiCulture.Use("ja");

        var result = await Tenants.OnboardAsync(TestPersonas.PlatformAdmin, Acme(), default);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal("テナント acme をオンボードしました。キーはシークレット tenant-acme-api-key として保存されます。", result.Message);
        await using var db = _portal.CreateDbContext();
        var audit = await db.AuditEvents.SingleAsync(e => e.Action == AuditActions.TenantOnboard);
        Assert.Contains("Display name: (none) → \"Acme Corp\"", audit.Changes, StringComparison.Ordinal);
        Assert.Contains("Policy: (none) → \"every 90 d, reminders 30, 14, 7, 1 d before, grace 7 d\"", audit.Changes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Onboard_OnlyPlatformAdmins_OthersAreDeniedAndAudited()
    {
        foreach (var user in new[] { TestPersonas.ContosoAdmin, TestPersonas.SupportReader, TestPersonas.Anonymous, TestPersonas.CustomerWithStaffRole("Platform.Admin") })
        {
            var result = await Tenants.OnboardAsync(user, Acme(), default);
            Assert.Equal(TenantChangeOutcome.NotFound, result.Outcome);
        }

        await using var db = _portal.CreateDbContext();
        Assert.False(await db.Tenants.AnyAsync(t => t.Id == "acme"));
        Assert.Equal(4, await db.AuditEvents.CountAsync(e => e.Action == AuditActions.TenantOnboard && e.Outcome == AuditOutcome.Denied));
        Assert.Null(await Tenants.ListAsync(TestPersonas.SupportReader, new TenantListQuery(0, 10), default));
    }

    [Fact]
    public async Task List_PagesAndSearchesInTheDatabase_ByNameIdOrEntraTenantId()
    {
        for (var i = 0; i < 12; i++)
        {
            var tid = Guid.NewGuid();
            var r = await Tenants.OnboardAsync(TestPersonas.PlatformAdmin, Acme(id: $"acme-{i:00}", tid: tid.ToString()) with { DisplayName = $"Acme {i:00}" }, default);
            Assert.True(r.Succeeded, r.Message);
        }

        var page = await Tenants.ListAsync(TestPersonas.PlatformAdmin, new TenantListQuery(1, 5, "acme"), default);
        Assert.NotNull(page);
        Assert.Equal(12, page.TotalCount);
        Assert.Equal(["Acme 05", "Acme 06", "Acme 07", "Acme 08", "Acme 09"], page.Items.Select(r => r.DisplayName));

        var byTid = await Tenants.ListAsync(TestPersonas.PlatformAdmin, new TenantListQuery(0, 5, DevelopmentPersonas.FabrikamEntraTenantId.ToString()), default);
        Assert.Equal("fabrikam", Assert.Single(byTid!.Items).Id);
    }

    [Fact]
    public async Task Update_ChangesProfile_AndAuditsBeforeAndAfter()
    {
        await Tenants.OnboardAsync(TestPersonas.PlatformAdmin, Acme(), default);
        var newTid = Guid.NewGuid();

        var result = await Tenants.UpdateAsync(TestPersonas.PlatformAdmin, "acme",
            new TenantInput("acme", "Acme Corporation", [newTid.ToString()], [new("security@acme.example", "ja")], RotationPolicy.Default with { IntervalDays = 30, ReminderLeadDays = [7, 1] }),
            default);

        Assert.True(result.Succeeded, result.Message);
        var details = await Tenants.GetAsync(TestPersonas.PlatformAdmin, "acme", default);
        Assert.Equal("Acme Corporation", details!.DisplayName);
        Assert.Equal([newTid], details.EntraTenantIds);
        Assert.Equal("security@acme.example", Assert.Single(details.Contacts).Email);
        Assert.Equal(30, details.Policy.IntervalDays);
        await using var db = _portal.CreateDbContext();
        var audit = await db.AuditEvents.SingleAsync(e => e.Action == AuditActions.TenantUpdate);
        Assert.Contains("Display name: \"Acme Corp\" → \"Acme Corporation\"", audit.Changes, StringComparison.Ordinal);
        Assert.Contains($"+{newTid} −{AcmeTid}", audit.Changes, StringComparison.Ordinal);
        Assert.Contains("Policy: \"every 90 d, reminders 30, 14, 7, 1 d before, grace 7 d\" → \"every 30 d, reminders 7, 1 d before, grace 7 d\"", audit.Changes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_IdCanChangeUntilAKeyExists_ThenNot()
    {
        await Tenants.OnboardAsync(TestPersonas.PlatformAdmin, Acme(), default);
        var signingKeys = _portal.Get<WebhookSigningKeys>();
        var (signingKey, protectedKey) = signingKeys.Generate("acme");
        await using (var db = _portal.CreateDbContext())
        {
            await db.Tenants.Where(t => t.Id == "acme").ExecuteUpdateAsync(u => u
                .SetProperty(t => t.WebhookUrl, "https://hooks.acme.example/rotation")
                .SetProperty(t => t.WebhookSigningKeyProtected, protectedKey));
        }

        var renamed = await Tenants.UpdateAsync(TestPersonas.PlatformAdmin, "acme", Acme(id: "acme-eu"), default);
        Assert.True(renamed.Succeeded, renamed.Message);
        Assert.Equal("Tenant acme is now acme-eu.", renamed.Message);
        Assert.Equal("acme-eu", renamed.NewTenantId);
        Assert.Null(await Tenants.GetAsync(TestPersonas.PlatformAdmin, "acme", default));
        var details = await Tenants.GetAsync(TestPersonas.PlatformAdmin, "acme-eu", default);
        Assert.Equal([AcmeTid], details!.EntraTenantIds);
        Assert.Single(details.Contacts);
        await using (var db = _portal.CreateDbContext())
        {
            var moved = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == "acme-eu");
            Assert.Equal("https://hooks.acme.example/rotation", moved.WebhookUrl); // the webhook moves with the tenant
            // The signing key moves too, protected again for the new id (its protection names the tenant).
            Assert.Equal(signingKey, signingKeys.Unprotect("acme-eu", moved.WebhookSigningKeyProtected!));
            Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => signingKeys.Unprotect("acme", moved.WebhookSigningKeyProtected!));
        }

        var admin = TestPersonas.With(AcmeTid, TestPersonas.TenantAdminRole);
        var stored = await _portal.Get<ApiKeyService>().SubmitApiKeyAsync(admin, "acme-eu", new SecretValue("sk_live_rename_test_key_0001"), default);
        Assert.Equal(KeyChangeOutcome.Done, stored.Outcome);

        var refused = await Tenants.UpdateAsync(TestPersonas.PlatformAdmin, "acme-eu", Acme(id: "acme-us"), default);
        Assert.Equal(TenantChangeOutcome.Invalid, refused.Outcome);
        Assert.Contains("tenant-acme-eu-api-key", refused.Message, StringComparison.Ordinal);
        Assert.True((await Tenants.GetAsync(TestPersonas.PlatformAdmin, "acme-eu", default))!.IdIsImmutable);
    }

    [Fact]
    public async Task Update_IdChangeWhileAFirstKeyIsBeingStored_WaitsThenIsRefusedAndMovesNothing()
    {
        await Tenants.OnboardAsync(TestPersonas.PlatformAdmin, Acme(), default);
        var locks = _portal.Get<TenantKeyLocks>();
        var held = await locks.AcquireAsync("acme", TimeSpan.Zero, default);
        Assert.NotNull(held);
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        locks.Waiting += id => waiting.TrySetResult();

        var rename = Task.Run(() => Tenants.UpdateAsync(TestPersonas.PlatformAdmin, "acme", Acme(id: "acme-eu"), default));
        await waiting.Task.WaitAsync(TimeSpan.FromSeconds(60));
        _portal.Time.Advance(locks.Options.Wait + TimeSpan.FromSeconds(1));
        var refused = await rename;
        await held.DisposeAsync();

        Assert.Equal(TenantChangeOutcome.Failed, refused.Outcome);
        Assert.Equal("An API key is being stored for this tenant right now, so its id cannot change to \"acme-eu\". Nothing was saved; reload and try again.",
            refused.Message);
        Assert.NotNull(await Tenants.GetAsync(TestPersonas.PlatformAdmin, "acme", default));
        Assert.Null(await Tenants.GetAsync(TestPersonas.PlatformAdmin, "acme-eu", default));
        Assert.True((await Tenants.UpdateAsync(TestPersonas.PlatformAdmin, "acme", Acme(id: "acme-eu"), default)).Succeeded);
    }

    [Fact]
    public async Task Update_IdChangeWhileTheStoreHoldsAnUnrecordedVersion_IsRefusedSoNoSecretIsLeftBehind()
    {
        await Tenants.OnboardAsync(TestPersonas.PlatformAdmin, Acme(), default);
        // A first submit whose store write landed and whose metadata did not: no version row, one secret version.
        await _portal.Get<ISecretStore>().SetAsync(SecretName.ForTenant("acme"), new SecretValue("sk_live_unrecorded_rename_01"),
            new SecretWriteOptions("text/plain", new Dictionary<string, string> { ["tenant-id"] = "acme" }, null), default);

        var refused = await Tenants.UpdateAsync(TestPersonas.PlatformAdmin, "acme", Acme(id: "acme-eu"), default);

        Assert.Equal(TenantChangeOutcome.Invalid, refused.Outcome);
        Assert.StartsWith("The secret store already holds versions of tenant-acme-api-key", refused.Message, StringComparison.Ordinal);
        Assert.Null(await Tenants.GetAsync(TestPersonas.PlatformAdmin, "acme-eu", default));
    }

    [Fact]
    public async Task Onboard_IdWhoseSecretTheStoreAlreadyHolds_IsRefused()
    {
        await _portal.Get<ISecretStore>().SetAsync(SecretName.ForTenant("acme"), new SecretValue("sk_live_left_behind_key_01"),
            new SecretWriteOptions("text/plain", new Dictionary<string, string> { ["tenant-id"] = "acme" }, null), default);

        var refused = await Tenants.OnboardAsync(TestPersonas.PlatformAdmin, Acme(), default);

        Assert.Equal(TenantChangeOutcome.Invalid, refused.Outcome);
        Assert.StartsWith("The secret store already holds versions of tenant-acme-api-key", refused.Message, StringComparison.Ordinal);
        Assert.Null(await Tenants.GetAsync(TestPersonas.PlatformAdmin, "acme", default));
    }

    [Fact]
    public async Task Offboard_DisablesEveryVersionInTheStore_LocksOutItsAdmins_KeepsHistory_AndCanBeUndone()
    {
        var keys = _portal.Get<ApiKeyService>();
        await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue("sk_live_offboard_one_000001"), default);
        await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue("sk_live_offboard_two_000002"), default);
        Assert.Contains(await _portal.StoredVersionsAsync("contoso"), v => v.Enabled);

        var wrongName = await Tenants.OffboardAsync(TestPersonas.PlatformAdmin, "contoso", "contoso", "Contract ended", default);
        Assert.Equal(TenantChangeOutcome.Invalid, wrongName.Outcome);
        Assert.Contains("\"Contoso Ltd\"", wrongName.Message, StringComparison.Ordinal);
        Assert.Contains(await _portal.StoredVersionsAsync("contoso"), v => v.Enabled);

        var result = await Tenants.OffboardAsync(TestPersonas.PlatformAdmin, "contoso", "Contoso Ltd", "Contract ended", default);

        Assert.True(result.Succeeded, result.Message);
        Assert.All(await _portal.StoredVersionsAsync("contoso"), v => Assert.False(v.Enabled));
        Assert.Equal(2, (await _portal.StoredVersionsAsync("contoso")).Count);
        var details = await Tenants.GetAsync(TestPersonas.PlatformAdmin, "contoso", default);
        Assert.Equal(PortalServices.Start, details!.OffboardedAt);
        Assert.Equal("Contract ended", details.OffboardReason);
        await using (var db = _portal.CreateDbContext())
        {
            Assert.All(await db.ApiKeyVersions.Where(v => v.TenantId == "contoso").ToListAsync(), v =>
            {
                Assert.NotEqual(ApiKeyVersionStatus.Current, v.Status);
                Assert.NotNull(v.DisabledInStoreAt);
            });
            Assert.Equal([AuditOutcome.Requested, AuditOutcome.Succeeded],
                await db.AuditEvents.Where(e => e.Action == AuditActions.TenantOffboard).OrderBy(e => e.Id).Select(e => e.Outcome).ToListAsync());
        }

        // Its admins can no longer act or see it; support still reads its history.
        Assert.Null(await keys.GetOverviewAsync(TestPersonas.ContosoAdmin, "contoso", default));
        Assert.Equal(KeyChangeOutcome.NotFound,
            (await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue("sk_live_offboard_three_0003"), default)).Outcome);
        Assert.NotNull(await keys.GetOverviewAsync(TestPersonas.SupportReader, "contoso", default));

        var again = await Tenants.ReonboardAsync(TestPersonas.PlatformAdmin, "contoso", default);
        Assert.True(again.Succeeded, again.Message);
        Assert.NotNull(await keys.GetOverviewAsync(TestPersonas.ContosoAdmin, "contoso", default));
        Assert.All(await _portal.StoredVersionsAsync("contoso"), v => Assert.False(v.Enabled));
    }

    [Fact]
    public async Task TenantAdmin_ReadsOwnDetails_ManagesOwnContactsOnly()
    {
        var own = await Tenants.GetAsync(TestPersonas.ContosoAdmin, "contoso", default);
        Assert.NotNull(own);
        Assert.True(own.CanEditContacts);
        Assert.False(own.CanAdminister);
        Assert.Null(await Tenants.GetAsync(TestPersonas.ContosoAdmin, "fabrikam", default));

        var saved = await Tenants.UpdateContactsAsync(TestPersonas.ContosoAdmin, "contoso", [new("it@contoso.example", "ja")], default);
        Assert.True(saved.Succeeded, saved.Message);
        var bad = await Tenants.UpdateContactsAsync(TestPersonas.ContosoAdmin, "contoso", [new("it@@contoso", "en")], default);
        Assert.Equal(TenantChangeOutcome.Invalid, bad.Outcome);
        var cross = await Tenants.UpdateContactsAsync(TestPersonas.ContosoAdmin, "fabrikam", [new("evil@contoso.example", "en")], default);
        Assert.Equal(TenantChangeOutcome.NotFound, cross.Outcome);
        var support = await Tenants.UpdateContactsAsync(TestPersonas.SupportReader, "contoso", [new("evil@contoso.example", "en")], default);
        Assert.Equal(TenantChangeOutcome.NotFound, support.Outcome);

        Assert.Equal("it@contoso.example", Assert.Single((await Tenants.GetAsync(TestPersonas.ContosoAdmin, "contoso", default))!.Contacts).Email);
        Assert.Empty((await Tenants.GetAsync(TestPersonas.PlatformAdmin, "fabrikam", default))!.Contacts);
        await using var db = _portal.CreateDbContext();
        Assert.Equal(2, await db.AuditEvents.CountAsync(e => e.Action == AuditActions.TenantContactsUpdate && e.Outcome == AuditOutcome.Denied));
    }

    [Fact]
    public async Task TenantAdmin_MayTightenThePolicy_NeverLoosenBeyondThePlatform()
    {
        var tighter = await Tenants.UpdatePolicyAsync(TestPersonas.ContosoAdmin, "contoso", new RotationPolicy(30, [14, 3], 2), default);
        Assert.True(tighter.Succeeded, tighter.Message);

        var tooLong = await Tenants.UpdatePolicyAsync(TestPersonas.ContosoAdmin, "contoso", new RotationPolicy(400, [30], 2), default);
        Assert.Contains("between 1 and 365 days", tooLong.Message, StringComparison.Ordinal);
        var longerGrace = await Tenants.UpdatePolicyAsync(TestPersonas.ContosoAdmin, "contoso", new RotationPolicy(30, [14], 8), default);
        Assert.Contains("cannot be longer than the platform's 7 days", longerGrace.Message, StringComparison.Ordinal);

        var policy = (await Tenants.GetAsync(TestPersonas.ContosoAdmin, "contoso", default))!.Policy;
        Assert.Equal(30, policy.IntervalDays);
        Assert.Equal([14, 3], policy.ReminderLeadDays);
        Assert.Equal(2, policy.GracePeriodDays);
    }
}
