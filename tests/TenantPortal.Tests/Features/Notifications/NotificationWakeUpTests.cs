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
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

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
        // The worker is held after the pass that sends the first notice, before it reads its next wake-up: a wake-up
        // the transaction asks for stays pending, where the test sees it, instead of becoming a pass that finds nothing.
        using var held = new HeldWorker(_bed.Portal.Get<NotificationDispatchWorker>(), report => report.Delivered > 0);
        await _bed.EnqueueAsync(RotationNoticeKind.Reminder); // past the worker's start-up pass
        await _bed.Webhook.WaitForRequestAsync();
        await held.Held.WaitAsync(HangGuard);
        TakePendingWakeUp(); // the first notice's own, when the start-up pass sent it

        await SaveNoticeInTransactionAsync(commit: false);
        Assert.False(TakePendingWakeUp(), "The rollback woke the worker.");
        await AssertAPassSendsNothingAsync();
        Assert.Single(_bed.Webhook.Requests);
        Assert.DoesNotContain(await _bed.DeliveriesAsync(), d => d.Status == NotificationDeliveryStatus.Pending);

        await SaveNoticeInTransactionAsync(commit: true);
        held.Release();
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
        Assert.False(TakePendingWakeUp(), "Saving inside the transaction woke the worker before the commit.");
        await AssertAPassSendsNothingAsync();
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

    /// <summary>A dispatch pass run here, to its end, finds nothing due: what is not committed cannot be sent.</summary>
    private async Task AssertAPassSendsNothingAsync()
    {
        var report = await _bed.Dispatcher.DispatchDueAsync(CancellationToken.None);
        Assert.Equal(0, report.Attempted);
    }

    /// <summary>
    /// Whether a wake-up was pending (it is taken). The interceptor signals synchronously inside the save, commit or
    /// rollback, and the held worker reads none, so the answer is final the moment the call returns.
    /// </summary>
    private bool TakePendingWakeUp()
    {
        using var cancel = new CancellationTokenSource();
        var wait = _bed.Portal.Get<NotificationWakeUp>().WaitAsync(cancel.Token);
        cancel.Cancel();
        return wait.Status == TaskStatus.RanToCompletion;
    }

    /// <summary>
    /// Holds the dispatch worker inside the first pass that matches, just after it completed and before the worker
    /// reads its next wake-up, until released (or disposed, so that the host can stop).
    /// </summary>
    private sealed class HeldWorker : IDisposable
    {
        private readonly NotificationDispatchWorker _worker;
        private readonly Func<DispatchReport, bool> _holdAfter;
        private readonly TaskCompletionSource<DispatchReport> _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEventSlim _released = new();
        private int _taken;

        public HeldWorker(NotificationDispatchWorker worker, Func<DispatchReport, bool> holdAfter)
        {
            _worker = worker;
            _holdAfter = holdAfter;
            worker.PassCompleted += OnPassCompleted;
        }

        /// <summary>Completes with the report of the pass the worker is held after.</summary>
        public Task<DispatchReport> Held => _held.Task;

        public void Release() => _released.Set();

        public void Dispose()
        {
            _worker.PassCompleted -= OnPassCompleted;
            _released.Set();
        }

        private void OnPassCompleted(DispatchReport report)
        {
            if (!_holdAfter(report) || Interlocked.Exchange(ref _taken, 1) == 1)
            {
                return;
            }

            _held.SetResult(report);
            _released.Wait();
        }
    }
}
