using Microsoft.EntityFrameworkCore;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Platform;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.Rotation;

/// <summary>A tenant's verification probe runs with the submitted key before it is stored; a refusal stores nothing.</summary>
public sealed class VerifiedSubmitTests : IAsyncLifetime
{
    private const string Key = "sk_live_probe_canary_Zq7x91";
    private HttpsReceiver _provider = null!;
    private PortalServices _portal = null!;

    public async Task InitializeAsync()
    {
        _provider = await HttpsReceiver.StartAsync("api.provider.example");
        var dns = new StaticDnsResolver().Map("api.provider.example", "127.0.0.1");
        _portal = await PortalServices.StartAsync(services => OutboundTestSeam.Use(services, dns, _provider));
        var settings = await _portal.Get<PlatformSettingsService>().UpdateAsync(TestPersonas.PlatformAdmin,
            new PlatformSettingsInput(90, 365, [30, 14, 7, 1], 7, ["api.provider.example"]), default);
        Assert.True(settings.Succeeded, settings.Problem);
        var probe = await _portal.Get<TenantService>().UpdateProbeAsync(TestPersonas.ContosoAdmin, "contoso", new VerificationProbe
        {
            Method = "GET", Url = _provider.Url("api.provider.example", "/v1/me").ToString(), HeaderName = "X-Api-Key", HeaderPrefix = "", ExpectedStatus = 200,
        }, default);
        Assert.True(probe.Succeeded, probe.Message);
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        await _provider.DisposeAsync();
    }

    [Fact]
    public async Task Submit_ProbeAccepts_StoresTheKey_WhichWentOnlyInTheConfiguredHeader()
    {
        var result = await _portal.Get<ApiKeyService>().SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Key), default);

        Assert.True(result.Succeeded, result.Message);
        var request = Assert.Single(_provider.Requests);
        Assert.Equal(Key, request.Header("X-Api-Key"));
        Assert.DoesNotContain(Key, request.Path + request.Query, StringComparison.Ordinal);
        Assert.Single(await _portal.StoredVersionsAsync("contoso"));
    }

    [Fact]
    public async Task Submit_ProbeRefuses_StoresNothing_SaysWhy_AndAuditsWithoutTheKey()
    {
        _provider.StatusCode = 401;

        var result = await _portal.Get<ApiKeyService>().SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Key), default);

        Assert.Equal(KeyChangeOutcome.Invalid, result.Outcome);
        Assert.Contains("401", result.Message, StringComparison.Ordinal);
        Assert.Contains("not stored", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, result.Message, StringComparison.Ordinal);
        Assert.Empty(await _portal.StoredVersionsAsync("contoso"));
        await using var db = _portal.CreateDbContext();
        Assert.False(await db.ApiKeyVersions.AnyAsync(v => v.TenantId == "contoso"));
        var audited = await db.AuditEvents.SingleAsync(e => e.Action == AuditActions.ApiKeyVerify);
        Assert.Equal(AuditOutcome.Failed, audited.Outcome);
        Assert.DoesNotContain(Key, audited.Reason ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProbeSettings_HostNotOnTheAllowList_IsRefused()
    {
        var result = await _portal.Get<TenantService>().UpdateProbeAsync(TestPersonas.ContosoAdmin, "contoso", new VerificationProbe
        {
            Url = "https://169.254.169.254/metadata/identity", HeaderName = "Authorization",
        }, default);

        Assert.Equal(TenantChangeOutcome.Invalid, result.Outcome);
        Assert.Equal(TenantChangeOutcome.NotFound,
            (await _portal.Get<TenantService>().UpdateProbeAsync(TestPersonas.FabrikamAdmin, "contoso", null, default)).Outcome);
    }
}
