using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TenantPortal.KeyReader;
using TenantPortal.Tests.Auth;
using TenantPortal.Tests.Features.ApiKeys.Api;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Features.KeyHealth;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.KeyHealth;

/// <summary>
/// The whole loop in one process: the portal (Production, Key Vault store on the protocol fake) stores a tenant's key
/// through the automation API; the real KeyReader reads it with the reader identity, counts, takes a rejection, and
/// its sender posts the batch to the portal's real endpoint (the reader's HttpClient on the test server's handler) with
/// a client-credential token that Azure.Identity's ClientSecretCredential gets from the test issuer for the home
/// tenant's backend app. The reader runs on a fake clock, the portal on its own.
/// </summary>
public sealed class KeyReaderToPortalTests : IAsyncLifetime
{
    private KeyVaultFake _vault = null!;
    private AutomationApiHost _host = null!;

    public async Task InitializeAsync()
    {
        _vault = await KeyVaultFake.StartAsync();
        _host = new AutomationApiHost
        {
            Settings = new Dictionary<string, string?>
            {
                ["Api:RateLimits:WritesPerTenantPerMinute"] = "10000",
                ["Api:RateLimits:RequestsPerClientPerMinute"] = "100000",
                ["SecretStore:Provider"] = "AzureKeyVault",
                ["SecretStore:VaultUri"] = _vault.VaultUri.ToString(),
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

    [Fact]
    public async Task Reader_CountsUsesAndARejection_SendsThemToThePortal_TenantAndSupportSeeThem_NoValueAnywhere()
    {
        var canary = "sk_live_CANARY_" + Guid.NewGuid().ToString("N");
        var (tenantId, directory, app) = await _host.OnboardAsync();
        using var automation = await _host.ClientAsAsync(app);
        using var put = await automation.PutAsync($"/api/v1/tenants/{tenantId}/api-key", AutomationApiHost.Value(canary));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var version = (await AutomationApiHost.BodyAsync(put))["version"]!.GetValue<string>();

        var backendApp = TestApp.In(EntraSignInTests.HomeTenant, PortalAppRoles.KeyUsageReport);
        _host.Issuer.RegisterApp(backendApp);
        var wire = new RecordingHandler(_host.Portal.Server.CreateHandler());
        var start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 300);
        var clock = new FakeTimeProvider(start);
        await using var reader = Reader(clock, wire, backendApp);
        var keys = reader.GetRequiredService<ITenantApiKeyProvider>();

        var key = await keys.GetApiKeyAsync(tenantId);
        clock.Advance(TimeSpan.FromSeconds(20));
        await keys.GetApiKeyAsync(tenantId);
        keys.ReportRejected(tenantId, key.Version);
        clock.Advance(TimeSpan.FromSeconds(10));
        await keys.GetApiKeyAsync(tenantId);
        var sent = NextSendAsync(keys);
        clock.Advance(TimeSpan.FromSeconds(30));
        var outcome = await sent;

        Assert.Equal(canary, key.Reveal());
        Assert.Equal(version, key.Version);
        Assert.Equal((KeyUsageSendResult.Delivered, (HttpStatusCode?)HttpStatusCode.OK), (outcome.Kind, outcome.Status));
        var request = Assert.Single(wire.Requests);
        Assert.StartsWith("POST https://localhost/api/v1/key-usage", request, StringComparison.Ordinal);

        using var scope = _host.Portal.Services.CreateScope();
        var health = scope.ServiceProvider.GetRequiredService<KeyHealthService>();
        var asAdmin = await health.GetAsync(TestPersonas.With(directory, PortalRoles.TenantAdmin), tenantId, default);
        var asSupport = await health.GetAsync(TestPersonas.With(EntraSignInTests.HomeTenant, PortalRoles.SupportReader), tenantId, default);
        var asOutsider = await health.GetAsync(TestPersonas.With(Guid.NewGuid(), PortalRoles.TenantAdmin), tenantId, default);
        var current = asAdmin?.Current;
        Assert.NotNull(current);
        Assert.Equal((version, 3L, start.AddSeconds(30), 1L, start.AddSeconds(20), start.AddSeconds(20), false),
            (current.Version, current.Uses, current.LastUsedAt!.Value, current.Rejections, current.FirstRejectedAt!.Value, current.LastRejectedAt!.Value, current.IsStale));
        Assert.Equal(current, asSupport?.Current);
        Assert.Null(asOutsider);

        var audit = Assert.Single(PlatformUsageRows());
        Assert.Equal("automation " + backendApp.AppId, audit.ActorName);
        Assert.EndsWith(": 1 entries, 1 accepted, 0 unknown; 0 dropped by the reader before it", audit.Reason, StringComparison.Ordinal);

        // The value went from the vault to the reader and nowhere else: not on the wire to the portal, not in a log, not in the database.
        var readerLogs = reader.GetFakeLogCollector().GetSnapshot().Select(r => r.Message + r.Exception);
        Assert.DoesNotContain(canary, string.Join("\n", wire.Requests.Concat(readerLogs).Concat(_host.Portal.AllLogText())), StringComparison.Ordinal);
        foreach (var file in Directory.EnumerateFiles(_host.Portal.DataDirectory, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(canary, Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file)), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Reader_PortalRefusesItsIdentity_KeepsServingAndRetriesTheBatch()
    {
        var (tenantId, _, app) = await _host.OnboardAsync();
        using var automation = await _host.ClientAsAsync(app);
        using var put = await automation.PutAsync($"/api/v1/tenants/{tenantId}/api-key", AutomationApiHost.Value("sk_live_" + Guid.NewGuid().ToString("N")));
        // A customer's app granted KeyUsage.Report in its own directory: the portal refuses it, the reader carries on.
        var impostor = app with { Roles = [PortalAppRoles.KeyUsageReport] };
        _host.Issuer.RegisterApp(impostor);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var wire = new RecordingHandler(_host.Portal.Server.CreateHandler());
        await using var reader = Reader(clock, wire, impostor);
        var keys = reader.GetRequiredService<ITenantApiKeyProvider>();

        await keys.GetApiKeyAsync(tenantId);
        var sent = NextSendAsync(keys);
        clock.Advance(TimeSpan.FromMinutes(1));
        var outcome = await sent;
        var servedMeanwhile = keys.GetApiKeyAsync(tenantId).IsCompletedSuccessfully;

        Assert.Equal((KeyUsageSendResult.NotDelivered, (HttpStatusCode?)HttpStatusCode.Forbidden), (outcome.Kind, outcome.Status));
        Assert.StartsWith("403 home_tenant_only: Key usage reports are taken only from the SaaS provider's own backend", outcome.Reason, StringComparison.Ordinal);
        Assert.True(servedMeanwhile);
        Assert.Empty(PlatformUsageRows());
    }

    private List<AuditEvent> PlatformUsageRows()
    {
        using var db = _host.Portal.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Web.Data.PortalDbContext>>().CreateDbContext();
        return db.AuditEvents.Where(e => e.ChainId == AuditChains.Platform && e.Action == KeyHealthAuditActions.UsageReported && e.Outcome == AuditOutcome.Succeeded).ToList();
    }

    private ServiceProvider Reader(FakeTimeProvider clock, HttpMessageHandler portal, TestApp backendApp)
    {
        // The backend's own identity: a real Azure.Identity credential for the portal's API (client credentials at the
        // test issuer); for the vault the fake's reader identity (Key Vault Secrets User).
        var portalCredential = new ClientSecretCredential(backendApp.TenantId.ToString(), backendApp.AppId, backendApp.Secret, new ClientSecretCredentialOptions
        {
            AuthorityHost = _host.Issuer.Instance,
            DisableInstanceDiscovery = true,
            Transport = new HttpClientTransport(_host.Issuer.CreateTrustingHandler()),
        });
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        services.AddSingleton<TimeProvider>(clock);
        services.AddTenantApiKeyReader(o =>
        {
            o.VaultUri = _vault.VaultUri;
            o.Credential = new ByAudience(_vault.ReaderCredential, portalCredential);
            o.ConfigureClient = _vault.ConfigureClient;
            o.UsageReporting.PortalUri = new Uri("https://localhost/");
            o.UsageReporting.PortalAppIdUri = $"api://{_host.Issuer.ClientId}";
        });
        services.AddHttpClient(KeyReaderServiceCollectionExtensions.UsageReportingHttpClientName).ConfigurePrimaryHttpMessageHandler(() => portal);
        return services.BuildServiceProvider(validateScopes: true);
    }

    private static Task<KeyUsageSendOutcome> NextSendAsync(ITenantApiKeyProvider keys)
    {
        var sender = ((TenantApiKeyProvider)keys).Sender!;
        var sent = new TaskCompletionSource<KeyUsageSendOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        sender.Sent += outcome => sent.TrySetResult(outcome);
        return sent.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>One backend identity, two audiences: the vault's tokens from the fake, the portal's from Entra (the test issuer).</summary>
    private sealed class ByAudience(TokenCredential vault, TokenCredential portal) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            Pick(requestContext).GetToken(requestContext, cancellationToken);

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            Pick(requestContext).GetTokenAsync(requestContext, cancellationToken);

        private TokenCredential Pick(TokenRequestContext context) =>
            context.Scopes.Any(s => s.StartsWith("https://vault.azure.net", StringComparison.Ordinal)) ? vault : portal;
    }

    /// <summary>What the reader put on the wire to the portal, as text: method, address, headers and body.</summary>
    private sealed class RecordingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public ConcurrentQueue<string> Requests { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            Requests.Enqueue($"{request.Method} {request.RequestUri}\n{request.Headers}\n{body}");
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
