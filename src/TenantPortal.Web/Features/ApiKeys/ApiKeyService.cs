using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.Platform;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.Infrastructure.Telemetry;
using TenantPortal.Web.Infrastructure.Text;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>
/// Submitting and rotating a tenant's API key. Every method authorizes the acting user against the tenant
/// itself: a page's check is never the only one. What it tells the user comes from <c>ApiKeyService.resx</c> in the
/// caller's UI culture (the circuit's, or the API request's); what it audits is English.
/// </summary>
public sealed partial class ApiKeyService(
    IDbContextFactory<PortalDbContext> contexts,
    KeyLifecycle lifecycle,
    IApiKeyProbe probe,
    IAuthorizationService authorization,
    AuditTrail audit,
    PortalMetrics metrics,
    IStringLocalizer<ApiKeyService> text,
    TimeProvider time)
{
    public const string ContentType = KeyLifecycle.ContentType;
    private const int HistoryLimit = 100;

    /// <summary>The tenants whose key this user administers (their Entra tenant maps to them); empty for everyone else.</summary>
    public async Task<IReadOnlyList<TenantLink>> GetAdministeredTenantsAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var actor = PortalActor.From(user);
        if (actor is null || !actor.IsInRole(PortalRoles.TenantAdmin))
        {
            return [];
        }

        await using var db = contexts.CreateDbContext();
        return await db.Tenants.AsNoTracking()
            .Where(t => t.OffboardedAt == null && t.Directories.Any(d => d.EntraTenantId == actor.EntraTenantId))
            .OrderBy(t => t.DisplayName)
            .Select(t => new TenantLink(t.Id, t.DisplayName))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Status, current version and history of a tenant's key; null when the tenant is not visible to the user.</summary>
    public async Task<ApiKeyOverview?> GetOverviewAsync(ClaimsPrincipal user, string tenantId, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var tenant = await FindAuthorizedTenantAsync(db, user, tenantId, ApiKeyOperations.ViewStatus, AuditActions.ApiKeyView, cancellationToken);
        if (tenant is null)
        {
            return null;
        }

        var versions = await db.ApiKeyVersions.AsNoTracking()
            .Where(v => v.TenantId == tenant.Id)
            .OrderByDescending(v => v.CreatedAt)
            .Take(HistoryLimit)
            .ToListAsync(cancellationToken);

        var current = versions.FirstOrDefault(v => v.Status == ApiKeyVersionStatus.Current);
        var now = time.GetUtcNow();
        var status = RotationSchedule.StatusOf(
            current?.ExpiresAt ?? (current is null ? null : RotationSchedule.DueAt(current.CreatedAt, tenant.RotationIntervalDays)),
            current?.DueSoonAt,
            versions.Any(v => v.Status == ApiKeyVersionStatus.Revoked),
            now);
        var canSubmit = (await authorization.AuthorizeAsync(user, tenant, ApiKeyOperations.Submit)).Succeeded;
        var inGrace = versions.FirstOrDefault(v => v.Status == ApiKeyVersionStatus.Previous && v.DisabledInStoreAt is null && v.GraceEndsAt > now);

        return new ApiKeyOverview(tenant.Id, tenant.DisplayName, tenant.RotationIntervalDays, status,
            current is null ? null : ApiKeyVersionSummary.From(current), versions.Select(ApiKeyVersionSummary.From).ToList())
        {
            CanSubmit = canSubmit,
            PreviousInGrace = inGrace is null ? null : ApiKeyVersionSummary.From(inGrace),
            Policy = tenant.Policy,
        };
    }

    /// <summary>
    /// Stores <paramref name="value"/> as the tenant's new current key version. The order is fixed: authorize,
    /// validate, and when the tenant has a probe audit "verification requested" (fail closed), verify and audit the
    /// probe's outcome; then the key lifecycle's ceremony under the tenant's key lock: audit "requested" (fail closed),
    /// write to the store, record the version and audit "succeeded" in one transaction.
    /// </summary>
    public async Task<KeyChangeResult> SubmitApiKeyAsync(ClaimsPrincipal user, string tenantId, SecretValue value, CancellationToken cancellationToken)
    {
        var result = await SubmitCoreAsync(user, tenantId, value, cancellationToken);
        metrics.KeySubmitted(result.Outcome switch
        {
            KeyChangeOutcome.Done => "stored",
            KeyChangeOutcome.Invalid => "invalid",
            KeyChangeOutcome.NotFound => "not-found",
            KeyChangeOutcome.Busy => "busy",
            _ => "failed",
        });
        return result;
    }

    private async Task<KeyChangeResult> SubmitCoreAsync(ClaimsPrincipal user, string tenantId, SecretValue value, CancellationToken cancellationToken)
    {
        var correlationId = AuditTrail.NewCorrelationId();
        Tenant? tenant;
        await using (var db = contexts.CreateDbContext())
        {
            // One read for the tenant and its directories; whether this is a rotation is decided under the key lock.
            var found = await TenantForSubmit(db, tenantId, cancellationToken);
            found?.Tenant.Directories.AddRange(found.Directories);
            tenant = await AuthorizeAsync(user, tenantId, found?.Tenant, ApiKeyOperations.Submit, AuditActions.ApiKeySubmit, correlationId, cancellationToken);
        }

        if (tenant is null)
        {
            return NotFound();
        }

        if (ValidateValue(value) is { } problem)
        {
            return new KeyChangeResult(KeyChangeOutcome.Invalid, problem);
        }

        var actor = PortalActor.From(user)!;
        if (tenant.Probe is { } check && await VerifyAsync(actor, tenant.Id, check, value, correlationId, cancellationToken) is { } refused)
        {
            return refused;
        }

        return await lifecycle.SubmitAsync(actor, tenant.Id, value, correlationId, cancellationToken);
    }

    /// <summary>Why the portal refuses <paramref name="value"/> as an API key, in the caller's language; null when it is acceptable.</summary>
    public string? ValidateValue(SecretValue? value) => ApiKeyValueRules.Validate(value, text);

    /// <summary>Whether <paramref name="user"/> may submit to the tenant now (a refusal is audited as the submit's denial); for replaying an idempotent API submit.</summary>
    public async Task<bool> MaySubmitAsync(ClaimsPrincipal user, string tenantId, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return await FindAuthorizedTenantAsync(db, user, tenantId, ApiKeyOperations.Submit, AuditActions.ApiKeySubmit, cancellationToken) is not null;
    }

    /// <summary>
    /// Runs the tenant's verification probe with the submitted key, which leaves the portal here for the first time: so
    /// "verification requested" is audited first and fail closed (audit trail down → nothing is sent), then the probe's
    /// outcome with the reason (never the key). The refusal to return, or null when the key works.
    /// </summary>
    private async Task<KeyChangeResult?> VerifyAsync(
        PortalActor actor, string tenantId, VerificationProbe check, SecretValue value, string correlationId, CancellationToken cancellationToken)
    {
        var secretName = SecretName.ForTenant(tenantId).Value;
        AuditEvent Event(AuditOutcome outcome, string reason) =>
            audit.Create(actor, AuditActions.ApiKeyVerify, outcome, tenantId, correlationId, secretName, reason: reason);

        try
        {
            await audit.AppendAsync(Event(AuditOutcome.Requested, $"Probe {check.Method} {ProbeTarget(check.Url)}"), cancellationToken);
        }
        catch (AuditUnavailableException)
        {
            return new KeyChangeResult(KeyChangeOutcome.Failed, text["AuditUnavailableForProbe"]);
        }

        ProbeResult result;
        try
        {
            await using var db = contexts.CreateDbContext();
            var platform = await PlatformSettingsService.LoadAsync(db, tracking: false, cancellationToken);
            result = await probe.VerifyAsync(check, value, platform.ProbeAllowedHosts, cancellationToken);
        }
        catch (Exception)
        {
            await audit.TryAppendAsync(Event(AuditOutcome.Failed, "The verification probe did not finish"), CancellationToken.None);
            throw;
        }

        if (result.Succeeded)
        {
            // Best effort: the submit's own "requested" that follows is fail closed, so nothing is stored unaudited.
            await audit.TryAppendAsync(Event(AuditOutcome.Succeeded, "The verification probe accepted the key"), cancellationToken);
            return null;
        }

        var problem = result.Problem ?? text.Message("ProbeDidNotAccept");
        await audit.TryAppendAsync(Event(AuditOutcome.Failed, problem.English), cancellationToken);
        return new KeyChangeResult(KeyChangeOutcome.Invalid, text["ProbeRefused", problem.Text]);
    }

    // Compiled once: every submit (the API's most frequent call) authorizes against it.
    private static readonly Func<PortalDbContext, string, CancellationToken, Task<TenantAndDirectories?>> TenantForSubmit = EF.CompileAsyncQuery(
        (PortalDbContext db, string tenantId, CancellationToken _) => db.Tenants.AsNoTracking()
            .Where(t => t.Id == tenantId)
            .Select(t => new TenantAndDirectories(t, t.Directories.ToList()))
            .FirstOrDefault());

    private sealed record TenantAndDirectories(Tenant Tenant, List<TenantDirectory> Directories);

    private KeyChangeResult NotFound() => new(KeyChangeOutcome.NotFound, text["TenantNotFound"]);

    /// <summary>Where the probe goes, for the audit trail: origin and path, never the query (which may carry an account id).</summary>
    private static string ProbeTarget(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}{uri.AbsolutePath}" : "(invalid URL)";

    private async Task<Tenant?> FindAuthorizedTenantAsync(
        PortalDbContext db,
        ClaimsPrincipal user,
        string tenantId,
        TenantOperationRequirement operation,
        string action,
        CancellationToken cancellationToken,
        string? correlationId = null)
    {
        var tenant = await db.Tenants.AsNoTracking().Include(t => t.Directories).FirstOrDefaultAsync(t => t.Id == tenantId, cancellationToken);
        return await AuthorizeAsync(user, tenantId, tenant, operation, action, correlationId, cancellationToken);
    }

    private async Task<Tenant?> AuthorizeAsync(
        ClaimsPrincipal user, string tenantId, Tenant? tenant, TenantOperationRequirement operation, string action, string? correlationId, CancellationToken cancellationToken) =>
        await authorization.AuthorizeTenantAsync(audit, user, tenantId, tenant, operation, action, cancellationToken, correlationId) ? tenant : null;
}
