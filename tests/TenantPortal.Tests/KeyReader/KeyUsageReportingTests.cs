using System.Net;
using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TenantPortal.KeyReader;
using TenantPortal.Tests.TestHost;

namespace TenantPortal.Tests.KeyReader;

/// <summary>
/// The reader's usage reports on a fake clock: counts per tenant and version, one batch an interval, retries with the
/// same batch id, a portal that never answers (held at a gate) against a bounded queue, and no value anywhere.
/// </summary>
public sealed class KeyUsageReportingTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private static readonly Uri PortalUri = new("https://portal.test/");
    private const string AppIdUri = "api://tenantportal-test";

    private readonly PortalReceiver _portal = new();
    private readonly List<string> _scopes = [];
    private KeyVaultReaderHarness _h = null!;
    private int _ticks;

    public Task InitializeAsync() => StartAsync();

    public async Task DisposeAsync()
    {
        _portal.Answer = null;
        await _h.DisposeAsync();
    }

    private async Task StartAsync(Action<TenantApiKeyReaderOptions>? configure = null)
    {
        _h = await KeyVaultReaderHarness.StartAsync(
            o =>
            {
                o.Credential = new RecordingCredential(o.Credential!, _scopes);
                o.UsageReporting.PortalUri = PortalUri;
                o.UsageReporting.PortalAppIdUri = AppIdUri;
                configure?.Invoke(o);
            },
            configureServices: s => s.AddHttpClient(KeyReaderServiceCollectionExtensions.UsageReportingHttpClientName)
                .ConfigurePrimaryHttpMessageHandler(() => _portal));
    }

    public void Dispose() => _portal.Dispose();

    private KeyUsageSender Sender => _h.Sender!;

    /// <summary>Moves the clock to the next interval's end (one interval unless told) and waits for the sender's tick (its gathering and the start of a send).</summary>
    private async Task TickAsync(TimeSpan? by = null)
    {
        var ticked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnTick() => ticked.TrySetResult();
        Sender.Ticked += OnTick;
        try
        {
            _h.Time.Advance(by ?? Interval);
            await ticked.Task.WaitAsync(TimeSpan.FromSeconds(30));
            _ticks++;
        }
        finally
        {
            Sender.Ticked -= OnTick;
        }
    }

    /// <summary>A tick whose send reaches the portal and is answered: the next tick finds no send running.</summary>
    private async Task<ReceivedReport> TickAndReceiveAsync(TimeSpan? by = null)
    {
        var sent = NextSendAsync();
        await TickAsync(by);
        var report = await _portal.NextAsync();
        await sent;
        return report;
    }

    private Task<KeyUsageSendOutcome> NextSendAsync()
    {
        var sent = new TaskCompletionSource<KeyUsageSendOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSent(KeyUsageSendOutcome outcome)
        {
            sent.TrySetResult(outcome);
            Sender.Sent -= OnSent;
        }

        Sender.Sent += OnSent;
        return sent.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Reports_UsesAndRejections_OneBatchAnIntervalPerTenantAndVersion()
    {
        var contosoVersion = (await _h.RotateAsync("contoso", "contoso-value-1")).Version;
        var fabrikamVersion = (await _h.RotateAsync("fabrikam", "fabrikam-value-1")).Version;
        var keys = _h.Provider; // the sender's first interval starts now
        var start = _h.Time.GetUtcNow();

        await keys.GetApiKeyAsync("contoso");
        await keys.GetApiKeyAsync("contoso");
        _h.Time.Advance(TimeSpan.FromSeconds(10));
        await keys.GetApiKeyAsync("Contoso");
        keys.ReportRejected("contoso", contosoVersion);
        _h.Time.Advance(TimeSpan.FromSeconds(5));
        keys.ReportRejected("CONTOSO", contosoVersion);
        await keys.GetApiKeyAsync("fabrikam");
        var first = await TickAndReceiveAsync(Interval - TimeSpan.FromSeconds(15));

        await keys.GetApiKeyAsync("contoso"); // start + 1 min
        _h.Time.Advance(Interval / 2);        // no tick half-way
        var second = await TickAndReceiveAsync(Interval / 2);

        Assert.Equal(HttpMethod.Post, first.Method);
        Assert.Equal(new Uri("https://portal.test/api/v1/key-usage"), first.Uri);
        Assert.Equal("Bearer " + KeyVaultFake.ReaderToken, first.Authorization);
        Assert.Equal("application/json; charset=utf-8", first.ContentType);
        Assert.Equal(0, first.DroppedEntries);
        Assert.Collection(first.Entries,
            contoso =>
            {
                Assert.Equal("contoso", contoso["tenantId"]!.GetValue<string>());
                Assert.Equal(contosoVersion, contoso["version"]!.GetValue<string>());
                Assert.Equal(3, contoso["uses"]!.GetValue<long>());
                Assert.Equal(start.AddSeconds(10), contoso["lastUsedAt"]!.GetValue<DateTimeOffset>());
                Assert.Equal(2, contoso["rejections"]!.GetValue<long>());
                Assert.Equal(start.AddSeconds(10), contoso["firstRejectedAt"]!.GetValue<DateTimeOffset>());
                Assert.Equal(start.AddSeconds(15), contoso["lastRejectedAt"]!.GetValue<DateTimeOffset>());
            },
            fabrikam =>
            {
                Assert.Equal("fabrikam", fabrikam["tenantId"]!.GetValue<string>());
                Assert.Equal(fabrikamVersion, fabrikam["version"]!.GetValue<string>());
                Assert.Equal(1, fabrikam["uses"]!.GetValue<long>());
                Assert.Equal(start.AddSeconds(15), fabrikam["lastUsedAt"]!.GetValue<DateTimeOffset>());
                Assert.Equal(0, fabrikam["rejections"]!.GetValue<long>());
                Assert.Null(fabrikam["firstRejectedAt"]);
            });
        var again = Assert.Single(second.Entries);
        Assert.Equal(("contoso", 1L, start.AddMinutes(1), 0L),
            (again["tenantId"]!.GetValue<string>(), again["uses"]!.GetValue<long>(), again["lastUsedAt"]!.GetValue<DateTimeOffset>(), again["rejections"]!.GetValue<long>()));
        Assert.NotEqual(first.BatchId, second.BatchId);
        Assert.Equal(2, _portal.Reports.Count);
        Assert.Equal(2, _ticks);
        // The backend's own identity, for the portal's API, once: the token is kept until it is due for renewal.
        Assert.Equal([AppIdUri + "/.default"], _scopes.Where(s => !s.StartsWith("https://vault.azure.net", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Reports_PortalAnswers503_SameBatchIdAndBodyNextInterval_NewCountsInTheBatchAfter()
    {
        var keys = _h.Provider;
        await _h.RotateAsync("contoso", "contoso-value-1");
        await keys.GetApiKeyAsync("contoso");
        _portal.Answer = (_, _) => Task.FromResult(PortalReceiver.Status(HttpStatusCode.ServiceUnavailable));
        var failed = NextSendAsync();
        await TickAsync();
        var refused = await _portal.NextAsync();
        Assert.Equal(KeyUsageSendResult.NotDelivered, (await failed).Kind);

        await keys.GetApiKeyAsync("contoso");
        await keys.GetApiKeyAsync("contoso");
        _portal.Answer = null;
        var delivered = NextSendAsync();
        await TickAsync();
        var retried = await _portal.NextAsync();
        Assert.Equal(KeyUsageSendResult.Delivered, (await delivered).Kind);
        var next = await TickAndReceiveAsync();

        Assert.Equal(refused.BatchId, retried.BatchId);
        Assert.Equal(refused.Body, retried.Body);
        Assert.Equal(1, Assert.Single(retried.Entries)["uses"]!.GetValue<long>());
        Assert.NotEqual(retried.BatchId, next.BatchId);
        Assert.Equal(2, Assert.Single(next.Entries)["uses"]!.GetValue<long>());
        var warning = Assert.Single(_h.LogsAt(LogLevel.Warning));
        Assert.Contains($"Key usage report {refused.BatchId} did not reach the portal (503 unavailable: The portal says no.)", warning.Message, StringComparison.Ordinal);
        Assert.Contains(_h.LogsAt(LogLevel.Information), r => r.Message.StartsWith("Key usage reports reach the portal again after 00:01:00", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reports_PortalNeverAnswers_ReaderNeverWaits_OldestDroppedWithOneWarning_CountInTheNextReport()
    {
        await DisposeAsync();
        await StartAsync(o =>
        {
            o.CacheTtl = TimeSpan.FromDays(1); // the test's intervals must not expire the cached key
            o.UsageReporting.MaxPendingEntries = 4;
            o.UsageReporting.MaxBatchEntries = 2;
            o.UsageReporting.SendTimeout = TimeSpan.FromMinutes(5); // longer than the test holds the portal
        });
        await _h.RotateAsync("contoso", "contoso-value-1");
        var keys = _h.Provider;
        await keys.GetApiKeyAsync("contoso");
        var gate = new TaskCompletionSource();
        _portal.Answer = PortalReceiver.HeldAt(gate.Task, HttpStatusCode.ServiceUnavailable);
        keys.ReportRejected("contoso", "v2");
        await TickAsync();                          // batch A (contoso's current version and v2) goes out and is held
        var held = await _portal.NextAsync();
        var held0 = Sender.HeldEntries;

        var heldAfterTicks = new List<int>();
        foreach (var version in new[] { "v3", "v4", "v5", "v6" })
        {
            keys.ReportRejected("contoso", version); // returns at once, whatever the portal does
            await TickAsync();
            heldAfterTicks.Add(Sender.HeldEntries);
        }

        // A portal that does not answer changes nothing for callers: the key is served from the cache at once.
        var servedAtOnce = keys.GetApiKeyAsync("contoso").IsCompletedSuccessfully;
        var failed = NextSendAsync();
        gate.SetResult();                           // A is answered 503: kept, to be sent again
        Assert.Equal(KeyUsageSendResult.NotDelivered, (await failed).Kind);
        _portal.Answer = null;
        keys.ReportRejected("contoso", "v7");
        var delivered = NextSendAsync();
        await TickAsync();                          // full: A goes whole (it is the oldest); B is the two oldest left
        var afterOutage = await _portal.NextAsync();
        await delivered;
        var last = await TickAndReceiveAsync();

        Assert.Equal(2, held.Entries.Count);
        Assert.Equal(2, held0);
        Assert.True(servedAtOnce);
        // v3 waits (3 held); v4 fills it (4); v5 drops v3 and v6 drops v4 (the oldest waiting: A is still being sent).
        Assert.Equal([3, 4, 4, 4], heldAfterTicks);
        Assert.Equal(4, afterOutage.DroppedEntries);
        Assert.Equal(["v5", "v6"], afterOutage.Entries.Select(e => e["version"]!.GetValue<string>()));
        Assert.Equal(0, last.DroppedEntries);
        var rest = last.Entries.Select(e => (e["version"]!.GetValue<string>(), e["uses"]!.GetValue<long>(), e["rejections"]!.GetValue<long>())).ToList();
        Assert.Equal(2, rest.Count);
        Assert.Contains(("v7", 0L, 1L), rest);
        Assert.Contains(rest, e => e.Item1 != "v7" && e.Item2 == 1 && e.Item3 == 0);
        var dropping = Assert.Single(_h.LogsAt(LogLevel.Warning), r => r.Message.StartsWith("Key usage entries are being dropped", StringComparison.Ordinal));
        Assert.Contains("at most 4 are kept", dropping.Message, StringComparison.Ordinal);
        Assert.Single(_h.LogsAt(LogLevel.Warning), r => r.Message.Contains("did not reach the portal", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reports_NoAnswerWithinTheSendTimeout_SentAgainWithTheSameBatchId()
    {
        await DisposeAsync();
        await StartAsync(o => o.UsageReporting.SendTimeout = TimeSpan.FromSeconds(30));
        await _h.RotateAsync("contoso", "contoso-value-1");
        var keys = _h.Provider;
        await keys.GetApiKeyAsync("contoso");
        _portal.Answer = PortalReceiver.HeldAt(new TaskCompletionSource().Task, HttpStatusCode.OK);
        var timedOut = NextSendAsync();
        await TickAsync();
        var first = await _portal.NextAsync();
        _h.Time.Advance(TimeSpan.FromSeconds(30));
        var outcome = await timedOut;
        _portal.Answer = null;
        var retried = await TickAndReceiveAsync(Interval - TimeSpan.FromSeconds(30));

        Assert.Equal((KeyUsageSendResult.NotDelivered, "no answer within 00:00:30"), (outcome.Kind, outcome.Reason));
        Assert.Equal(first.BatchId, retried.BatchId);
        Assert.Equal(first.Body, retried.Body);
    }

    [Fact]
    public async Task Reports_PortalRefusesTheBatch_DroppedAndCountedInTheNextReport()
    {
        var keys = _h.Provider;
        await _h.RotateAsync("contoso", "contoso-value-1");
        await keys.GetApiKeyAsync("contoso");
        keys.ReportRejected("fabrikam", "abc");
        _portal.Answer = (_, _) => Task.FromResult(PortalReceiver.Status(HttpStatusCode.BadRequest, "entry_invalid"));
        var refused = NextSendAsync();
        await TickAsync();
        await _portal.NextAsync();
        Assert.Equal(KeyUsageSendResult.Refused, (await refused).Kind);
        _portal.Answer = null;
        await keys.GetApiKeyAsync("contoso");
        var next = await TickAndReceiveAsync();

        Assert.Equal(2, next.DroppedEntries);
        Assert.Single(next.Entries);
        Assert.Contains(_h.LogsAt(LogLevel.Error), r => r.Message.Contains("(400 entry_invalid: The portal says no.); its 2 entries are dropped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dispose_SendsTheLastCounts()
    {
        await _h.RotateAsync("contoso", "contoso-value-1");
        await _h.Provider.GetApiKeyAsync("contoso");
        _h.Provider.ReportRejected("contoso", "abc");

        var logs = _h.Logs;
        await _h.DisposeAsync();

        Assert.DoesNotContain(logs.GetSnapshot(), r => r.Level >= LogLevel.Warning);
        var report = Assert.Single(_portal.Reports);
        Assert.Equal([1L, 0L], report.Entries.Select(e => e["uses"]!.GetValue<long>()).OrderByDescending(u => u));
        await StartAsync(); // for DisposeAsync
    }

    [Fact]
    public async Task Reports_IdleVersionLeavesTheTable_ItsNextUseCountsInAFreshCell()
    {
        var version = (await _h.RotateAsync("contoso", "contoso-value-1")).Version;
        var keys = (TenantApiKeyProvider)_h.Provider;
        await keys.GetApiKeyAsync("contoso");
        await TickAndReceiveAsync();
        await TickAsync(); // nothing used in this interval: the cell is retired, nothing is sent
        var tableAfterIdle = keys.UsageCells;

        await keys.GetApiKeyAsync("contoso"); // a cache hit on the entry that still holds the retired cell
        await keys.GetApiKeyAsync("contoso");
        var report = await TickAndReceiveAsync();

        Assert.Equal(0, tableAfterIdle);
        Assert.Equal(2, _portal.Reports.Count);
        var entry = Assert.Single(report.Entries);
        Assert.Equal((version, 2L), (entry["version"]!.GetValue<string>(), entry["uses"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Reports_TenantEvictedFromTheCache_KeepsItsCountsInOneCell_UnknownIdsMakeNoCells()
    {
        await DisposeAsync();
        await StartAsync(o => o.MaxCachedTenants = 2);
        var contoso = (await _h.RotateAsync("contoso", "contoso-value-1")).Version;
        await _h.RotateAsync("fabrikam", "fabrikam-value-1");
        await _h.RotateAsync("northwind", "northwind-value-1");
        var keys = (TenantApiKeyProvider)_h.Provider; // the sender's first interval starts now
        await keys.GetApiKeyAsync("contoso");
        await keys.GetApiKeyAsync("contoso");
        _h.Time.Advance(TimeSpan.FromSeconds(2));
        await keys.GetApiKeyAsync("fabrikam");
        await keys.GetApiKeyAsync("northwind"); // over the cap: contoso, the least recently used, is evicted

        await keys.GetApiKeyAsync("contoso");   // read from the store again, counted in the cell it left behind
        for (var i = 0; i < 20; i++)
        {
            await Assert.ThrowsAsync<TenantApiKeyNotFoundException>(() => keys.GetApiKeyAsync($"ghost-{i:D2}"));
        }

        var cells = keys.UsageCells;
        var report = await TickAndReceiveAsync(Interval - TimeSpan.FromSeconds(2));

        Assert.Equal(4 + 20, _h.ReaderReads);
        Assert.Equal(3, cells);
        Assert.InRange(keys.CachedTenants, 1, 2);
        Assert.Equal(["contoso:3", "fabrikam:1", "northwind:1"],
            report.Entries.Select(e => $"{e["tenantId"]!.GetValue<string>()}:{e["uses"]!.GetValue<long>()}").Order(StringComparer.Ordinal));
        Assert.Equal(contoso, report.Entries.Single(e => e["tenantId"]!.GetValue<string>() == "contoso")["version"]!.GetValue<string>());
    }

    [Fact]
    public async Task Reports_CanaryValues_NeverInAReportOrALog()
    {
        var canaries = new[] { "CANARY-usage-" + Guid.NewGuid().ToString("N"), "CANARY-usage-" + Guid.NewGuid().ToString("N") };
        var keys = _h.Provider;
        var first = (await _h.RotateAsync("contoso", canaries[0])).Version;
        await keys.GetApiKeyAsync("contoso");
        keys.ReportRejected("contoso", first);
        keys.Invalidate("contoso");
        _h.Time.Advance(TimeSpan.FromSeconds(2));
        keys.Invalidate("contoso");
        var second = await _h.RotateAsync("contoso", canaries[1]);
        Assert.Equal(second.Version, (await keys.GetApiKeyAsync("contoso")).Version);
        _portal.Answer = (_, _) => Task.FromResult(PortalReceiver.Status(HttpStatusCode.ServiceUnavailable));
        await TickAndReceiveAsync();
        _portal.Answer = null;
        await TickAndReceiveAsync();

        var everything = string.Join("\n", _portal.Reports.Select(r => r.Body + r.Authorization).Concat(_h.AllLogText()));
        Assert.Equal(2, _portal.Reports.Count);
        Assert.Contains(first, everything, StringComparison.Ordinal);
        foreach (var canary in canaries)
        {
            Assert.DoesNotContain(canary, everything, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ReportRejected_BadVersionOrTenant_ThrowsArgumentException_AndWithReportingOffDoesNothing()
    {
        var keys = _h.Provider;
        Assert.Throws<ArgumentException>(() => keys.ReportRejected("contoso", ""));
        Assert.Throws<ArgumentException>(() => keys.ReportRejected("contoso", "v1/../x"));
        Assert.Throws<ArgumentException>(() => keys.ReportRejected("contoso", new string('a', 65)));
        Assert.Throws<ArgumentNullException>(() => keys.ReportRejected("contoso", null!));
        Assert.Throws<ArgumentException>(() => keys.ReportRejected("con toso", "abc"));

        await using var off = await KeyVaultReaderHarness.StartAsync();
        off.Provider.ReportRejected("contoso", "abc");
        Assert.Null(off.Sender);
    }

    private sealed class RecordingCredential(TokenCredential inner, List<string> scopes) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (scopes)
            {
                scopes.AddRange(requestContext.Scopes);
            }

            return inner.GetToken(requestContext, cancellationToken);
        }

        public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (scopes)
            {
                scopes.AddRange(requestContext.Scopes);
            }

            return await inner.GetTokenAsync(requestContext, cancellationToken);
        }
    }
}
