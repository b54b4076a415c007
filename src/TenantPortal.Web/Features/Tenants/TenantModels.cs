using System.Globalization;
using System.Resources;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Features.Rotation;

namespace TenantPortal.Web.Features.Tenants;

public static class TenantOperations
{
    /// <summary>See a tenant's details (contacts, policy, directories): its own admins, support and platform admins.</summary>
    public static readonly TenantOperationRequirement ViewDetails = new(nameof(ViewDetails), staffMayRead: true);

    /// <summary>Manage the tenant's notification contacts: its own admins (platform admins edit them through onboarding).</summary>
    public static readonly TenantOperationRequirement ManageContacts = new(nameof(ManageContacts), staffMayRead: false);

    /// <summary>Tighten the tenant's rotation policy within the platform's limits: its own admins.</summary>
    public static readonly TenantOperationRequirement ManagePolicy = new(nameof(ManagePolicy), staffMayRead: false);
}

public sealed record ContactInput(string Email, string Language = ContactLanguages.English);

/// <summary>What a platform admin enters to onboard or edit a tenant.</summary>
public sealed record TenantInput(
    string Id,
    string DisplayName,
    IReadOnlyList<string> EntraTenantIds,
    IReadOnlyList<ContactInput> Contacts,
    RotationPolicy Policy);

public sealed record TenantListQuery(int Page, int PageSize, string? Search = null, bool IncludeOffboarded = true);

public sealed record TenantListRow(
    string Id,
    string DisplayName,
    int DirectoryCount,
    int ContactCount,
    int RotationIntervalDays,
    bool HasKey,
    DateTimeOffset CreatedAt,
    DateTimeOffset? OffboardedAt);

public sealed record TenantDetails(
    string Id,
    string DisplayName,
    string SecretName,
    IReadOnlyList<Guid> EntraTenantIds,
    IReadOnlyList<ContactInput> Contacts,
    RotationPolicy Policy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? OffboardedAt,
    string? OffboardReason,
    bool HasKey)
{
    /// <summary>The slug is part of the secret name, so it cannot change once a key exists.</summary>
    public bool IdIsImmutable => HasKey;

    public bool CanEditContacts { get; init; }

    public bool CanEditPolicy { get; init; }

    public bool CanAdminister { get; init; }

    public VerificationProbe? Probe { get; init; }
}

public enum TenantChangeOutcome
{
    Saved,
    Invalid,
    NotFound,
    Failed,
}

public sealed record TenantChangeResult(TenantChangeOutcome Outcome, string Message)
{
    public bool Succeeded => Outcome == TenantChangeOutcome.Saved;

    /// <summary>The tenant's id after the change, when the change gave it a new one (a page showing it follows).</summary>
    public string? NewTenantId { get; init; }

    private static readonly ResourceManager Texts = new(typeof(TenantChangeResult));

    /// <summary>Worded in the caller's UI culture.</summary>
    public static TenantChangeResult NotFound => new(TenantChangeOutcome.NotFound, Texts.GetString("NoSuchTenant", CultureInfo.CurrentUICulture)!);

    public static TenantChangeResult Invalid(string problem) => new(TenantChangeOutcome.Invalid, problem);

    public static TenantChangeResult Saved(string message) => new(TenantChangeOutcome.Saved, message);
}
