using System.Security.Claims;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.KeyHealth;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.KeyHealth;

/// <summary>What the key health tests share: the provider's backend as a caller, keys, contacts and usage reports.</summary>
internal static class KeyHealthTestData
{
    public static ClaimsPrincipal Backend => new(new ClaimsIdentity(
        [
            new Claim(PortalClaimTypes.TenantId, DevelopmentPersonas.HomeTenantId.ToString()), new Claim(PortalClaimTypes.ObjectId, Guid.NewGuid().ToString()),
            new Claim(PortalClaimTypes.AuthorizedParty, Guid.NewGuid().ToString()), new Claim(PortalClaimTypes.Roles, PortalAppRoles.KeyUsageReport),
        ],
        AppTokenAuthentication.AuthenticationType));

    public static async Task<string> SubmitAsync(PortalServices portal, string value, string tenantId = "contoso")
    {
        var user = tenantId == "contoso" ? TestPersonas.ContosoAdmin : TestPersonas.FabrikamAdmin;
        var result = await portal.Get<ApiKeyService>().SubmitApiKeyAsync(user, tenantId, new SecretValue(value), default);
        Assert.True(result.Succeeded, result.Message);
        return result.Version!.Version;
    }

    public static async Task AddContactsAsync(PortalServices portal, string tenantId = "contoso")
    {
        await using var db = portal.CreateDbContext();
        db.TenantContacts.AddRange(
            new TenantContact { TenantId = tenantId, Email = "ops@" + tenantId + ".test", Language = ContactLanguages.English },
            new TenantContact { TenantId = tenantId, Email = "tanaka@" + tenantId + ".test", Language = ContactLanguages.Japanese });
        await db.SaveChangesAsync();
    }

    /// <summary>One reader interval's entry, as the endpoint would pass it on.</summary>
    public static async Task ReportAsync(PortalServices portal, KeyUsageEntry entry, bool inSql = true)
    {
        await using var scope = await portal.NewScopeAsync();
        var ingestion = scope.Get<KeyUsageIngestion>();
        ingestion.AddInSql = inSql;
        var outcome = await ingestion.IngestAsync(Backend, new KeyUsageBatchReport(Guid.NewGuid(), 0, [entry]), default);
        Assert.Equal(1, Assert.IsType<KeyUsageIngestOutcome.Applied>(outcome).Response.Accepted);
    }

    /// <summary>Uses with no rejection: the key worked through the interval.</summary>
    public static KeyUsageEntry Used(string version, long uses, DateTimeOffset lastUsedAt, string tenantId = "contoso") =>
        new(tenantId, version, uses, lastUsedAt, 0, null, null);

    /// <summary>Rejections (each after a use of the key, as a backend reports them).</summary>
    public static KeyUsageEntry Rejected(string version, long rejections, DateTimeOffset first, DateTimeOffset last, string tenantId = "contoso") =>
        new(tenantId, version, rejections, last, rejections, first, last);
}
