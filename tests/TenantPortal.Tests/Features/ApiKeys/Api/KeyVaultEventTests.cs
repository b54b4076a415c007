using System.Net;
using System.Text.Json.Nodes;
using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.Auth;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.ApiKeys.Api;
using TenantPortal.Web.SecretStore;
using static TenantPortal.Tests.Features.ApiKeys.Api.AutomationApiHost;
using static TenantPortal.Tests.Features.ApiKeys.Api.AutomationApiTests;

namespace TenantPortal.Tests.Features.ApiKeys.Api;

/// <summary>
/// Event Grid-shaped deliveries of Key Vault events to the portal, with Event Grid's Entra token (the provider's own
/// directory, the subscriber role), against the Key Vault protocol fake: the handshake, and a version written outside the
/// portal recorded because its event named the tenant.
/// </summary>
public sealed class KeyVaultEventTests : IAsyncLifetime
{
    private KeyVaultFake _vault = null!;
    private AutomationApiHost _host = null!;

    public async Task InitializeAsync()
    {
        _vault = await KeyVaultFake.StartAsync(pageSize: 5);
        _host = new AutomationApiHost
        {
            Settings = new Dictionary<string, string?>
            {
                ["SecretStore:Provider"] = "AzureKeyVault",
                ["SecretStore:VaultUri"] = _vault.VaultUri.ToString(),
                ["SecretStore:OperationTimeout"] = "00:00:05",
                ["Reconciliation:Enabled"] = "false",
            },
            ConfigureServices = services =>
            {
                services.AddSingleton<TokenCredential>(_vault.Credential);
                services.PostConfigure<SecretStoreOptions>(o => o.ConfigureClient = _vault.ConfigureClient);
            },
        };
        await _host.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _vault.DisposeAsync();
    }

    private Task<HttpClient> EventGridAsync() =>
        _host.ClientAsAsync(TestApp.In(EntraSignInTests.HomeTenant, PortalAppRoles.EventGridSubscriber));

    private static HttpRequestMessage Delivery(string type, JsonArray events) => new(HttpMethod.Post, KeyVaultEventEndpoint.Path)
    {
        Content = Json(events.ToJsonString()),
        Headers = { { "aeg-event-type", type } },
    };

    private JsonObject SecretEvent(string eventType, string secretName, string version) => new()
    {
        ["id"] = Guid.NewGuid().ToString(),
        ["topic"] = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/tenantportal-test",
        ["subject"] = secretName,
        ["eventType"] = eventType,
        ["eventTime"] = DateTimeOffset.UtcNow.ToString("O"),
        ["dataVersion"] = "1",
        ["metadataVersion"] = "1",
        ["data"] = new JsonObject
        {
            ["Id"] = $"{_vault.VaultUri}secrets/{secretName}/{version}",
            ["VaultName"] = "tenantportal-test",
            ["ObjectType"] = "Secret",
            ["ObjectName"] = secretName,
            ["Version"] = version,
        },
    };

    [Fact]
    public async Task SubscriptionValidation_IsAnsweredWithTheCode()
    {
        using var client = await EventGridAsync();
        var code = Guid.NewGuid().ToString();

        using var response = await client.SendAsync(Delivery("SubscriptionValidation", [new JsonObject
        {
            ["id"] = Guid.NewGuid().ToString(),
            ["eventType"] = "Microsoft.EventGrid.SubscriptionValidationEvent",
            ["subject"] = "",
            ["data"] = new JsonObject { ["validationCode"] = code, ["validationUrl"] = "https://rp-eastus.eventgrid.azure.net/validate" },
            ["dataVersion"] = "2",
        }]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(code, (string?)(await BodyAsync(response))["validationResponse"]);
    }

    [Fact]
    public async Task NewVersionCreatedOutsideThePortal_IsRecordedWhenItsEventArrives()
    {
        var (tenant, directory, _) = await _host.OnboardAsync();
        var name = SecretName.ForTenant(tenant).Value;
        var outside = _vault.Seed(name, "sk_live_written_outside_0000YYYY", new Dictionary<string, string>
        {
            [ApiKeyTags.TenantId] = tenant,
            [ApiKeyTags.SetByTenantId] = directory.ToString(),
            [ApiKeyTags.SetByObjectId] = Guid.NewGuid().ToString(),
            [ApiKeyTags.MaskedHint] = "••••YYYY",
            [ApiKeyTags.Fingerprint] = "h1:0000000000000000",
        });
        Assert.Empty(await _host.VersionsAsync(tenant));
        using var client = await EventGridAsync();

        using var response = await client.SendAsync(Delivery("Notification",
        [
            SecretEvent("Microsoft.KeyVault.SecretNewVersionCreated", name, outside.Version),
            SecretEvent("Microsoft.KeyVault.SecretNewVersionCreated", "some-other-secret", "abc"),
        ]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await BodyAsync(response);
        Assert.Equal(1, (int?)body["tenants"]);
        Assert.Equal(1, (int?)body["outcomes"]!["Reconciled"]);
        var recorded = Assert.Single(await _host.VersionsAsync(tenant));
        Assert.Equal(outside.Version, recorded.StoreVersionId);
        Assert.Equal(ApiKeyVersionStatus.Current, recorded.Status);
        Assert.Empty(_vault.ValueReads);
    }

    [Fact]
    public async Task Delivery_FromACustomersDirectoryOrWithoutTheRole_IsRefused()
    {
        var (tenant, directory, _) = await _host.OnboardAsync();
        using var customer = await _host.ClientAsAsync(TestApp.In(directory, PortalAppRoles.EventGridSubscriber, PortalAppRoles.ApiKeysRotate));
        using var homeWithoutRole = await _host.ClientAsAsync(TestApp.In(EntraSignInTests.HomeTenant, PortalAppRoles.ApiKeysRead));
        using var anonymous = _host.Client();
        JsonArray events() => [SecretEvent("Microsoft.KeyVault.SecretNewVersionCreated", SecretName.ForTenant(tenant).Value, "v1")];

        using var fromCustomer = await customer.SendAsync(Delivery("Notification", events()));
        using var withoutRole = await homeWithoutRole.SendAsync(Delivery("Notification", events()));
        using var unsigned = await anonymous.SendAsync(Delivery("Notification", events()));

        const string detail = "The token does not carry the application role AzureEventGridSecureWebhookSubscriber (from the provider's own directory), " +
            "which this operation needs. Your Entra admin grants it to the automation app (docs/automation.md).";
        await AssertProblemAsync(fromCustomer, HttpStatusCode.Forbidden, "role_missing", detail);
        await AssertProblemAsync(withoutRole, HttpStatusCode.Forbidden, "role_missing", detail);
        await AssertProblemAsync(unsigned, HttpStatusCode.Unauthorized, "token_missing",
            "This API needs an app-only access token from Microsoft Entra ID in the Authorization header (Bearer).");
    }

    [Fact]
    public async Task Delivery_ThatIsNotAnEventArray_IsRefused()
    {
        using var client = await EventGridAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, KeyVaultEventEndpoint.Path) { Content = Json("""{"eventType":"x"}""") };

        using var response = await client.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "body_not_array", "The body is not an Event Grid schema event array.");
    }
}
