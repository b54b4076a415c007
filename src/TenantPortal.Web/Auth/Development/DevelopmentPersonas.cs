namespace TenantPortal.Web.Auth.Development;

/// <summary>A made-up user for the embedded default, with the claims Entra would issue.</summary>
public sealed record DevelopmentPersona(
    string Key,
    string DisplayName,
    string Description,
    Guid EntraTenantId,
    Guid ObjectId,
    string Role);

/// <summary>Seeded tenant of the embedded default.</summary>
public sealed record DevelopmentTenant(string Id, string DisplayName, Guid? EntraTenantId);

public static class DevelopmentPersonas
{
    public static readonly Guid HomeTenantId = Guid.Parse("9e7b0a4c-0000-4000-8000-000000000001");
    public static readonly Guid ContosoEntraTenantId = Guid.Parse("c0c0c0c0-0000-4000-8000-000000000002");
    public static readonly Guid FabrikamEntraTenantId = Guid.Parse("fabf0000-0000-4000-8000-000000000003");

    public static readonly DevelopmentPersona ContosoAdmin = new(
        "contoso-admin", "Adele Vance", "Tenant admin of Contoso", ContosoEntraTenantId,
        Guid.Parse("a0000000-0000-4000-8000-00000000c0a1"), PortalRoles.TenantAdmin);

    public static readonly DevelopmentPersona FabrikamAdmin = new(
        "fabrikam-admin", "Bruno Fabre", "Tenant admin of Fabrikam", FabrikamEntraTenantId,
        Guid.Parse("a0000000-0000-4000-8000-00000000fab1"), PortalRoles.TenantAdmin);

    public static readonly DevelopmentPersona SupportReader = new(
        "support", "Sam Support", "Support reader (all tenants, read-only)", HomeTenantId,
        Guid.Parse("a0000000-0000-4000-8000-000000005001"), PortalRoles.SupportReader);

    public static readonly DevelopmentPersona PlatformAdmin = new(
        "platform-admin", "Pat Platform", "Platform admin (onboarding and policy)", HomeTenantId,
        Guid.Parse("a0000000-0000-4000-8000-000000009001"), PortalRoles.PlatformAdmin);

    public static IReadOnlyList<DevelopmentPersona> All { get; } = [ContosoAdmin, FabrikamAdmin, SupportReader, PlatformAdmin];

    public static IReadOnlyList<DevelopmentTenant> Tenants { get; } =
    [
        new("contoso", "Contoso Ltd", ContosoEntraTenantId),
        new("fabrikam", "Fabrikam Inc", FabrikamEntraTenantId),
        new("northwind", "Northwind Traders", null),
    ];

    public static DevelopmentPersona? Find(string? key) => All.FirstOrDefault(p => p.Key == key);
}
