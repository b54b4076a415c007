using Microsoft.EntityFrameworkCore;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.Platform;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Tests.Features.Tenants;

public sealed class PlatformSettingsServiceTests : IAsyncLifetime
{
    private PortalServices _portal = null!;

    private PlatformSettingsService Settings => _portal.Get<PlatformSettingsService>();

    public async Task InitializeAsync() => _portal = await PortalServices.StartAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private static PlatformSettingsInput Valid => new(60, 180, [21, 7], 5, ["api.partner.example"]);

    [Fact]
    public async Task Get_BeforeAnySave_AnswersTheProductDefaults()
    {
        var settings = await Settings.GetAsync(default);

        Assert.Equal(90, settings.DefaultRotationIntervalDays);
        Assert.Equal(365, settings.MaxRotationIntervalDays);
        Assert.Equal([30, 14, 7, 1], settings.ReminderLeadDays);
        Assert.Equal(7, settings.GracePeriodDays);
        Assert.Empty(settings.ProbeAllowedHosts);
    }

    [Fact]
    public async Task Update_SavesAndAuditsTheChange_AndNewTenantsAreHeldToTheMaximum()
    {
        var result = await Settings.UpdateAsync(TestPersonas.PlatformAdmin, Valid with { ProbeAllowedHosts = ["API.Partner.example.", "api.partner.example"] }, default);

        Assert.True(result.Succeeded, result.Problem);
        var saved = await Settings.GetAsync(default);
        Assert.Equal(60, saved.DefaultRotationIntervalDays);
        Assert.Equal(180, saved.MaxRotationIntervalDays);
        Assert.Equal(["api.partner.example"], saved.ProbeAllowedHosts);
        await using (var db = _portal.CreateDbContext())
        {
            var audit = await db.AuditEvents.SingleAsync(e => e.Action == AuditActions.PlatformSettingsUpdate);
            Assert.Contains("Default interval: 90 → 60", audit.Changes, StringComparison.Ordinal);
            Assert.Contains("Maximum interval: 365 → 180", audit.Changes, StringComparison.Ordinal);
            Assert.Contains("Probe allow-list: +api.partner.example", audit.Changes, StringComparison.Ordinal);
        }

        var onboard = await _portal.Get<TenantService>().OnboardAsync(TestPersonas.PlatformAdmin,
            new TenantInput("acme", "Acme", [], [], new RotationPolicy(200, [30], 7)), default);
        Assert.Contains("between 1 and 180 days", onboard.Message, StringComparison.Ordinal);
    }

