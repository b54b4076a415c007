using System.Threading.Channels;
using Azure.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.Infrastructure.Leases;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.ApiKeys;

/// <summary>
/// The reconciliation schedule on a fake clock, with the Key Vault store talking to the protocol fake so that every
/// vault call is counted where the vault would count it. A pass may spend 2 calls here (share 0.05 of 40 per 10 s).
/// </summary>
public sealed class ReconciliationSchedulerTests : IAsyncLifetime
{
    private const string Contoso = "tenant-contoso-api-key";
    private KeyVaultFake _vault = null!;
    private PortalServices _portal = null!;

    public async Task InitializeAsync()
    {
        _vault = await KeyVaultFake.StartAsync(pageSize: 25);
        _portal = await StartPortalAsync(_vault);
        // The SDK's first request answers the bearer challenge; make it before anything is counted.
        await _portal.Get<ISecretStore>().CheckAvailabilityAsync(default);
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        await _vault.DisposeAsync();
    }

    private ReconciliationScheduler Scheduler => _portal.Get<ReconciliationScheduler>();

    [Fact]
    public async Task RunPass_AtStartWithNoSweepDue_MakesNoVaultCall_AndSchedulesTheFirstSweepAnIntervalAway()
    {
        await OnboardAsync(20);
        var before = _vault.Requests.Count;

        var report = await Scheduler.RunPassAsync(default);

        Assert.True(report.Ran);
        Assert.Equal((0, 0, false), (report.VaultCalls, report.SweepTenantsChecked, report.SweepStarted));
        Assert.Equal(before, _vault.Requests.Count);
        await using var db = _portal.CreateDbContext();
        var state = await db.ReconciliationStates.SingleAsync();
        Assert.Equal(PortalServices.Start, state.SweepStartedAt);
        Assert.False(state.SweepInProgress);
    }

    [Fact]
    public async Task FullSweep_DueADayLater_SpendsAtMostThePassBudget_AndListsEachTenantOnce()
    {
        await OnboardAsync(4); // 7 tenants with the 3 seeded
        Assert.False((await Scheduler.RunPassAsync(default)).SweepStarted);
        _portal.Time.Advance(TimeSpan.FromHours(23));
        Assert.False((await Scheduler.RunPassAsync(default)).SweepStarted);

        _portal.Time.Advance(TimeSpan.FromHours(1));
        var passes = new List<(ReconciliationPassReport Report, int Requests)>();
        do
        {
            var before = _vault.Requests.Count;
            var report = await Scheduler.RunPassAsync(default);
            passes.Add((report, _vault.Requests.Count - before));
            _portal.Time.Advance(TimeSpan.FromSeconds(10));
        }
        while (!passes[^1].Report.SweepCompleted && passes.Count < 10);

        Assert.True(passes[0].Report.SweepStarted);
        Assert.Equal([2, 2, 2, 1], passes.Select(p => p.Report.SweepTenantsChecked));
        Assert.Equal([2, 2, 2, 1], passes.Select(p => p.Requests));
        Assert.All(passes, p => Assert.Equal(p.Requests, p.Report.VaultCalls));
        var listed = _vault.Requests.Where(r => r.Path.EndsWith("/versions", StringComparison.Ordinal)).GroupBy(r => r.Path).ToList();
        Assert.Equal(7, listed.Count);
        Assert.All(listed, g => Assert.Single(g));
        var after = await Scheduler.RunPassAsync(default);
        Assert.Equal(0, after.VaultCalls);
        await using var db = _portal.CreateDbContext();
        var state = await db.ReconciliationStates.SingleAsync();
        Assert.Equal((false, 7, null), (state.SweepInProgress, state.SweepTenantsChecked, state.SweepAfterTenantId));
        Assert.Equal(PortalServices.Start.AddDays(1), state.SweepStartedAt);
    }

