using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Data;

namespace TenantPortal.Web.Infrastructure.Leases;

/// <summary>
/// Database leases so that one portal instance at a time runs a background job. Taking a lease is one conditional
/// UPDATE (or the first INSERT), so two instances racing for it cannot both win.
/// </summary>
public sealed class Leases(IDbContextFactory<PortalDbContext> contexts, TimeProvider time)
{
    /// <summary>Takes or renews <paramref name="name"/> for <paramref name="holder"/>; false when another holder's lease is still running.</summary>
    public async Task<bool> TryAcquireAsync(string name, string holder, TimeSpan duration, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var expires = now + duration;
        await using var db = contexts.CreateDbContext();
        var taken = await db.Leases
            .Where(l => l.Name == name && (l.Holder == holder || l.ExpiresAt <= now))
            .ExecuteUpdateAsync(u => u.SetProperty(l => l.Holder, holder).SetProperty(l => l.ExpiresAt, expires), cancellationToken);
        if (taken == 1)
        {
            return true;
        }

        if (await db.Leases.AnyAsync(l => l.Name == name, cancellationToken))
        {
            return false;
        }

        try
        {
            db.Leases.Add(new Lease { Name = name, Holder = holder, ExpiresAt = expires });
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            // Another instance inserted it first.
            return false;
        }
    }

    public async Task ReleaseAsync(string name, string holder, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        await db.Leases.Where(l => l.Name == name && l.Holder == holder)
            .ExecuteUpdateAsync(u => u.SetProperty(l => l.ExpiresAt, time.GetUtcNow()), cancellationToken);
    }
}
