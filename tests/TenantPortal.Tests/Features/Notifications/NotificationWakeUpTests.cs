using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Features.Notifications;
using TenantPortal.Web.Features.Rotation;

namespace TenantPortal.Tests.Features.Notifications;

/// <summary>
/// The background worker on a one-hour interval and a clock that never moves: a delivery can only go out at once if
/// committing it wakes the worker.
/// </summary>
public sealed class NotificationWakeUpTests : IAsyncLifetime
{
    private NotificationTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await NotificationTestBed.StartAsync(settings: new Dictionary<string, string?>
    {
        ["Notifications:Dispatch:Enabled"] = "true",
        ["Notifications:Dispatch:Interval"] = "01:00:00",
    });

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task CommittedNotice_IsSentAtOnce_NotAtTheNextInterval()
    {
        // The first may still be caught by the worker's start-up pass; the second can only go out if it is woken.
        await _bed.EnqueueAsync(RotationNoticeKind.Reminder);
        await _bed.Webhook.WaitForRequestAsync();
        await _bed.EnqueueAsync(RotationNoticeKind.Rotated);

        var request = await _bed.Webhook.WaitForRequestAsync(count: 2);

        Assert.Equal(WebhookSender.EventName(RotationNoticeKind.Rotated), request.Header("X-TenantPortal-Event"));
        Assert.Equal(PortalStart, _bed.Portal.Time.GetUtcNow()); // the fake clock did not move
    }

    [Fact]
    public async Task NoticeInsideATransaction_IsSentWhenItCommits_AndNeverWhenItRollsBack()
    {
        await _bed.EnqueueAsync(RotationNoticeKind.Reminder); // past the worker's start-up pass
        await _bed.Webhook.WaitForRequestAsync();
        await SaveNoticeInTransactionAsync(commit: false);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single(_bed.Webhook.Requests);
        Assert.DoesNotContain(await _bed.DeliveriesAsync(), d => d.Status == NotificationDeliveryStatus.Pending);

        await SaveNoticeInTransactionAsync(commit: true);
        var request = await _bed.Webhook.WaitForRequestAsync(count: 2);

        Assert.Equal(WebhookSender.EventName(RotationNoticeKind.Rotated), request.Header("X-TenantPortal-Event"));
    }

    private static DateTimeOffset PortalStart => TestHost.PortalServices.Start;

    private async Task SaveNoticeInTransactionAsync(bool commit)
    {
        var now = _bed.Portal.Time.GetUtcNow();
        await using var db = _bed.Portal.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var tenant = await db.Tenants.Include(t => t.Contacts).SingleAsync(t => t.Id == "contoso");
        NotificationOutbox.Enqueue(db, tenant, new RotationNotice
        {
            TenantId = "contoso",
            StoreVersionId = NotificationTestBed.VersionId,
            Kind = RotationNoticeKind.Rotated,
            DueAt = now.AddDays(90),
            CreatedAt = now,
        }, now);
        await db.SaveChangesAsync();

        // Saved but not committed: nothing may go out yet.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Single(_bed.Webhook.Requests);
        if (commit)
        {
            await transaction.CommitAsync();
        }
        else
        {
            await transaction.RollbackAsync();
        }
    }
}