    [Fact]
    public async Task FullSweep_AfterARestart_GoesOnFromThePersistedCursor_OnceTheOldLeaseLapses()
    {
        await OnboardAsync(4);
        await Scheduler.RunPassAsync(default);
        _portal.Time.Advance(TimeSpan.FromDays(1));
        var first = await Scheduler.RunPassAsync(default);
        Assert.Equal(2, first.SweepTenantsChecked);
        string cursor;
        await using (var db = _portal.CreateDbContext())
        {
            cursor = (await db.ReconciliationStates.SingleAsync()).SweepAfterTenantId!;
        }

        // The instance stops without giving up its lease; a new process (a new lease holder) starts on the same database.
        await using var restarted = await _portal.NewScopeAsync();
        var successor = restarted.Create<ReconciliationScheduler>(new LeaseHolder());
        _portal.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.False((await successor.RunPassAsync(default)).Ran);
        var listedBefore = ListedTenants();

        _portal.Time.Advance(_portal.Get<IOptions<ReconciliationOptions>>().Value.LeaseDuration);
        var resumed = new List<ReconciliationPassReport>();
        do
        {
            resumed.Add(await successor.RunPassAsync(default));
            _portal.Time.Advance(TimeSpan.FromSeconds(10));
        }
        while (!resumed[^1].SweepCompleted && resumed.Count < 10);

        var listedAfter = ListedTenants().Skip(listedBefore.Count).ToList();
        Assert.Equal(5, listedAfter.Count);
        Assert.All(listedAfter, t => Assert.True(string.CompareOrdinal(t, cursor) > 0, $"{t} was listed again"));
        Assert.Empty(listedBefore.Intersect(listedAfter));
    }

    [Fact]
    public async Task InDoubt_RequestedWriteWithNoOutcome_IsReconciledOnceItIsTwoMinutesOld_AndSettledUnderItsCorrelationId()
    {
        await Scheduler.RunPassAsync(default);
        var stray = await CrashAfterStoreWriteAsync("corr-crashed-submit");

        _portal.Time.Advance(TimeSpan.FromMinutes(1));
        var early = await Scheduler.RunPassAsync(default);
        _portal.Time.Advance(TimeSpan.FromMinutes(1));
        var due = await Scheduler.RunPassAsync(default);
        _portal.Time.Advance(TimeSpan.FromSeconds(10));
        var later = await Scheduler.RunPassAsync(default);

        Assert.Equal((0, 0), (early.InDoubtFound, early.VaultCalls));
        Assert.Equal((1, 1, 1), (due.InDoubtFound, due.InDoubtSettled, due.VersionsRestored));
        Assert.Equal(1, due.VaultCalls);
        Assert.Equal((0, 0), (later.InDoubtFound, later.VaultCalls));
        var overview = await _portal.Get<ApiKeyService>().GetOverviewAsync(TestPersonas.ContosoAdmin, "contoso", default);
        Assert.Equal(stray, overview!.Current!.Version);
        await using var db = _portal.CreateDbContext();
        var settled = await db.AuditEvents.SingleAsync(e => e.Action == AuditActions.ReconciliationInDoubtSettled);
        Assert.Equal(("corr-crashed-submit", "contoso", AuditOutcome.Succeeded, Contoso), (settled.CorrelationId, settled.TenantId, settled.Outcome, settled.SecretName));
        Assert.Equal("ApiKey.Submit had no recorded success; the key was reconciled against the secret store (1 version(s) recorded from it, 0 found missing)",
            settled.Reason);
    }

    [Fact]
    public async Task InDoubt_SubmitThatSucceeded_IsNotInDoubt()
    {
        await Scheduler.RunPassAsync(default);
        var result = await _portal.Get<ApiKeyService>().SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue("sk_live_fine_000000000001"), default);
        Assert.True(result.Succeeded, result.Message);

        _portal.Time.Advance(TimeSpan.FromMinutes(3));
        var before = _vault.Requests.Count;
        var report = await Scheduler.RunPassAsync(default);

