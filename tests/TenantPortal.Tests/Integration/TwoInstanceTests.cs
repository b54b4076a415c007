using System.Net;
using System.Text.RegularExpressions;
using Azure.Core;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Notifications;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Integration;

/// <summary>
/// Two portal hosts on one SQLite database, one Key Vault (the protocol fake) and one clock, each with its own key
/// folder and lease holder, as two App Service instances are. One host is held inside its work at the vault or the
/// webhook receiver while the other runs the same job: the other does nothing, and the work is done once.
/// </summary>
public sealed partial class TwoInstanceTests : IAsyncLifetime
{
    private const string WebhookHost = "hooks.contoso.example";

    /// <summary>Host B's job must end while host A is held; if B acted, it would be held too, and fail here instead of hanging.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _shared = TempDirectory.Create();
    private readonly FakeTimeProvider _time = new(PortalServices.Start);
    private KeyVaultFake _vault = null!;
    private HttpsReceiver _webhook = null!;
    private PortalAppFactory _a = null!;
    private PortalAppFactory _b = null!;

    public async Task InitializeAsync()
    {
        _vault = await KeyVaultFake.StartAsync(pageSize: 25, time: _time);
        _webhook = await HttpsReceiver.StartAsync(WebhookHost);
        var certificate = KeyRingCertificates.Write(_shared, "shared");
        _a = Host(certificate);
        _a.StartServer();
        _b = Host(certificate);
        _b.StartServer();
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _webhook.DisposeAsync();
        await _vault.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TempDirectory.Delete(_shared);
    }

