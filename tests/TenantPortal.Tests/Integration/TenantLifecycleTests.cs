using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.Auth;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Integration;

/// <summary>
/// A customer's whole life in a Production host with real Entra-style sign-in: onboarded by a platform admin, its
/// admin signs in and stores a key, then it is offboarded: its key versions are disabled and its users are refused.
/// </summary>
public sealed class TenantLifecycleTests : IAsyncLifetime
{
    private static readonly Guid AcmeDirectory = Guid.Parse("acac0000-0000-4000-8000-00000000b001");
    private TestOidcIssuer _issuer = null!;
    private PortalAppFactory _portal = null!;

    public async Task InitializeAsync()
    {
        _issuer = await TestOidcIssuer.StartAsync();
        _portal = EntraSignInTests.CreatePortal(_issuer);
    }

    public async Task DisposeAsync()
    {
        _portal.Dispose();
        await _issuer.DisposeAsync();
    }

    [Fact]
    public async Task Onboard_SignIn_Submit_Offboard_DisablesVersionsAndRefusesSignIn()
    {
        var platformAdmin = TestPersonas.With(EntraSignInTests.HomeTenant, PortalRoles.PlatformAdmin);
        var acmeAdmin = TestUser.In(AcmeDirectory, PortalRoles.TenantAdmin);
        using var browser = EntraSignInFlow.Browser(_portal);

        // Before onboarding, Acme's admin is not on the allow-list.
        var early = await EntraSignInFlow.SignInAsync(_issuer, browser, acmeAdmin, "/");
        Assert.Equal(SignInRefusal.NotOnboardedPath, early.Headers.Location!.OriginalString);

        using (var scope = _portal.Services.CreateScope())
        {
            var onboarded = await scope.ServiceProvider.GetRequiredService<TenantService>().OnboardAsync(platformAdmin,
                new TenantInput("acme", "Acme Corp", [AcmeDirectory.ToString()], [new("ops@acme.example")], RotationPolicy.Default), default);
            Assert.True(onboarded.Succeeded, onboarded.Message);
        }

        var callback = await EntraSignInFlow.SignInAsync(_issuer, browser, acmeAdmin, "/tenants/acme/api-key");
        Assert.Equal("/tenants/acme/api-key", callback.Headers.Location!.OriginalString);
        var page = WebUtility.HtmlDecode(await browser.GetStringAsync("/tenants/acme/api-key"));
        Assert.Contains("API key · Acme Corp", page, StringComparison.Ordinal);

        var adminPrincipal = TestPersonas.With(AcmeDirectory, PortalRoles.TenantAdmin);
        using (var scope = _portal.Services.CreateScope())
        {
            var keys = scope.ServiceProvider.GetRequiredService<ApiKeyService>();
            Assert.True((await keys.SubmitApiKeyAsync(adminPrincipal, "acme", new SecretValue("sk_live_lifecycle_first_0001"), default)).Succeeded);
            Assert.True((await keys.SubmitApiKeyAsync(adminPrincipal, "acme", new SecretValue("sk_live_lifecycle_second_002"), default)).Succeeded);
            Assert.Contains(await VersionsAsync(scope.ServiceProvider), v => v.Enabled);

            var offboarded = await scope.ServiceProvider.GetRequiredService<TenantService>()
                .OffboardAsync(platformAdmin, "acme", "Acme Corp", "Customer left", default);
            Assert.True(offboarded.Succeeded, offboarded.Message);
            var versions = await VersionsAsync(scope.ServiceProvider);
            Assert.Equal(2, versions.Count);
            Assert.All(versions, v => Assert.False(v.Enabled));
        }

        // The open session can no longer reach the tenant, and a new sign-in is refused.
        Assert.DoesNotContain("API key · Acme Corp", WebUtility.HtmlDecode(await browser.GetStringAsync("/tenants/acme/api-key")), StringComparison.Ordinal);
        using var freshBrowser = EntraSignInFlow.Browser(_portal);
        var refused = await EntraSignInFlow.SignInAsync(_issuer, freshBrowser, acmeAdmin, "/tenants/acme/api-key");
        Assert.Equal(SignInRefusal.NotOnboardedPath, refused.Headers.Location!.OriginalString);
        var afterwards = await freshBrowser.GetAsync("/tenants/acme/api-key");
        Assert.Equal(HttpStatusCode.Redirect, afterwards.StatusCode);
        Assert.Equal($"{_issuer.Instance}organizations/oauth2/v2.0/authorize", afterwards.Headers.Location!.GetLeftPart(UriPartial.Path));
    }

    private static async Task<List<SecretVersionProperties>> VersionsAsync(IServiceProvider services)
    {
        var list = new List<SecretVersionProperties>();
        await foreach (var v in services.GetRequiredService<ISecretStore>().ListVersionsAsync(SecretName.ForTenant("acme"), default))
        {
            list.Add(v);
        }

        return list;
    }
}