    public static TheoryData<PlatformSettingsInput, string> BadInputs => new()
    {
        { Valid with { MaxRotationIntervalDays = 0 }, "maximum rotation interval must be between 1 and 365" },
        { Valid with { MaxRotationIntervalDays = 366 }, "maximum rotation interval must be between 1 and 365" },
        { Valid with { DefaultRotationIntervalDays = 200 }, "cannot exceed the maximum (180 days)" },
        { Valid with { DefaultRotationIntervalDays = 0 }, "between 1 and 180 days" },
        { Valid with { ReminderLeadDays = [60] }, "shorter than the 60-day interval; 60 is not" },
        { Valid with { ReminderLeadDays = [7, 7] }, "only once" },
        { Valid with { GracePeriodDays = 91 }, "grace period must be between 0 and 90" },
        { Valid with { ProbeAllowedHosts = ["10.0.0.1"] }, "IP addresses and single-label names are not accepted" },
        { Valid with { ProbeAllowedHosts = Enumerable.Range(0, 21).Select(i => $"h{i}.example").ToList() }, "At most 20 probe allow-list entries" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Update_BadInput_SaysWhatIsWrongAndSavesNothing(PlatformSettingsInput input, string expected)
    {
        var result = await Settings.UpdateAsync(TestPersonas.PlatformAdmin, input, default);

        Assert.False(result.Succeeded);
        Assert.Contains(expected, result.Problem, StringComparison.Ordinal);
        Assert.Equal(90, (await Settings.GetAsync(default)).DefaultRotationIntervalDays);
        await using var db = _portal.CreateDbContext();
        Assert.False(await db.PlatformSettings.AnyAsync());
        Assert.False(await db.AuditEvents.AnyAsync(e => e.Action == AuditActions.PlatformSettingsUpdate));
    }

    [Fact]
    public async Task Update_Origins_AreSavedNormalised_ABareHostStayingABareHost()
    {
        var result = await Settings.UpdateAsync(TestPersonas.PlatformAdmin, Valid with
        {
            ProbeAllowedHosts =
            [
                "api.partner.example", "https://API.Partner.example:443/", "HTTPS://api.partner.example:8443", "https://api.partner.example/v1/",
                "api.other.example/v2/keys", "https://xn--bcher-kva.example", "https://bücher.example/",
            ],
        }, default);

        Assert.True(result.Succeeded, result.Problem);
        Assert.Equal(
            ["api.partner.example", "https://api.partner.example:8443/", "https://api.partner.example/v1", "https://api.other.example/v2/keys", "xn--bcher-kva.example"],
            (await Settings.GetAsync(default)).ProbeAllowedHosts);
    }

    [Fact]
    public async Task Update_BadAllowListEntries_NamesEachOneAndSavesNothing()
    {
        var result = await Settings.UpdateAsync(TestPersonas.PlatformAdmin, Valid with
        {
            ProbeAllowedHosts = ["api.partner.example", "http://api.partner.example", "https://api.partner.example/v1?key=1", "https://user@api.partner.example", "https://[::1]/", "https://api.partner.example/v1%2F..", "localhost"],
        }, default);

        Assert.False(result.Succeeded);
        Assert.Equal(string.Join("\n",
            "\"http://api.partner.example\": only https:// origins can be allowed, not http://, because the key is sent only over TLS.",
            "\"https://api.partner.example/v1?key=1\": an entry is an origin with an optional path prefix; it cannot have a query (?) or fragment (#).",
            "\"https://user@api.partner.example\": an entry cannot contain a user name or password (user@host).",
            "\"https://[::1]/\": the host must be a DNS name such as api.example.com; IP addresses and single-label names are not accepted.",
            "\"https://api.partner.example/v1%2F..\": the path cannot contain an encoded slash, backslash or percent sign (%2F, %5C, %25): a server may decode it into another path.",
            "\"localhost\": the host must be a DNS name such as api.example.com; IP addresses and single-label names are not accepted."), result.Problem);
        await using var db = _portal.CreateDbContext();
        Assert.False(await db.PlatformSettings.AnyAsync());
    }

    [Fact]
    public async Task Update_LegacyBareHostList_ResavedUnchanged_IsNotAChange()
    {
        await using (var db = _portal.CreateDbContext())
        {
            // As stored before entries became origins.
            db.PlatformSettings.Add(new PlatformSettings { ProbeAllowedHosts = ["api.partner.example"] });
            await db.SaveChangesAsync();
        }

        var settings = await Settings.GetAsync(default);
        var result = await Settings.UpdateAsync(TestPersonas.PlatformAdmin, new PlatformSettingsInput(settings.DefaultRotationIntervalDays,
            settings.MaxRotationIntervalDays, settings.ReminderLeadDays, settings.GracePeriodDays, settings.ProbeAllowedHosts), default);

        Assert.True(result.Succeeded, result.Problem);
        Assert.Equal(["api.partner.example"], (await Settings.GetAsync(default)).ProbeAllowedHosts);
        await using var check = _portal.CreateDbContext();
        Assert.False(await check.AuditEvents.AnyAsync(e => e.Action == AuditActions.PlatformSettingsUpdate));
    }

    [Fact]
    public async Task Update_NotAPlatformAdmin_IsDeniedAndAudited()
    {
        foreach (var user in new[] { TestPersonas.SupportReader, TestPersonas.ContosoAdmin, TestPersonas.CustomerWithStaffRole("Platform.Admin") })
        {
            Assert.False((await Settings.UpdateAsync(user, Valid, default)).Succeeded);
        }

        await using var db = _portal.CreateDbContext();
        Assert.False(await db.PlatformSettings.AnyAsync());
        Assert.Equal(3, await db.AuditEvents.CountAsync(e => e.Action == AuditActions.PlatformSettingsUpdate && e.Outcome == AuditOutcome.Denied));
    }
}
