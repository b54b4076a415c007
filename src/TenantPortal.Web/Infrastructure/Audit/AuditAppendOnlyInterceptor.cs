using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace TenantPortal.Web.Infrastructure.Audit;

/// <summary>The audit trail is append-only: no save may change or delete an audit row or a checkpoint.</summary>
internal sealed class AuditAppendOnlyInterceptor : SaveChangesInterceptor
{
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Guard(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Guard(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private static void Guard(DbContext? context)
    {
        var violation = context?.ChangeTracker.Entries()
            .FirstOrDefault(e => e.Entity is AuditEvent or AuditCheckpoint && e.State is EntityState.Modified or EntityState.Deleted);
        if (violation is not null)
        {
            throw new InvalidOperationException(
                $"The audit trail is append-only: a {violation.Metadata.ClrType.Name} cannot be {violation.State.ToString().ToLowerInvariant()}.");
        }
    }
}
