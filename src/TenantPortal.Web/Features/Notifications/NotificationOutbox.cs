using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;

namespace TenantPortal.Web.Features.Notifications;

/// <summary>
/// Queues a notice for delivery: one pending row per contact (in the contact's language) and one for the webhook,
/// added to the caller's context so that the notice and its deliveries commit together. The dispatcher sends them.
/// </summary>
public static class NotificationOutbox
{
    /// <param name="db">The caller's context; the caller saves.</param>
    /// <param name="tenant">The tenant with its <see cref="Tenant.Contacts"/> loaded.</param>
    /// <param name="notice">A notice added to <paramref name="db"/> (it is added here when it is not tracked yet), or one already saved.</param>
    /// <param name="now">When the deliveries are queued; they are due at once.</param>
    public static IReadOnlyList<NotificationDelivery> Enqueue(PortalDbContext db, Tenant tenant, RotationNotice notice, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(notice);
        if (!string.Equals(tenant.Id, notice.TenantId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The notice belongs to tenant {notice.TenantId}, not {tenant.Id}.", nameof(notice));
        }

        var noticeEntry = db.Entry(notice);
        if (noticeEntry.State == EntityState.Detached && notice.Id == 0)
        {
            db.RotationNotices.Add(notice);
        }

        var deliveries = new List<NotificationDelivery>();
        foreach (var contact in tenant.Contacts.DistinctBy(c => c.Email.Trim(), StringComparer.OrdinalIgnoreCase))
        {
            deliveries.Add(NewDelivery(tenant.Id, NotificationChannel.Email, contact.Email.Trim(),
                contact.Language == ContactLanguages.Japanese ? ContactLanguages.Japanese : ContactLanguages.English, now));
        }

        if (Uri.TryCreate(tenant.WebhookUrl, UriKind.Absolute, out var webhook))
        {
            // The host only: a webhook URL's path or query can hold the receiver's own token.
            deliveries.Add(NewDelivery(tenant.Id, NotificationChannel.Webhook, webhook.IdnHost, ContactLanguages.English, now));
        }

        foreach (var delivery in deliveries)
        {
            var entry = db.NotificationDeliveries.Add(delivery);
            // The notice may not have its database key yet: point at its (temporary) key, which EF fixes up on save.
            entry.Property(d => d.NoticeId).CurrentValue = noticeEntry.Property(n => n.Id).CurrentValue;
        }

        return deliveries;
    }

    private static NotificationDelivery NewDelivery(string tenantId, NotificationChannel channel, string target, string language, DateTimeOffset now) => new()
    {
        TenantId = tenantId,
        Channel = channel,
        Target = target,
        Language = language,
        Status = NotificationDeliveryStatus.Pending,
        CreatedAt = now,
        NextAttemptAt = now,
    };
}
