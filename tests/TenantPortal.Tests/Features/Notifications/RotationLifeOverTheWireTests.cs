using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.Notifications;

/// <summary>
/// The whole life on a fake clock, over the wire: submit → a reminder at each lead time → overdue → rotate → grace →
/// old version disabled, each notice e-mailed to both contacts (in their language, through a real SMTP server) and
/// POSTed, signed, to the tenant's webhook.
/// </summary>
public sealed class RotationLifeOverTheWireTests : IAsyncLifetime
{
    private const string Key = "sk_live_wire_canary_Hq83LmZ1";
    private NotificationTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await NotificationTestBed.StartAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private async Task SweepAndSendAsync()
    {
        await _bed.Portal.Get<RotationMonitor>().SweepAsync(default);
        await _bed.Dispatcher.DispatchDueAsync(default);
    }

    [Fact]
    public async Task SubmitRemindOverdueRotateGraceDisable_EveryNoticeReachesEveryContactAndTheWebhook()
    {
        var keys = _bed.Portal.Get<ApiKeyService>();
        var first = await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Key), default);
        var start = PortalServices.Start;

        foreach (var day in new[] { 60, 76, 83, 89, 90 })
        {
            _bed.Portal.Time.SetUtcNow(start.AddDays(day).AddHours(1));
            await SweepAndSendAsync();
            await SweepAndSendAsync(); // a second pass sends nothing more
        }

        await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Key + "-2"), default);
        _bed.Portal.Time.Advance(TimeSpan.FromDays(7).Add(TimeSpan.FromMinutes(1)));
        await SweepAndSendAsync();

        // 4 reminders + overdue + previous disabled = 6 notices, each to 2 contacts and the webhook.
        var mail = await _bed.Smtp.WaitForMessagesAsync(12);
        Assert.Equal(12, mail.Count);
        Assert.Equal(6, mail.Count(m => m.To.ToString().Contains("tanaka@contoso.test", StringComparison.Ordinal)));
        Assert.Equal(
            ["key.overdue", "key.previous_disabled", "key.reminder", "key.reminder", "key.reminder", "key.reminder"],
            _bed.Webhook.Requests.Select(r => r.Header("X-TenantPortal-Event")).Order(StringComparer.Ordinal));
        Assert.All(_bed.Webhook.Requests, r => Assert.StartsWith("sha256=", r.Header("X-TenantPortal-Signature"), StringComparison.Ordinal));
        Assert.False((await _bed.Portal.StoredVersionsAsync("contoso")).Single(v => v.Version == first.Version!.Version).Enabled);

        // The key never travels in a notification.
        Assert.All(mail, m => Assert.DoesNotContain(Key, m.ToString(), StringComparison.Ordinal));
        Assert.All(_bed.Webhook.Requests, r => Assert.DoesNotContain(Key, r.Body, StringComparison.Ordinal));
    }
}
