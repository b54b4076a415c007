using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using TenantPortal.Web.Data;

namespace TenantPortal.Web.Features.Notifications;

/// <summary>
/// Wakes this instance's dispatch worker as soon as deliveries are committed, so a notice goes out in seconds rather
/// than at the worker's next interval. Other instances still find them at their own interval (the claim keeps each
/// delivery to one sender).
/// </summary>
public sealed class NotificationWakeUp
{
    private readonly Channel<bool> _signals = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    /// <summary>Asks for a pass; signals that arrive while one is pending are one.</summary>
    public void Signal() => _signals.Writer.TryWrite(true);

    public async Task WaitAsync(CancellationToken cancellationToken) => await _signals.Reader.ReadAsync(cancellationToken);
}

/// <summary>
/// Signals <see cref="NotificationWakeUp"/> when a save that added deliveries has committed: right after the save,
/// or, inside an explicit transaction, when that transaction commits (a rollback signals nothing).
/// </summary>
internal sealed class NotificationWakeUpInterceptor(NotificationWakeUp wakeUp) : AfterCommitInterceptor
{
    protected override bool Concerns(IReadOnlyList<EntityEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var entry in entries)
        {
            if (entry.Entity is NotificationDelivery && entry.State == EntityState.Added)
            {
                return true;
            }
        }

        return false;
    }

    protected override void Committed() => wakeUp.Signal();
}