        Assert.Equal((0, 0), (report.InDoubtFound, report.VaultCalls));
        Assert.Equal(before, _vault.Requests.Count);
    }

    [Fact]
    public async Task InDoubt_KeyHeldByAnotherChange_IsLeftAndSettledAtTheNextPassAfterItsRelease()
    {
        await Scheduler.RunPassAsync(default);
        await CrashAfterStoreWriteAsync("corr-busy-key");
        _portal.Time.Advance(TimeSpan.FromMinutes(3));
        var held = await _portal.Get<TenantKeyLocks>().AcquireAsync("contoso", TimeSpan.Zero, default);

        var busy = await Scheduler.RunPassAsync(default);
        await held!.DisposeAsync();
        _portal.Time.Advance(TimeSpan.FromSeconds(10));
        var settled = await Scheduler.RunPassAsync(default);

        Assert.Equal((1, 0), (busy.InDoubtFound, busy.InDoubtSettled));
        Assert.Equal((1, 1, 1), (settled.InDoubtFound, settled.InDoubtSettled, settled.VersionsRestored));
    }

    [Fact]
    public async Task InDoubt_TenantThatNoLongerExists_IsSettledWithoutAnyVaultCall()
    {
        await Scheduler.RunPassAsync(default);
        var audit = _portal.Get<AuditTrail>();
        await audit.AppendAsync(audit.Create(PortalActor.From(TestPersonas.ContosoAdmin), AuditActions.ApiKeySubmit, AuditOutcome.Requested,
            "renamed-away", "corr-gone", "tenant-renamed-away-api-key"), default);
        _portal.Time.Advance(TimeSpan.FromMinutes(3));
        var before = _vault.Requests.Count;

        var report = await Scheduler.RunPassAsync(default);

        Assert.Equal((1, 1), (report.InDoubtFound, report.InDoubtSettled));
        Assert.Equal(before, _vault.Requests.Count);
        await using var db = _portal.CreateDbContext();
        var settled = await db.AuditEvents.SingleAsync(e => e.Action == AuditActions.ReconciliationInDoubtSettled);
        Assert.Equal(("renamed-away", "corr-gone"), (settled.ChainId, settled.CorrelationId));
        Assert.Equal("ApiKey.Submit had no recorded success; no tenant has this id any more, so there was nothing to reconcile", settled.Reason);
    }

    [Fact]
    public async Task InDoubt_VaultFailing_LeavesTheChangeForTheNextPass_AfterOneCall()
    {
        await Scheduler.RunPassAsync(default);
        await CrashAfterStoreWriteAsync("corr-vault-down");
        _portal.Time.Advance(TimeSpan.FromMinutes(3));
        _vault.Enqueue(FaultKind.ServerError, times: 100);

        var failing = await Scheduler.RunPassAsync(default);
        _vault.ClearFaults();
        _portal.Time.Advance(TimeSpan.FromSeconds(10));
        var recovered = await Scheduler.RunPassAsync(default);

        Assert.Equal((1, 0), (failing.InDoubtFound, failing.InDoubtSettled));
        Assert.Equal((1, 1, 1), (recovered.InDoubtFound, recovered.InDoubtSettled, recovered.VersionsRestored));
    }

    [Fact]
    public async Task RunPass_OnAnInstanceWithoutTheLease_DoesNothing()
    {
        await OnboardAsync(4);
        _portal.Time.Advance(TimeSpan.FromDays(2));
        Assert.True((await Scheduler.RunPassAsync(default)).Ran);
        await using var other = await _portal.NewScopeAsync();
        var before = _vault.Requests.Count;

        var report = await other.Create<ReconciliationScheduler>(new LeaseHolder()).RunPassAsync(default);

        Assert.Same(ReconciliationPassReport.NotHolder, report);
        Assert.Equal(before, _vault.Requests.Count);
    }

    [Fact]
    public async Task Worker_StartUpPass_DoesNotSweep()
    {
        await using var vault = await KeyVaultFake.StartAsync(pageSize: 25);
        var reports = Channel.CreateUnbounded<ReconciliationPassReport>();
        // Subscribed as the worker is made: the start-up pass can end before the host's start returns.
        await using var portal = await StartPortalAsync(vault, enabled: true, services => services.AddSingleton(sp =>
        {
            var worker = ActivatorUtilities.CreateInstance<ApiKeyReconciliationWorker>(sp);
            worker.PassCompleted += r => reports.Writer.TryWrite(r);
            return worker;
        }));

        var startUp = await reports.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(startUp.Ran);
        Assert.Equal((0, false, 0), (startUp.VaultCalls, startUp.SweepStarted, startUp.SweepTenantsChecked));
        Assert.DoesNotContain(vault.Requests, r => r.Path.EndsWith("/versions", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Reconciliation:PassInterval", "00:00:05", "Reconciliation:PassInterval must be between 10 seconds and 5 minutes.")]
    [InlineData("Reconciliation:FullSweepInterval", "12:00:00", "Reconciliation:FullSweepInterval must be between 1 day and 90 days.")]
    [InlineData("Reconciliation:VaultShare", "0.9", "Reconciliation:VaultShare must be between 0.001 and 0.5 (a share of the vault's limit).")]
    [InlineData("Reconciliation:LeaseDuration", "00:00:30", "Reconciliation:LeaseDuration must be longer than Reconciliation:PassInterval.")]
    public async Task Options_OutOfRange_StopTheStart_NamingTheSetting(string key, string value, string message)
    {
        var settings = new Dictionary<string, string?> { [key] = value };
        if (key.EndsWith("LeaseDuration", StringComparison.Ordinal))
        {
            settings["Reconciliation:PassInterval"] = "00:01:00";
        }

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => PortalServices.StartAsync(settings: settings));

        Assert.Contains(message, failure.Message, StringComparison.Ordinal);
    }

    private static Task<PortalServices> StartPortalAsync(KeyVaultFake vault, bool enabled = false, Action<IServiceCollection>? configure = null) => PortalServices.StartAsync(
        services =>
        {
            services.AddSingleton<TokenCredential>(vault.Credential);
            services.PostConfigure<SecretStoreOptions>(o => o.ConfigureClient = vault.ConfigureClient);
            configure?.Invoke(services);
        },
        new Dictionary<string, string?>
        {
            ["SecretStore:Provider"] = "AzureKeyVault",
            ["SecretStore:VaultUri"] = vault.VaultUri.ToString(),
            ["SecretStore:MaxRetries"] = "0",
            ["Reconciliation:Enabled"] = enabled ? "true" : "false",
            ["Reconciliation:VaultCallsPer10Seconds"] = "40",
        });

    private List<string> ListedTenants() => _vault.Requests
        .Where(r => r.Path.EndsWith("/versions", StringComparison.Ordinal))
        .Select(r => r.Path["/secrets/tenant-".Length..^"-api-key/versions".Length])
        .ToList();

    private async Task OnboardAsync(int count)
    {
        await using var db = _portal.CreateDbContext();
        for (var i = 0; i < count; i++)
        {
            db.Tenants.Add(new Tenant { Id = $"extra-{i:00}", DisplayName = $"Extra {i:00}", CreatedAt = PortalServices.Start });
        }

        await db.SaveChangesAsync();
    }

    /// <summary>A submit whose instance died after the vault stored the value: "requested" audited, nothing after it.</summary>
    private async Task<string> CrashAfterStoreWriteAsync(string correlationId)
    {
        var audit = _portal.Get<AuditTrail>();
        await audit.AppendAsync(audit.Create(PortalActor.From(TestPersonas.ContosoAdmin), AuditActions.ApiKeySubmit, AuditOutcome.Requested,
            "contoso", correlationId, Contoso), default);
        var stored = await _portal.Get<ISecretStore>().SetAsync(SecretName.ForTenant("contoso"), new SecretValue("sk_live_in_doubt_0000000a9F2"),
            new SecretWriteOptions("text/plain", new Dictionary<string, string> { [ApiKeyTags.TenantId] = "contoso", [ApiKeyTags.MaskedHint] = "••••a9F2" }, null),
            default);
        return stored.Version;
    }
}
