using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using TenantPortal.Web.Data;

namespace TenantPortal.Web.Infrastructure.Audit;

/// <summary>The audit trail is append-only: no save may change or delete an audit row or a checkpoint.</summary>
internal sealed class AuditAppendOnlyGuard : ISaveChangesInspector
{
    public void Inspect(DbContext context, IReadOnlyList<EntityEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var entry in entries)
        {
            if (entry.Entity is AuditEvent or AuditCheckpoint && entry.State is EntityState.Modified or EntityState.Deleted)
            {
                throw new InvalidOperationException(
                    $"The audit trail is append-only: a {entry.Metadata.ClrType.Name} cannot be {entry.State.ToString().ToLowerInvariant()}.");
            }
        }
    }
}