    [Fact]
    public async Task Reconciliation_BothHostsPassAtOnce_OnlyTheLeaseHolderReconciles_AndTheWriteInDoubtIsSettledOnce()
    {
        await InDoubtSubmitAsync();
        _time.Advance(TimeSpan.FromMinutes(3));
        _vault.HoldRequests(r => r.Path == "/secrets/tenant-contoso-api-key/versions");

        using var scopeA = _a.Services.CreateScope();
        var passA = scopeA.ServiceProvider.GetRequiredService<ReconciliationScheduler>().RunPassAsync(default);
        await _vault.WaitForRequestAsync(r => r.Path == "/secrets/tenant-contoso-api-key/versions");
        using var scopeB = _b.Services.CreateScope();
        var passB = await scopeB.ServiceProvider.GetRequiredService<ReconciliationScheduler>().RunPassAsync(default).WaitAsync(Patience);
        _vault.ReleaseHeldRequests();
        var reportA = await passA;

        Assert.Same(ReconciliationPassReport.NotHolder, passB);
        Assert.Equal((1, 1, 1), (reportA.InDoubtFound, reportA.InDoubtSettled, reportA.VersionsRestored));
        Assert.Single(_vault.Requests, r => r.Path == "/secrets/tenant-contoso-api-key/versions" && r.Authenticated);
        await using var db = Database();
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Action == AuditActions.ReconciliationInDoubtSettled));
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Action == AuditActions.ReconciliationRestored));
        Assert.Equal(1, await db.ApiKeyVersions.CountAsync(v => v.TenantId == "contoso"));
    }

    [Fact]
    public async Task RotationMonitor_BothHostsSweepAtOnce_TheGraceEndsOnce_AndEachReminderIsDecidedOnce()
    {
        var first = await SubmitAsync(_a, "sk_live_two_hosts_first_00001");
        _time.Advance(TimeSpan.FromDays(1));
        await SubmitAsync(_b, "sk_live_two_hosts_second_0002");
        // Grace (7 days) long over, and the current version 30 days before it is due.
        _time.Advance(TimeSpan.FromDays(60));
        _vault.HoldRequests(r => r.Method == "PATCH");

        using var scopeA = _a.Services.CreateScope();
        var sweepA = scopeA.ServiceProvider.GetRequiredService<RotationMonitor>().SweepAsync(default);
        await _vault.WaitForRequestAsync(r => r.Method == "PATCH");
        using var scopeB = _b.Services.CreateScope();
        var sweepB = await scopeB.ServiceProvider.GetRequiredService<RotationMonitor>().SweepAsync(default).WaitAsync(Patience);
        _vault.ReleaseHeldRequests();
        var reportA = await sweepA;

        Assert.False(sweepB.Ran);
        Assert.Equal((true, 1, 1), (reportA.Ran, reportA.Reminders, reportA.PreviousDisabled));
        Assert.Single(_vault.Requests, r => r.Method == "PATCH" && r.Path.EndsWith(first, StringComparison.Ordinal));
        await using var db = Database();
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Action == AuditActions.ApiKeyPreviousDisabled && e.Outcome == AuditOutcome.Succeeded));
        Assert.Equal(1, await db.RotationNotices.CountAsync(n => n.TenantId == "contoso" && n.Kind == RotationNoticeKind.Reminder && n.LeadDays == 30));
    }

    [Fact]
    public async Task NotificationDispatcher_BothHostsDispatchAtOnce_EachDeliveryIsSentOnce()
    {
        using (var scope = _a.Services.CreateScope())
        {
            var webhooks = scope.ServiceProvider.GetRequiredService<WebhookSettingsService>();
            Assert.Equal(WebhookChangeOutcome.Saved,
                (await webhooks.SetUrlAsync(TestPersonas.ContosoAdmin, "contoso", _webhook.Url(WebhookHost, "/hooks/rotation").ToString(), default)).Outcome);
            await webhooks.GenerateSigningKeyAsync(TestPersonas.ContosoAdmin, "contoso", default);
        }

        await SubmitAsync(_a, "sk_live_two_hosts_notify_0001");
        _time.Advance(TimeSpan.FromDays(61));
        using (var scope = _a.Services.CreateScope())
        {
            Assert.Equal(1, (await scope.ServiceProvider.GetRequiredService<RotationMonitor>().SweepAsync(default)).Reminders);
        }

        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _webhook.Hold = hold;
        using var scopeA = _a.Services.CreateScope();
        var dispatchA = scopeA.ServiceProvider.GetRequiredService<NotificationDispatcher>().DispatchDueAsync(default);
        await _webhook.WaitForRequestAsync();
        using var scopeB = _b.Services.CreateScope();
        var dispatchB = await scopeB.ServiceProvider.GetRequiredService<NotificationDispatcher>().DispatchDueAsync(default).WaitAsync(Patience);
        hold.SetResult();
        var reportA = await dispatchA;

        Assert.Equal(0, dispatchB.Attempted);
        Assert.Equal(1, reportA.Delivered);
        Assert.Single(_webhook.Requests);
        await using var db = Database();
        var delivery = await db.NotificationDeliveries.SingleAsync();
        Assert.Equal((NotificationDeliveryStatus.Delivered, 1), (delivery.Status, delivery.Attempts));
    }

    [Fact]
    public async Task SharedKeyRing_AFormFromOneHostIsAcceptedByTheOther_AndTheCookieItIssuesByTheFirst()
    {
        var cookies = new CookieContainer();
        using var browserOnA = Client(_a, cookies);
        using var browserOnB = Client(_b, cookies);

        // The antiforgery cookie and token come from host A; the form is posted to host B, which signs in.
        var form = await browserOnA.GetStringAsync("/dev/sign-in");
        using var post = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["persona"] = "contoso-admin",
            ["returnUrl"] = "/tenants/contoso/api-key",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(AntiforgeryToken().Match(form).Groups[1].Value),
        });
        using var signedIn = await browserOnB.PostAsync("/authentication/dev-sign-in", post);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/tenants/contoso/api-key", signedIn.Headers.Location!.OriginalString);

        // Host B's sign-in cookie, on host A.
        using var page = await browserOnA.GetAsync("/tenants/contoso/api-key");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Contoso Ltd", WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        // A host on another database has another key ring: the same cookie is nobody there.
        using var elsewhere = new PortalAppFactory().WithSetting("DataProtection:CertificatePath", Path.Combine(_shared, "shared.pfx"))
            .WithSetting("DataProtection:CertificatePassword", KeyRingCertificates.Password);
        elsewhere.StartServer();
        using var browserElsewhere = Client(elsewhere, cookies);
        using var refused = await browserElsewhere.GetAsync("/tenants/contoso/api-key");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.StartsWith("/dev/sign-in", refused.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    private PortalAppFactory Host(string certificate) => new PortalAppFactory
    {
        ConfigureServices = services =>
        {
            services.AddSingleton<TimeProvider>(_time);
            services.AddSingleton<TokenCredential>(_vault.Credential);
            services.PostConfigure<SecretStoreOptions>(o => o.ConfigureClient = _vault.ConfigureClient);
            OutboundTestSeam.Use(services, new StaticDnsResolver().Map(WebhookHost, "127.0.0.1"), _webhook);
        },
    }
        .WithSetting("ConnectionStrings:TenantPortal", $"Data Source={Path.Combine(_shared, "portal.db")}")
        .WithSetting("DataProtection:CertificatePath", certificate)
        .WithSetting("DataProtection:CertificatePassword", KeyRingCertificates.Password)
        .WithSetting("SecretStore:Provider", "AzureKeyVault")
        .WithSetting("SecretStore:VaultUri", _vault.VaultUri.ToString())
        .WithSetting("SecretStore:MaxRetries", "0")
        .WithSetting("Reconciliation:Enabled", "false")
        .WithSetting("Rotation:Monitor:Enabled", "false")
        .WithSetting("Notifications:Dispatch:Enabled", "false")
        .WithSetting("Audit:Retention:Enabled", "false");

    private static HttpClient Client(PortalAppFactory host, CookieContainer cookies) =>
        host.CreateDefaultClient(new Uri("http://localhost"), new CookieContainerHandler(cookies));

    private PortalDbContext Database() => _a.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();

    private static async Task<string> SubmitAsync(PortalAppFactory host, string value)
    {
        using var scope = host.Services.CreateScope();
        var result = await scope.ServiceProvider.GetRequiredService<ApiKeyService>().SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(value), default);
        Assert.True(result.Succeeded, result.Message);
        return result.Version!.Version;
    }

    /// <summary>Host A died after the vault stored the value: "requested" audited, nothing after it.</summary>
    private async Task InDoubtSubmitAsync()
    {
        using var scope = _a.Services.CreateScope();
        var audit = scope.ServiceProvider.GetRequiredService<AuditTrail>();
        await audit.AppendAsync(audit.Create(PortalActor.From(TestPersonas.ContosoAdmin), AuditActions.ApiKeySubmit, AuditOutcome.Requested,
            "contoso", "corr-host-a-died", "tenant-contoso-api-key"), default);
        await scope.ServiceProvider.GetRequiredService<ISecretStore>().SetAsync(SecretName.ForTenant("contoso"), new SecretValue("sk_live_two_hosts_in_doubt_01"),
            new SecretWriteOptions("text/plain", new Dictionary<string, string> { [ApiKeyTags.TenantId] = "contoso", [ApiKeyTags.MaskedHint] = "••••t_01" }, null), default);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
