using System.Globalization;
using System.Resources;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.Infrastructure.Outbound;

namespace TenantPortal.Web.Features.Notifications;

/// <summary>
/// The tenant admin's webhook settings: the URL (https, public addresses only) and the signing key (shown once,
/// stored protected), plus the delivery log. Every method authorizes the caller against the tenant itself; another
/// tenant answers "not found" and the attempt is audited.
/// </summary>
public sealed partial class WebhookSettingsService(
    IDbContextFactory<PortalDbContext> contexts,
    IAuthorizationService authorization,
    AuditTrail audit,
    OutboundConnector outbound,
    WebhookSigningKeys signingKeys,
    ILogger<WebhookSettingsService> logger)
{
    public const int DeliveryLogSize = 20;
    private const int SaveAttempts = 5;

    // The messages are worded in the caller's UI culture (WebhookSettingsService.resx, .ja.resx beside this file).
    private static readonly ResourceManager Texts = new(typeof(WebhookSettingsService));

    internal static string Text(string key, params object[] arguments) =>
        string.Format(CultureInfo.CurrentCulture, Texts.GetString(key, CultureInfo.CurrentUICulture)!, arguments);

    /// <summary>The webhook settings and the last <see cref="DeliveryLogSize"/> deliveries; null when the tenant is not visible to the user.</summary>
    public async Task<WebhookSettingsView?> GetAsync(ClaimsPrincipal user, string tenantId, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var tenant = await db.Tenants.AsNoTracking().Include(t => t.Directories).FirstOrDefaultAsync(t => t.Id == tenantId, cancellationToken);
        if (!await IsAuthorizedAsync(user, tenantId, tenant, NotificationOperations.ViewDeliveries, NotificationAuditActions.WebhookView, cancellationToken))
        {
            return null;
        }

        var canManage = (await authorization.AuthorizeAsync(user, tenant!, NotificationOperations.ManageWebhook)).Succeeded;
        var deliveries = await (
            from d in db.NotificationDeliveries.AsNoTracking()
            join n in db.RotationNotices.AsNoTracking() on d.NoticeId equals n.Id
            where d.TenantId == tenant!.Id
            orderby d.CreatedAt descending, d.Id descending
            select new DeliveryLogEntry(d.Id, d.CreatedAt, n.Kind, n.LeadDays, n.StoreVersionId, d.Channel, d.Target, d.Status,
                d.Attempts, d.LastStatusCode, d.LastError, d.LastErrorCode, d.LastAttemptAt, d.NextAttemptAt, d.DeliveredAt))
            .Take(DeliveryLogSize)
            .ToListAsync(cancellationToken);

        var host = Uri.TryCreate(tenant!.WebhookUrl, UriKind.Absolute, out var url) ? url.IdnHost : null;
        return new WebhookSettingsView(tenant.Id, canManage ? tenant.WebhookUrl : null, host,
            !string.IsNullOrEmpty(tenant.WebhookSigningKeyProtected), canManage, deliveries);
    }

    /// <summary>Sets the webhook URL, or clears it when <paramref name="url"/> is blank. The host must resolve to public addresses only.</summary>
    public async Task<WebhookChangeResult> SetUrlAsync(ClaimsPrincipal user, string tenantId, string? url, CancellationToken cancellationToken)
    {
        var clearing = string.IsNullOrWhiteSpace(url);
        var action = clearing ? NotificationAuditActions.WebhookUrlCleared : NotificationAuditActions.WebhookUrlSet;
        if (!await AuthorizeManageAsync(user, tenantId, action, cancellationToken))
        {
            return WebhookChangeResult.NotFound;
        }

        Uri? parsed = null;
        if (!clearing)
        {
            if (ValidateUrl(url, out parsed) is { } invalid)
            {
                return new WebhookChangeResult(WebhookChangeOutcome.Invalid, invalid);
            }

            if (await outbound.CheckHostAsync(parsed!.IdnHost, parsed.Port, cancellationToken) is { } refused)
            {
                return new WebhookChangeResult(WebhookChangeOutcome.Invalid, Text("PublicOnly", refused.Text));
            }
        }

        var saved = await SaveAsync(user, tenantId, action, t =>
        {
            t.WebhookUrl = clearing ? null : parsed!.AbsoluteUri;
            return clearing ? "Webhook removed" : $"Webhook host {parsed!.IdnHost}";
        }, cancellationToken);
        if (!saved)
        {
            return new WebhookChangeResult(WebhookChangeOutcome.Failed, Text("SaveFailed"));
        }

        return new WebhookChangeResult(WebhookChangeOutcome.Saved, clearing
            ? Text("Removed")
            : Text("Saved", parsed!.IdnHost));
    }

    /// <summary>Generates a new signing key, replacing any previous one at once, and returns it this one time.</summary>
    public async Task<SigningKeyResult> GenerateSigningKeyAsync(ClaimsPrincipal user, string tenantId, CancellationToken cancellationToken)
    {
        if (!await AuthorizeManageAsync(user, tenantId, NotificationAuditActions.WebhookSigningKeyGenerated, cancellationToken))
        {
            return new SigningKeyResult(WebhookChangeOutcome.NotFound, WebhookChangeResult.NotFound.Message, null);
        }

        string? key = null;
        var saved = await SaveAsync(user, tenantId, NotificationAuditActions.WebhookSigningKeyGenerated, t =>
        {
            var reason = t.WebhookSigningKeyProtected is null ? "Signing key created" : "Signing key rotated";
            // Protected for the tenant's id as stored (its purpose names the tenant), not as the caller spelled it.
            (key, t.WebhookSigningKeyProtected) = signingKeys.Generate(t.Id);
            return reason;
        }, cancellationToken);
        return saved
            ? new SigningKeyResult(WebhookChangeOutcome.Saved,
                Text("KeyCreated"), key)
            : new SigningKeyResult(WebhookChangeOutcome.Failed, Text("KeySaveFailed"), null);
    }

    /// <summary>A specific message for a webhook URL the portal refuses on its form alone, or null.</summary>
    public static string? ValidateUrl(string? url, out Uri? parsed)
    {
        parsed = null;
        var text = url?.Trim() ?? "";
        if (text.Length > VerificationProbe.UrlMaxLength)
        {
            return Text("UrlTooLong", VerificationProbe.UrlMaxLength);
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            return Text("UrlNotAbsolute");
        }

        if (uri.Scheme != Uri.UriSchemeHttps)
        {
            return Text("UrlNotHttps", uri.Scheme);
        }

        if (uri.UserInfo.Length > 0)
        {
            return Text("UrlUserInfo");
        }

        if (uri.Fragment.Length > 0)
        {
            return Text("UrlFragment");
        }

        parsed = uri;
        return null;
    }

    private async Task<bool> AuthorizeManageAsync(ClaimsPrincipal user, string tenantId, string action, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var tenant = await db.Tenants.AsNoTracking().Include(t => t.Directories).FirstOrDefaultAsync(t => t.Id == tenantId, cancellationToken);
        return await IsAuthorizedAsync(user, tenantId, tenant, NotificationOperations.ManageWebhook, action, cancellationToken);
    }

    private Task<bool> IsAuthorizedAsync(ClaimsPrincipal user, string tenantId, Tenant? tenant, TenantOperationRequirement operation, string action, CancellationToken cancellationToken) =>
        authorization.AuthorizeTenantAsync(audit, user, tenantId, tenant, operation, action, cancellationToken);

    /// <summary>Applies <paramref name="change"/> to the tenant and audits it, with the reason it returns, in the same transaction.</summary>
    private async Task<bool> SaveAsync(ClaimsPrincipal user, string tenantId, string action, Func<Tenant, string> change, CancellationToken cancellationToken)
    {
        var actor = PortalActor.From(user)!;
        var correlationId = AuditTrail.NewCorrelationId();
        for (var attempt = 1; attempt <= SaveAttempts; attempt++)
        {
            try
            {
                await using var db = contexts.CreateDbContext();
                var tenant = await db.Tenants.FirstAsync(t => t.Id == tenantId, cancellationToken);
                var reason = change(tenant);
                await AuditTrail.ChainAsync(db, audit.Create(actor, action, AuditOutcome.Succeeded, tenantId, correlationId, reason: reason), cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                LogChanged(logger, action, tenantId, correlationId);
                return true;
            }
            catch (DbUpdateException ex)
            {
                // A concurrent audit append moved the chain head: read again and retry.
                LogSaveFailed(logger, ex, action, tenantId, attempt);
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Action} for tenant {TenantId} (correlation {CorrelationId})")]
    private static partial void LogChanged(ILogger logger, string action, string tenantId, string correlationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Action} for tenant {TenantId} could not be saved (attempt {Attempt})")]
    private static partial void LogSaveFailed(ILogger logger, Exception exception, string action, string tenantId, int attempt);
}

/// <summary>What the webhook card shows. <see cref="Url"/> is given to the tenant's admin only; others see the host.</summary>
public sealed record WebhookSettingsView(
    string TenantId,
    string? Url,
    string? Host,
    bool HasSigningKey,
    bool CanManage,
    IReadOnlyList<DeliveryLogEntry> Deliveries);

public sealed record DeliveryLogEntry(
    long Id,
    DateTimeOffset CreatedAt,
    RotationNoticeKind Kind,
    int LeadDays,
    string StoreVersionId,
    NotificationChannel Channel,
    string Target,
    NotificationDeliveryStatus Status,
    int Attempts,
    int? LastStatusCode,
    string? LastError,
    string? LastErrorCode,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? DeliveredAt)
{
    /// <summary>The last error in the reader's language (worded from its code), or as stored for older rows.</summary>
    public string? LastErrorText => DeliveryProblem.Describe(LastErrorCode, LastError);

    /// <summary>The short key version the notice is about; null for a probe change, which is about none.</summary>
    public string? ShortVersion => Kind == RotationNoticeKind.ProbeChanged ? null : NotificationTexts.ShortVersion(StoreVersionId);
}

public enum WebhookChangeOutcome
{
    Saved,
    Invalid,
    NotFound,
    Failed,
}

public sealed record WebhookChangeResult(WebhookChangeOutcome Outcome, string Message)
{
    /// <summary>Worded in the caller's UI culture.</summary>
    public static WebhookChangeResult NotFound => new(WebhookChangeOutcome.NotFound, WebhookSettingsService.Text("NoSuchTenant"));
}

/// <summary>A generated signing key, in the clear this one time. Prints without it.</summary>
public sealed record SigningKeyResult(WebhookChangeOutcome Outcome, string Message, string? SigningKey)
{
    public override string ToString() => $"SigningKeyResult {{ Outcome = {Outcome}, Message = {Message}, SigningKey = [redacted] }}";
}
