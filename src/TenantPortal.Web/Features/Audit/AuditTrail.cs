using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;

namespace TenantPortal.Web.Features.Audit;

/// <summary>
/// Appends to the audit trail. Rows carry names, versions and reasons, never a secret value. An append that
/// fails throws <see cref="AuditUnavailableException"/>, and the caller must then change nothing.
/// </summary>
public sealed class AuditTrail(IDbContextFactory<PortalDbContext> contexts, TimeProvider time, ClientConnection client, ILogger<AuditTrail> logger)
{
    public static string NewCorrelationId() => Activity.Current?.TraceId.ToString() ?? Guid.NewGuid().ToString("N");

    public AuditEvent Create(
        PortalActor? actor,
        string action,
        AuditOutcome outcome,
        string? tenantId,
        string? correlationId = null,
        string? secretName = null,
        string? keyVersion = null,
        string? reason = null) => new()
        {
            OccurredAt = time.GetUtcNow(),
            ActorTenantId = actor?.EntraTenantId,
            ActorObjectId = actor?.ObjectId,
            ActorName = Truncate(actor?.DisplayName, 200),
            ActorRole = Truncate(actor?.RoleList ?? "anonymous", 100)!,
            TenantId = Truncate(tenantId, 112),
            Action = action,
            Outcome = outcome,
            SecretName = secretName,
            KeyVersion = keyVersion,
            Reason = Truncate(reason, 200),
            CorrelationId = correlationId ?? NewCorrelationId(),
            ClientIp = client.ClientIp,
            UserAgent = client.UserAgent,
        };

    /// <summary>Appends one event in its own transaction.</summary>
    public async Task AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = contexts.CreateDbContext();
            db.AuditEvents.Add(auditEvent);
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            logger.LogError(ex, "Could not append audit event {Action} ({Outcome}) for tenant {TenantId}, correlation {CorrelationId}",
                auditEvent.Action, auditEvent.Outcome, auditEvent.TenantId, auditEvent.CorrelationId);
            throw new AuditUnavailableException(ex);
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

    private static string? Truncate(string? value, int max) => value is { Length: > 0 } && value.Length > max ? value[..max] : value;
}

public sealed class AuditUnavailableException(Exception innerException)
    : Exception("The audit trail could not be written.", innerException);
