using TenantPortal.Web.Auth;
using TenantPortal.Web.Features.Rotation;

namespace TenantPortal.Web.Features.Tenants;

/// <summary>A customer of the SaaS whose API key the portal holds.</summary>
public sealed class Tenant : ITenantResource
{
    public const int SlugMaxLength = SecretStore.SecretName.MaxTenantIdLength;
    public const int DisplayNameMaxLength = 200;

    /// <summary>The platform admin's words are audited whole: the audit row's reason holds as many characters.</summary>
    public const int OffboardReasonMaxLength = Infrastructure.Audit.AuditEvent.ReasonMaxLength;
    public const int DefaultRotationIntervalDays = RotationPolicy.DefaultIntervalDays;

    /// <summary>The slug: part of the secret name <c>tenant-&lt;id&gt;-api-key</c>.</summary>
    public required string Id { get; init; }

    public required string DisplayName { get; set; }

    /// <summary>Days between rotations; never beyond the platform's maximum.</summary>
    public int RotationIntervalDays { get; set; } = DefaultRotationIntervalDays;

    /// <summary>Days before the due date at which the contacts are reminded, largest first.</summary>
    public List<int> ReminderLeadDays { get; set; } = [.. RotationPolicy.DefaultReminderLeadDays];

    /// <summary>Days the previous version stays enabled after a rotation.</summary>
    public int GracePeriodDays { get; set; } = RotationPolicy.DefaultGracePeriodDays;

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Set when a platform admin offboards the tenant: its users cannot sign in or act, its key versions are disabled.</summary>
    public DateTimeOffset? OffboardedAt { get; set; }

    public string? OffboardReason { get; set; }

    /// <summary>An optional HTTPS probe run with a submitted key before it is stored.</summary>
    public VerificationProbe? Probe { get; set; }

    /// <summary>HTTPS endpoint that receives signed rotation notifications; null for none.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>The webhook signing key, protected with ASP.NET Core Data Protection (never stored in the clear).</summary>
    public string? WebhookSigningKeyProtected { get; set; }

    /// <summary>Who holds the lock on this tenant's key (one change at a time, across instances); null when free.</summary>
    public string? KeyLockHolder { get; set; }

    /// <summary>When the key lock lapses if its holder never releases it (a crashed instance).</summary>
    public DateTimeOffset? KeyLockExpiresAt { get; set; }

    public List<TenantDirectory> Directories { get; init; } = [];

    public List<TenantContact> Contacts { get; init; } = [];

    public bool IsOffboarded => OffboardedAt is not null;

    public RotationPolicy Policy => new(RotationIntervalDays, ReminderLeadDays, GracePeriodDays);

    public bool IsManagedFrom(Guid entraTenantId) => Directories.Any(d => d.EntraTenantId == entraTenantId);
}

/// <summary>An Entra ID tenant (<c>tid</c>) whose users act for a portal tenant.</summary>
public sealed class TenantDirectory
{
    public Guid EntraTenantId { get; init; }

    public required string TenantId { get; init; }
}

/// <summary>Someone told about rotation reminders and revocations, in their language.</summary>
public sealed class TenantContact
{
    public const int EmailMaxLength = 254;

    public long Id { get; init; }

    public required string TenantId { get; init; }

    public required string Email { get; set; }

    /// <summary>"en" or "ja".</summary>
    public string Language { get; set; } = ContactLanguages.English;
}

public static class ContactLanguages
{
    public const string English = "en";
    public const string Japanese = "ja";

    public static IReadOnlyList<string> All { get; } = [English, Japanese];
}

/// <summary>The probe that proves a submitted key works before it is stored.</summary>
public sealed class VerificationProbe
{
    public const int UrlMaxLength = 500;

    public string Method { get; set; } = "GET";

    public required string Url { get; set; }

    /// <summary>The request header that carries the key, e.g. <c>Authorization</c> or <c>X-Api-Key</c>.</summary>
    public string HeaderName { get; set; } = "Authorization";

    /// <summary>Text put before the key in the header, e.g. <c>Bearer </c>; empty for none.</summary>
    public string HeaderPrefix { get; set; } = "Bearer ";

    public int ExpectedStatus { get; set; } = 200;
}
