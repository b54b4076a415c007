using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.Auth;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.ApiKeys.Api;

/// <summary>
/// A Production portal behind the test issuer, with the real Microsoft.Identity.Web JWT bearer handler validating
/// client-credential tokens the issuer signs. Each test onboards tenants of its own, so counts and limits do not mix.
/// </summary>
public sealed class AutomationApiHost : IAsyncLifetime
{
    public TestOidcIssuer Issuer { get; private set; } = null!;

    public PortalAppFactory Portal { get; private set; } = null!;

    /// <summary>Settings for this host (rate limits high, so that only the rate-limit tests meet them).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>
    {
        ["Api:RateLimits:WritesPerTenantPerMinute"] = "10000",
        ["Api:RateLimits:RequestsPerClientPerMinute"] = "100000",
    };

    public Action<IServiceCollection>? ConfigureServices { get; init; }

    public async Task InitializeAsync()
    {
        Issuer = await TestOidcIssuer.StartAsync();
        Portal = EntraSignInTests.CreatePortal(Issuer, Settings, ConfigureServices);
        _ = Portal.Services; // start the host
    }

    public async Task DisposeAsync()
    {
        Portal.Dispose();
        await Issuer.DisposeAsync();
    }

    /// <summary>A new portal tenant with a directory of its own, and an automation app there with <paramref name="roles"/>.</summary>
    public async Task<(string TenantId, Guid Directory, TestApp App)> OnboardAsync(params string[] roles)
    {
        var tenantId = "t" + Guid.NewGuid().ToString("N")[..12];
        var directory = Guid.NewGuid();
        await Portal.OnboardAsync(tenantId, $"Tenant {tenantId}", directory);
        return (tenantId, directory, TestApp.In(directory, roles.Length == 0 ? [PortalAppRoles.ApiKeysRotate, PortalAppRoles.ApiKeysRead] : roles));
    }

    public HttpClient Client() => Portal.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = false });

    public async Task<HttpClient> ClientAsAsync(TestApp app, IssuerFault fault = IssuerFault.None)
    {
        var client = Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Issuer.RequestAppTokenAsync(app, fault));
        return client;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static StringContent Value(string value) => Json(new JsonObject { ["value"] = value }.ToJsonString());

    public static async Task<JsonObject> BodyAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    public async Task<List<ApiKeyVersion>> VersionsAsync(string tenantId)
    {
        await using var db = Portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        return await db.ApiKeyVersions.AsNoTracking().Where(v => v.TenantId == tenantId).OrderBy(v => v.CreatedAt).ToListAsync();
    }

    public async Task<int> StoreVersionCountAsync(string tenantId)
    {
        var count = 0;
        await foreach (var _ in Portal.Services.GetRequiredService<ISecretStore>().ListVersionsAsync(SecretName.ForTenant(tenantId), default))
        {
            count++;
        }

        return count;
    }

    public async Task<List<AuditEvent>> AuditAsync(string tenantId)
    {
        await using var db = Portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        return await db.AuditEvents.AsNoTracking().Where(e => e.TenantId == tenantId).OrderBy(e => e.Id).ToListAsync();
    }
}
