using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using TenantPortal.Tests.Features.Notifications;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.Notifications;
using TenantPortal.Web.Features.Platform;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Tests.Features.Tenants;

/// <summary>A new probe URL is where the next key goes: the tenant's contacts are told, by e-mail in their language and by webhook.</summary>
public sealed class ProbeChangeNoticeTests : IAsyncLifetime
{
    private NotificationTestBed _bed = null!;

    public async Task InitializeAsync()
    {
        _bed = await NotificationTestBed.StartAsync();
        var settings = await _bed.Portal.Get<PlatformSettingsService>().UpdateAsync(TestPersonas.PlatformAdmin,
            new PlatformSettingsInput(90, 365, [30, 14, 7, 1], 7, ["api.provider.example", "api.other.example"]), default);
        Assert.True(settings.Succeeded, settings.Problem);
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private static VerificationProbe Probe(string url, int expectedStatus = 200) => new()
    {
        Method = "GET", Url = url, HeaderName = "X-Api-Key", HeaderPrefix = "", ExpectedStatus = expectedStatus,
    };

    private Task<TenantChangeResult> UpdateAsync(VerificationProbe? probe) =>
        _bed.Portal.Get<TenantService>().UpdateProbeAsync(TestPersonas.ContosoAdmin, "contoso", probe, default);

    private async Task<List<RotationNotice>> ProbeNoticesAsync()
    {
        await using var db = _bed.Portal.CreateDbContext();
        return await db.RotationNotices.Where(n => n.TenantId == "contoso" && n.Kind == RotationNoticeKind.ProbeChanged).OrderBy(n => n.Id).ToListAsync();
    }

    [Fact]
    public async Task UpdateProbe_NewUrl_TellsEveryContactInTheirLanguageAndTheWebhook()
    {
        var saved = await UpdateAsync(Probe("https://api.provider.example/v1/me"));

        Assert.True(saved.Succeeded, saved.Message);
        var notice = Assert.Single(await ProbeNoticesAsync());
        Assert.StartsWith(RotationNotices.ProbeChangePrefix, notice.StoreVersionId, StringComparison.Ordinal);
        Assert.Null(notice.KeyVersion);
        var deliveries = await _bed.DeliveriesAsync();
        Assert.Equal(3, deliveries.Count(d => d.NoticeId == notice.Id));

        Assert.Equal(new DispatchReport(3, 0, 0), await _bed.Dispatcher.DispatchDueAsync(default));

        var messages = await _bed.Smtp.WaitForMessagesAsync(2);
        var english = messages.Single(m => m.To.Mailboxes.Single().Address == "ops@contoso.test");
        var japanese = messages.Single(m => m.To.Mailboxes.Single().Address == "tanaka@contoso.test");
        Assert.Equal("[TenantPortal] Contoso Ltd: the verification probe URL was changed", english.Subject);
        Assert.Equal(
            "A tenant admin of Contoso Ltd set, changed or removed the verification probe URL in TenantPortal. Every new API key is sent to that URL " +
            "to check it before it is stored, so it must be your provider's.\n\n" +
            "If nobody in your organisation made this change, check the probe on the tenant page in TenantPortal and do not submit a new key until it is put right." +
            "\n\n--\nTenantPortal sent this message to the contacts of Contoso Ltd. It never contains an API key.",
            english.TextBody!.ReplaceLineEndings("\n").TrimEnd());
        Assert.Equal("[TenantPortal] Contoso Ltd: 検証プローブのURLが変更されました", japanese.Subject);
        Assert.StartsWith("Contoso Ltd のテナント管理者が TenantPortal で検証プローブのURLを設定、変更、または削除しました。", japanese.TextBody, StringComparison.Ordinal);
        Assert.Equal("ja", japanese.Body!.Headers["Content-Language"]);

        var hook = Assert.Single(_bed.Webhook.Requests);
        Assert.Equal("probe.changed", hook.Header("X-TenantPortal-Event"));
        using var body = JsonDocument.Parse(hook.Body);
        Assert.Equal("probe.changed", body.RootElement.GetProperty("event").GetString());
        Assert.Equal("contoso", body.RootElement.GetProperty("tenantId").GetString());
        Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("version").ValueKind);

        await using var db = _bed.Portal.CreateDbContext();
        var delivered = await db.AuditEvents.Where(e => e.Action == NotificationAuditActions.DeliverySucceeded).ToListAsync();
        Assert.Equal(3, delivered.Count);
        Assert.All(delivered, e => Assert.Null(e.KeyVersion));
    }

    [Fact]
    public async Task UpdateProbe_EachUrlChange_IsANoticeOfItsOwn_OtherSettingsAndNoChangeAreNot()
    {
        Assert.True((await UpdateAsync(Probe("https://api.provider.example/v1/me"))).Succeeded);
        Assert.Single(await ProbeNoticesAsync());

        Assert.Equal("Nothing changed.", (await UpdateAsync(Probe("https://api.provider.example/v1/me"))).Message);
        Assert.True((await UpdateAsync(Probe("https://api.provider.example/v1/me", expectedStatus: 204))).Succeeded);
        Assert.Single(await ProbeNoticesAsync());

        Assert.True((await UpdateAsync(Probe("https://api.other.example/whoami", expectedStatus: 204))).Succeeded);
        Assert.True((await UpdateAsync(null)).Succeeded);
        Assert.True((await UpdateAsync(Probe("https://api.provider.example/v1/me"))).Succeeded);

        var notices = await ProbeNoticesAsync();
        Assert.Equal(4, notices.Count);
        Assert.Equal(4, notices.Select(n => n.StoreVersionId).Distinct().Count());
        Assert.Equal(12, (await _bed.DeliveriesAsync()).Count);
        await using var db = _bed.Portal.CreateDbContext();
        Assert.Equal(5, await db.AuditEvents.CountAsync(e => e.Action == AuditActions.TenantProbeUpdate && e.Outcome == AuditOutcome.Succeeded));
    }

    [Fact]
    public async Task UpdateProbe_Refused_TellsNobody()
    {
        var refused = await UpdateAsync(Probe("https://evil.example/collect"));

        Assert.Equal(TenantChangeOutcome.Invalid, refused.Outcome);
        Assert.Empty(await ProbeNoticesAsync());
        Assert.Empty(await _bed.DeliveriesAsync());
    }
}
