using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Data;

namespace TenantPortal.Web.Infrastructure.Audit;

/// <summary>
/// Appends to the audit trail. Rows carry names, versions and reasons, never a secret value. Each row is linked
/// into its chain (the tenant's, or the platform's) by hash. An append that fails throws
/// <see cref="AuditUnavailableException"/>, and the caller must then change nothing.
/// </summary>
public sealed class AuditTrail(AuditAppender appender, TimeProvider time, ClientConnection client, DenialAuditBudget denials)
{
    private static readonly Func<PortalDbContext, string, CancellationToken, Task<AuditChainHead?>> HeadQuery =
        EF.CompileAsyncQuery((PortalDbContext db, string chainId, CancellationToken _) => db.AuditChainHeads.FirstOrDefault(h => h.ChainId == chainId));

    public static string NewCorrelationId() => Activity.Current?.TraceId.ToString() ?? Guid.NewGuid().ToString("N");

    public AuditEvent Create(
        IAuditActor? actor,
        string action,
        AuditOutcome outcome,
        string? tenantId,
        string? correlationId = null,
        string? secretName = null,
        string? keyVersion = null,
        string? reason = null,
        string? chainId = null,
        string? changes = null) => new()
        {
            ChainId = chainId ?? tenantId ?? AuditChains.Platform,
            OccurredAt = ToMilliseconds(time.GetUtcNow()),
            ActorTenantId = actor?.EntraTenantId,
            ActorObjectId = actor?.ObjectId,
            ActorName = Truncate(actor?.DisplayName, 200),
            ActorRole = Truncate(actor?.RoleList ?? "anonymous", 100)!,
            TenantId = Truncate(tenantId, 112),
            Action = action,
            Outcome = outcome,
            SecretName = secretName,
            KeyVersion = keyVersion,
            Reason = Truncate(reason, AuditEvent.ReasonMaxLength),
            Changes = Truncate(changes, AuditEvent.ChangesMaxLength),
            CorrelationId = correlationId ?? NewCorrelationId(),
            ClientIp = client.ClientIp,
            UserAgent = client.UserAgent,
            Channel = actor?.Channel,
        };

    /// <summary>Appends one event, linked into its chain, and returns once it is committed.</summary>
    public Task AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        return appender.AppendAsync(auditEvent, cancellationToken);
    }

    /// <summary>
    /// Links <paramref name="auditEvent"/> into its chain inside <paramref name="db"/>, so that it commits in the same
    /// transaction as the caller's other changes. A concurrent append makes that save fail with a
    /// <see cref="DbUpdateException"/> (the head's sequence is its concurrency token); the caller retries.
    /// </summary>
    public static async Task ChainAsync(PortalDbContext db, AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(auditEvent);
        var head = TrackedHead(db, auditEvent.ChainId) ?? await HeadQuery(db, auditEvent.ChainId, cancellationToken);
        if (head is null)
        {
            head = new AuditChainHead { ChainId = auditEvent.ChainId, Sequence = 0, Hash = AuditChains.Genesis };
            db.AuditChainHeads.Add(head);
        }

        auditEvent.Sequence = head.Sequence + 1;
        auditEvent.PreviousHash = head.Hash;
        auditEvent.Hash = AuditHash.Compute(auditEvent);
        head.Sequence = auditEvent.Sequence;
        head.Hash = auditEvent.Hash;
        db.AuditEvents.Add(auditEvent);
    }

    /// <summary>
    /// What Find would return without a query: a head this context tracks, even one not saved yet. Find itself builds
    /// its query anew on every call, and this read is on every submit's path. The lookup is by key, which never
    /// changes, so it skips the change detection that Local would otherwise run over everything tracked.
    /// </summary>
    private static AuditChainHead? TrackedHead(PortalDbContext db, string chainId)
    {
        var tracker = db.ChangeTracker;
        var detectChanges = tracker.AutoDetectChangesEnabled;
        tracker.AutoDetectChangesEnabled = false;
        try
        {
            return db.AuditChainHeads.Local.FindEntry(chainId)?.Entity;
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = detectChanges;
        }
    }

    /// <summary>Appends and swallows a failure, for recording an outcome after the fact (the failure is logged).</summary>
    public async Task TryAppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        try
        {
            await AppendAsync(auditEvent, cancellationToken);
        }
        catch (AuditUnavailableException)
        {
            // Already logged; the operation's own result is what the user needs to see.
        }
    }

    /// <summary>
    /// Records a denial within its actor's budget (<see cref="DenialAuditBudget"/>), first summarizing on the platform
    /// chain what the actor's previous window suppressed. Failures are swallowed, as for <see cref="TryAppendAsync"/>.
    /// </summary>
    public async Task TryAppendDenialAsync(AuditEvent denial, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(denial);
        var key = denial.ActorObjectId is { } oid ? $"{denial.ActorTenantId:D}/{oid:D}" : $"anonymous/{denial.ClientIp}";
        var allowance = denials.Take(key);
        if (allowance.SuppressedBefore > 0)
        {
            await TryAppendAsync(new AuditEvent
            {
                ChainId = AuditChains.Platform,
                OccurredAt = denial.OccurredAt,
                ActorTenantId = denial.ActorTenantId,
                ActorObjectId = denial.ActorObjectId,
                ActorName = denial.ActorName,
                ActorRole = denial.ActorRole,
                Channel = denial.Channel,
                Action = denial.Action,
                Outcome = AuditOutcome.Denied,
                Reason = $"{allowance.SuppressedBefore} further denied attempts suppressed (from {allowance.SuppressedWindowStart:O})",
                CorrelationId = denial.CorrelationId,
                ClientIp = denial.ClientIp,
                UserAgent = denial.UserAgent,
            }, cancellationToken);
        }

        if (allowance.Write)
        {
            await TryAppendAsync(denial, cancellationToken);
        }
    }

    /// <summary>Hashed times must survive the round trip through every provider: UTC, whole milliseconds.</summary>
    private static DateTimeOffset ToMilliseconds(DateTimeOffset t)
    {
        var utc = t.UtcTicks;
        return new DateTimeOffset(utc - (utc % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }

    private static string? Truncate(string? value, int max) => value is { Length: > 0 } && value.Length > max ? value[..max] : value;
}

public sealed class AuditUnavailableException : Exception
{
    public AuditUnavailableException(Exception innerException)
        : base("The audit trail could not be written.", innerException)
    {
    }

    public AuditUnavailableException(string message)
        : base(message)
    {
    }
}
