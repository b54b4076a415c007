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
            new PlatformSettingsInput(90, 365, [30, 14, 7, 1], 7, [$"https://api.provider.example:{_provider.Port}/v1"]), default);
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
        var audited = await db.AuditEvents.Where(e => e.Action == AuditActions.ApiKeyVerify).OrderBy(e => e.Sequence).ToListAsync();
        Assert.Equal(
            [(AuditOutcome.Requested, $"Probe GET https://api.provider.example:{_provider.Port}/v1/me"),
             (AuditOutcome.Failed, "The verification probe expected 200 OK, got 401 Unauthorized — the key was refused.")],
            audited.Select(e => (e.Outcome, e.Reason)));
        Assert.Single(audited.Select(e => e.CorrelationId).Distinct());
        Assert.DoesNotContain(await db.AuditEvents.ToListAsync(), e => System.Text.Json.JsonSerializer.Serialize(e).Contains(Key, StringComparison.Ordinal));
        Assert.False(await db.AuditEvents.AnyAsync(e => e.Action == AuditActions.ApiKeySubmit));
    }

    [Fact]
    public async Task Submit_ProbeAccepts_VerificationIsAuditedBeforeTheKeyLeaves_ThenItsOutcome_ThenTheSubmit()
    {
        _provider.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var submitting = _portal.Get<ApiKeyService>().SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Key), default);
        await _provider.WaitForRequestAsync();
        List<(string, AuditOutcome)> whileTheProbeHasTheKey;
        await using (var db = _portal.CreateDbContext())
        {
            whileTheProbeHasTheKey = (await KeyEventsAsync(db)).Select(e => (e.Action, e.Outcome)).ToList();
        }

        _provider.Hold.SetResult();
        var result = await submitting.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal([(AuditActions.ApiKeyVerify, AuditOutcome.Requested)], whileTheProbeHasTheKey);
        await using var check = _portal.CreateDbContext();
        var events = await KeyEventsAsync(check);
        Assert.Equal(
            [(AuditActions.ApiKeyVerify, AuditOutcome.Requested), (AuditActions.ApiKeyVerify, AuditOutcome.Succeeded),
             (AuditActions.ApiKeySubmit, AuditOutcome.Requested), (AuditActions.ApiKeySubmit, AuditOutcome.Succeeded)],
            events.Select(e => (e.Action, e.Outcome)));
        Assert.Equal("The verification probe accepted the key", events[1].Reason);
        Assert.Single(events.Select(e => e.CorrelationId).Distinct());
    }

    private static async Task<List<AuditEvent>> KeyEventsAsync(Web.Data.PortalDbContext db) =>
        (await db.AuditEvents.Where(e => e.TenantId == "contoso").OrderBy(e => e.Sequence).ToListAsync())
            .Where(e => e.Action.StartsWith("ApiKey.", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task Submit_AuditTrailDown_SendsNothingToTheProbe_StoresNothing_AndSaysWhy()
    {
        // The process's one audit writer stops: every fail-closed append now throws.
        await _portal.Get<AuditAppender>().DisposeAsync();

        var result = await _portal.Get<ApiKeyService>().SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Key), default);

        Assert.Equal(KeyChangeOutcome.Failed, result.Outcome);
        Assert.Equal("The audit trail is unavailable, so the key was not sent to the verification probe and not stored. Nothing was changed; please try again later.",
            result.Message);
        Assert.Empty(_provider.Requests);
        Assert.Empty(await _portal.StoredVersionsAsync("contoso"));
        await using var db = _portal.CreateDbContext();
        Assert.False(await db.ApiKeyVersions.AnyAsync(v => v.TenantId == "contoso"));
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
