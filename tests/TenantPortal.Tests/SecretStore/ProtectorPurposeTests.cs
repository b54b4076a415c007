using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Notifications;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.SecretStore;

/// <summary>
/// The key ring's uses each have a purpose of their own: the sign-in cookie (the cookie handler's ticket format) and the
/// webhook signing keys (bound to the tenant) in the portal's ring, the local store's values (bound to the secret name)
/// in the local store's own ring. A payload made for one is refused by every other, through the portal's real composition.
/// </summary>
public sealed class ProtectorPurposeTests : IAsyncLifetime
{
    private const string LocalStorePurpose = "TenantPortal.SecretStore.Local.v1";
    private const string Value = "sk_live_protector_purpose_0001";
    private PortalServices _portal = null!;

    public async Task InitializeAsync() => _portal = await PortalServices.StartAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task CookieLocalStoreAndWebhookKeys_EachRefuseTheOthersPayloads()
    {
        var cookie = _portal.Get<IOptionsMonitor<CookieAuthenticationOptions>>().Get(CookieAuthenticationDefaults.AuthenticationScheme).TicketDataFormat;
        var cookiePayload = cookie.Protect(new AuthenticationTicket(TestPersonas.ContosoAdmin, CookieAuthenticationDefaults.AuthenticationScheme));
        var localPayload = await StoredPayloadAsync();
        var local = _portal.Get<LocalStoreKeyRing>().Provider.CreateProtector(LocalStorePurpose, "tenant-contoso-api-key");
        var webhooks = _portal.Get<WebhookSigningKeys>();
        var (signingKey, webhookPayload) = webhooks.Generate("contoso");

        // Each reads its own.
        Assert.Equal(TestPersonas.ContosoAdmin.Identity!.Name, cookie.Unprotect(cookiePayload)!.Principal.Identity!.Name);
        Assert.Equal(Value, local.Unprotect(localPayload));
        Assert.Equal(signingKey, webhooks.Unprotect("contoso", webhookPayload));

        // And none of the others'.
        Assert.Null(cookie.Unprotect(localPayload));
        Assert.Null(cookie.Unprotect(webhookPayload));
        Assert.ThrowsAny<CryptographicException>(() => local.Unprotect(cookiePayload));
        Assert.ThrowsAny<CryptographicException>(() => local.Unprotect(webhookPayload));
        Assert.ThrowsAny<CryptographicException>(() => webhooks.Unprotect("contoso", cookiePayload));
        Assert.ThrowsAny<CryptographicException>(() => webhooks.Unprotect("contoso", localPayload));
    }

    [Fact]
    public async Task WebhookKeysAndLocalValues_AreBoundToTheirTenant()
    {
        var webhooks = _portal.Get<WebhookSigningKeys>();
        var (_, contosoKey) = webhooks.Generate("contoso");
        var localPayload = await StoredPayloadAsync();

        Assert.ThrowsAny<CryptographicException>(() => webhooks.Unprotect("fabrikam", contosoKey));
        Assert.ThrowsAny<CryptographicException>(() =>
            _portal.Get<LocalStoreKeyRing>().Provider.CreateProtector(LocalStorePurpose, "tenant-fabrikam-api-key").Unprotect(localPayload));
    }

    /// <summary>Contoso's key as the local store wrote it: the protected value in its file.</summary>
    private async Task<string> StoredPayloadAsync()
    {
        var stored = await _portal.Get<ApiKeyService>().SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Value), default);
        Assert.Equal(KeyChangeOutcome.Done, stored.Outcome);
        using var file = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_portal.SecretsDirectory, "tenant-contoso-api-key.json")));
        return file.RootElement.GetProperty("versions")[0].GetProperty("protectedValue").GetString()!;
    }
}
