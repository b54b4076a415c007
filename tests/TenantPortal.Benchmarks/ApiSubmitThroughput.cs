extern alias portal;

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Azure.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Auth.AppTokens;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Benchmarks;

/// <summary>
/// Key submits through the automation API: the real portal (Program.cs's pipeline, Production by default, behind the
/// test Entra issuer and Microsoft.Identity.Web's bearer handler) on Kestrel over HTTPS on 127.0.0.1, the Key Vault
/// store talking to the protocol fake, SQLite. Concurrent clients each PUT to tenants of their own. Each request's
/// store write is timed server-side (as in <c>submit</c>) and subtracted from the client's end-to-end time.
/// </summary>
internal static class ApiSubmitThroughput
{
    /// <summary>Numbers each request so the server-side timings can be matched to the client's; the portal ignores it.</summary>
    private const string SubmitHeader = "X-Benchmark-Submit";

    /// <param name="rate">0: closed loop, each client sends its next submit when the last is answered (the most the portal
    /// takes). Otherwise an offered load of that many submits a second across the clients, each on a fixed schedule, and
    /// latency counted from the scheduled moment, so a stall is not hidden by the clients slowing down with it.</param>
    public static async Task RunAsync(int submits, int tenants, int clients, string mode, bool breakdown, int rate = 0)
    {
        var production = mode switch
        {
            "production" => true,
            "development" => false,
            _ => throw new ArgumentException($"The mode is 'production' (the test Entra issuer) or 'development' (the development token issuer), not '{mode}'."),
        };
        await using var vault = await KeyVaultFake.StartAsync(pageSize: 25);
        await using var issuer = production ? await TestOidcIssuer.StartAsync() : null;
        var timing = new RequestTiming();
        // Where a request's time goes in the database (EF Core's diagnostic events): only when asked, as it costs a little.
        using var database = breakdown ? DiagnosticListener.AllListeners.Subscribe(new DatabaseTimer(timing)) : null;
        using var portal = new ApiPortal(production, issuer, vault, timing);
        using var certificate = KeyVaultFake.CreateCertificate();
        var address = ServeOverHttps(portal, certificate);

        var targets = await OnboardAsync(portal, issuer, tenants);
        var http = Clients(clients, address, certificate);
        // Client c submits to tenants c, c + clients, c + 2·clients, … in turn: no two clients share a tenant, so the
        // per-tenant key lock never makes one client wait for another, and a tenant has at most one submit in flight.
        var own = Enumerable.Range(0, clients).Select(c => targets.Where((_, i) => i % clients == c).ToArray()).ToArray();

        // Warm-up as in `submit`: rounds until the JIT has settled (and every tenant has rotated at least twice).
        var next = 0;
        long compiledInRound;
        do
        {
            var compiledBefore = JitInfo.GetCompiledMethodCount();
            await RunPhaseAsync(http, own, next, SubmitOverhead.WarmUpRound);
            next += SubmitOverhead.WarmUpRound;
            compiledInRound = JitInfo.GetCompiledMethodCount() - compiledBefore;
        }
        while ((compiledInRound > SubmitOverhead.SettledMethodsPerRound || next < 2 * tenants) && next < SubmitOverhead.MaxWarmUp);

        var warmUp = next;
        Console.Error.WriteLine($"Warmed up after {warmUp:N0} submits; measuring {submits:N0} (process {Environment.ProcessId}).");
        timing.Requests.Clear();
        var compiled = JitInfo.GetCompiledMethodCount();
        var collections = GC.CollectionCount(0);
        var paused = GC.GetTotalPauseDuration();
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var writerBefore = timing.WriterHeld;
        using var threads = new ThreadPoolSampler();
        var started = Stopwatch.GetTimestamp();
        var total = await RunPhaseAsync(http, own, next, submits, rate);
        var wall = Stopwatch.GetElapsedTime(started);
        var writer = (Held: timing.WriterHeld.Held - writerBefore.Held, Transactions: timing.WriterHeld.Transactions - writerBefore.Transactions);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        threads.Dispose();
        var allocatedInRun = GC.GetTotalAllocatedBytes() - allocatedBefore;
        next += submits;
        var compiledInRun = JitInfo.GetCompiledMethodCount() - compiled;
        var collectionsInRun = GC.CollectionCount(0) - collections;
        var pausedInRun = GC.GetTotalPauseDuration() - paused;

        var measured = Enumerable.Range(warmUp, submits).Select(i => timing.Requests[i]).ToArray();
        var endToEnd = total.Select(t => t.TotalMilliseconds).ToArray();
        var store = measured.Select(s => s.StoreWrite.TotalMilliseconds).ToArray();
        var overhead = endToEnd.Zip(store, (e, s) => e - s).ToArray();
        var overheadBoth = measured.Select((s, i) => endToEnd[i] - s.StoreWrite.TotalMilliseconds - s.Listing.TotalMilliseconds).ToArray();
        var server = measured.Select(s => s.Server.TotalMilliseconds).ToArray();
        var listing = measured.Select(s => s.Listing.TotalMilliseconds).ToArray();

        // Allocations as in `submit` need one submit at a time (process-wide counters): a short pass with one client.
        var allocated = new double[Math.Min(submits, 400)];
        for (var i = 0; i < allocated.Length; i++, next++)
        {
            timing.LastAllocated = 0;
            var before = GC.GetTotalAllocatedBytes();
            await SubmitAsync(http[0], own[0][i % own[0].Length], next);
            allocated[i] = (GC.GetTotalAllocatedBytes() - before - timing.LastAllocated) / 1024.0;
        }

        Console.WriteLine($"API key submits (PUT {ApiKeyEndpointsRoute}) over HTTPS to Kestrel on 127.0.0.1, {(production
            ? "Production, app-only tokens from the test Entra issuer (Microsoft.Identity.Web)"
            : "Development, tokens from the development token issuer")}; Key Vault store against the protocol fake, SQLite");
        Console.WriteLine($"  {submits:N0} submits over {tenants:N0} tenants by {clients} concurrent clients{(rate > 0 ? $" at an offered {rate} submits/s (latency from each scheduled send)" : ", closed loop")}, after {warmUp:N0} warm-up submits; " +
            $"{Environment.ProcessorCount} cores, load average {LoadAverage()}");
        Console.WriteLine($"  {(GCSettings.IsServerGC ? "server" : "workstation")} GC; during the run: {compiledInRun:N0} methods compiled, " +
            $"{collectionsInRun:N0} collections, {pausedInRun.TotalMilliseconds:N0} ms paused in GC");
        Console.WriteLine($"  {"throughput",-40} {submits / wall.TotalSeconds,7:0} submits/s ({wall.TotalSeconds:0.00} s wall clock)");
        Console.WriteLine($"  {"CPU per submit (whole process)",-40} {cpu.TotalMilliseconds / submits,7:0.00} ms (client, portal and vault fake; {cpu.TotalSeconds / wall.TotalSeconds:0.00} of {Environment.ProcessorCount} cores used)");
        Console.WriteLine($"  {"thread pool",-40} {threads.MeanThreads,7:0} threads on average (max {threads.MaxThreads}), {threads.MeanQueued:0} work items queued on average (max {threads.MaxQueued})");
        SubmitOverhead.Report("end to end (client)", endToEnd);
        SubmitOverhead.Report("end to end − store write", overhead);
        SubmitOverhead.Report("end to end − store write and listing", overheadBoth);
        SubmitOverhead.Report("store write (SecretClient → fake)", store);
        SubmitOverhead.Report("in the portal's pipeline (server)", server);
        SubmitOverhead.Report("version listing after the write", listing);
        if (breakdown)
        {
            SubmitOverhead.Report("database: BEGIN (waits for the writer)", measured.Select(s => s.Begin.TotalMilliseconds).ToArray());
            SubmitOverhead.Report("database: commands", measured.Select(s => s.Commands.TotalMilliseconds).ToArray());
            SubmitOverhead.Report("database: COMMIT", measured.Select(s => s.Commit.TotalMilliseconds).ToArray());
            SubmitOverhead.Report("pipeline − database − store calls", measured
                .Select(s => (s.Server - s.Begin - s.Commands - s.Commit - s.StoreWrite - s.Listing).TotalMilliseconds).ToArray());
            Console.WriteLine($"  {"database: write transactions held",-40} {writer.Held.TotalMilliseconds / submits,7:0.00} ms per submit, {writer.Transactions / (double)submits:0.00} transactions " +
                $"per submit, {writer.Held / wall:P0} of the wall clock (BEGIN's end to COMMIT's end, group commits included; autocommit writes not counted)");
            Console.WriteLine($"  {"per submit (mean)",-40} {measured.Average(s => s.CommandCount),7:0.0} commands, {measured.Average(s => s.ConnectionCount):0.0} connections opened, " +
                $"{measured.Average(s => s.SaveCount):0.0} SaveChanges (the audit writer's group commits are not in the request)");
        }

        Console.WriteLine($"  {"allocated, mean per submit",-40} {allocated.Average(),7:0} KB (one client at a time, process-wide incl. HttpClient, minus the store write); " +
            $"{allocatedInRun / (double)submits / 1024,0:0} KB during the concurrent run, everything in the process");
    }

    private const string ApiKeyEndpointsRoute = TenantPortal.Web.Features.ApiKeys.Api.ApiKeyEndpoints.RoutePrefix;

    private sealed record Target(string TenantId, string Token);

    /// <summary>Runs <paramref name="count"/> submits numbered from <paramref name="first"/>, every client at once; returns each one's end-to-end time.</summary>
    private static async Task<TimeSpan[]> RunPhaseAsync(HttpClient[] http, Target[][] own, int first, int count, int rate = 0)
    {
        var times = new TimeSpan[count];
        var taken = -1;
        var origin = Stopwatch.GetTimestamp();
        await Task.WhenAll(http.Select(async (client, c) =>
        {
            for (var turn = 0; ; turn++)
            {
                var i = Interlocked.Increment(ref taken);
                if (i >= count)
                {
                    return;
                }

                var started = Stopwatch.GetTimestamp();
                if (rate > 0)
                {
                    // Client c's turn-th send is due at (c + turn·clients) / rate seconds after the start.
                    started = origin + (long)((c + (double)turn * http.Length) / rate * Stopwatch.Frequency);
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), started);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait);
                    }
                }

                await SubmitAsync(client, own[c][turn % own[c].Length], first + i);
                times[i] = Stopwatch.GetElapsedTime(started);
            }
        }));
        return times;
    }

    /// <summary>
    /// The first authenticated requests a freshly started portal gets, all at once, as a new instance gets them when it
    /// scales out under load: <paramref name="requests"/> clients (each on its own HTTPS connection, opened beforehand
    /// with an anonymous <c>/health/live</c>) send one <c>GET</c> of their tenant's key status together, while Entra's
    /// discovery document takes <paramref name="metadataDelayMs"/> to arrive, as over the internet. <paramref name="issuerCheck"/>
    /// <c>as-shipped</c> is the portal as it is; <c>library-default</c> removes the issuer templates, leaving
    /// Microsoft.Identity.Web's issuer check to fetch the metadata itself and wait for it on its thread.
    /// </summary>
    public static async Task ColdStartAsync(int requests, int metadataDelayMs, string issuerCheck)
    {
        var libraryDefault = issuerCheck switch
        {
            "as-shipped" => false,
            "library-default" => true,
            _ => throw new ArgumentException($"The issuer check is 'as-shipped' or 'library-default', not '{issuerCheck}'."),
        };
        await using var vault = await KeyVaultFake.StartAsync(pageSize: 25);
        await using var issuer = await TestOidcIssuer.StartAsync();
        issuer.MetadataDelay = TimeSpan.FromMilliseconds(metadataDelayMs);
        using var portal = new ApiPortal(true, issuer, vault, new RequestTiming(), libraryDefault
            ? services => services.PostConfigure<Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerOptions>(
                AppTokenAuthentication.Scheme, o => o.TokenValidationParameters.ValidIssuers = null)
            : null);
        using var certificate = KeyVaultFake.CreateCertificate();
        var address = ServeOverHttps(portal, certificate);
        var targets = await OnboardAsync(portal, issuer, requests, PortalAppRoles.ApiKeysRead);
        var http = Clients(requests, address, certificate, TimeSpan.FromMinutes(5));
        await Task.WhenAll(http.Select(async client => (await client.GetAsync("/health/live")).EnsureSuccessStatusCode()));
        var threadsBefore = ThreadPool.ThreadCount;

        var started = Stopwatch.GetTimestamp();
        using var threads = new ThreadPoolSampler();
        var latencies = await Task.WhenAll(targets.Select(async (target, i) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, ApiKeyEndpointsRoute.Replace("{tenantId}", target.TenantId, StringComparison.Ordinal));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", target.Token);
            using var response = await http[i].SendAsync(request);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"The status request for {target.TenantId} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }

            return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }));
        threads.Dispose();
        foreach (var client in http)
        {
            client.Dispose();
        }

        Console.WriteLine($"Cold start: {requests} first authenticated requests at once (GET {ApiKeyEndpointsRoute}, app-only tokens, Production), " +
            $"Entra's discovery document answered after {metadataDelayMs} ms; issuer check {issuerCheck}; {Environment.ProcessorCount} cores, load average {LoadAverage()}");
        Console.WriteLine($"  discovery documents fetched: {issuer.MetadataRequests}");
        Console.WriteLine($"  thread pool: {threadsBefore} threads before, {threads.MaxThreads} at most during, {ThreadPool.ThreadCount} after; at most {threads.MaxQueued} work items queued");
        SubmitOverhead.Report("answered after (from the common start)", latencies);
    }

    /// <summary>Starts the portal on Kestrel over HTTPS on 127.0.0.1 (a free port) with <paramref name="certificate"/>; its address.</summary>
    private static Uri ServeOverHttps(ApiPortal portal, X509Certificate2 certificate)
    {
        portal.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        portal.StartServer();
        return new Uri(portal.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    /// <summary>
    /// One HttpClient (its own handler, so its own keep-alive connection) per client, trusting only <paramref name="certificate"/>:
    /// each stands for a separate pipeline, and no client waits on another's connection pool.
    /// </summary>
    private static HttpClient[] Clients(int count, Uri address, X509Certificate2 certificate, TimeSpan? timeout = null)
    {
        var thumbprint = certificate.Thumbprint;
        return Enumerable.Range(0, count).Select(_ =>
        {
            var client = new HttpClient(new SocketsHttpHandler
            {
                SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert?.GetCertHashString() == thumbprint },
                PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            }) { BaseAddress = address };
            if (timeout is { } limit)
            {
                client.Timeout = limit;
            }

            return client;
        }).ToArray();
    }

    private static async Task SubmitAsync(HttpClient client, Target target, int number)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, ApiKeyEndpointsRoute.Replace("{tenantId}", target.TenantId, StringComparison.Ordinal));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", target.Token);
        request.Headers.Add(SubmitHeader, number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Content = new StringContent($"{{\"value\":\"sk_live_benchmark_{number:0000000}_{Guid.NewGuid():N}\"}}", Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Submit {number} to {target.TenantId} answered {(int)response.StatusCode}: {body}");
        }
    }

    /// <summary>Tenants each with a directory of its own and an automation app there holding ApiKeys.Rotate; one token per tenant.</summary>
    private static async Task<Target[]> OnboardAsync(ApiPortal portal, TestOidcIssuer? issuer, int count, params string[] roles)
    {
        var directories = new List<(string TenantId, Guid Directory)>(count);
        await using (var db = portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext())
        {
            for (var i = 0; i < count; i++)
            {
                var tid = Guid.NewGuid();
                var id = $"bench-{i:00000}";
                var tenant = new Tenant { Id = id, DisplayName = $"Bench {i:00000}", CreatedAt = DateTimeOffset.UtcNow };
                tenant.Directories.Add(new TenantDirectory { EntraTenantId = tid, TenantId = id });
                db.Tenants.Add(tenant);
                directories.Add((id, tid));
            }

            await db.SaveChangesAsync();
        }

        var targets = new Target[count];
        var development = issuer is null ? portal.Services.GetRequiredService<DevelopmentAppTokens>() : null;
        for (var i = 0; i < count; i++)
        {
            var (tenantId, directory) = directories[i];
            targets[i] = new Target(tenantId, issuer is not null
                ? await issuer.RequestAppTokenAsync(TestApp.In(directory, roles.Length == 0 ? [PortalAppRoles.ApiKeysRotate] : roles))
                : development!.Issue(directory, Guid.NewGuid().ToString(), roles.Length == 0 ? [PortalAppRoles.ApiKeysRotate] : roles));
        }

        return targets;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>The whole portal as Program.cs composes it, its secret store timed per request.</summary>
    private sealed class ApiPortal(bool production, TestOidcIssuer? issuer, KeyVaultFake vault, RequestTiming timing, Action<IServiceCollection>? configure = null)
        : WebApplicationFactory<portal::Program>
    {
        private readonly string _dataDirectory = TempDirectory.Create();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            var settings = new Dictionary<string, string?>
            {
                ["AppData:Path"] = _dataDirectory,
                ["Logging:LogLevel:Default"] = "Warning",
                ["SecretStore:Provider"] = "AzureKeyVault",
                ["SecretStore:VaultUri"] = vault.VaultUri.ToString(),
                ["Api:RateLimits:WritesPerTenantPerMinute"] = "10000",
                ["Api:RateLimits:RequestsPerClientPerMinute"] = "100000",
            };
            if (production)
            {
                settings["Authentication:HomeTenantId"] = Guid.NewGuid().ToString();
                settings["Database:MigrateAtStartup"] = "true";
                settings[KeyRingProtection.CertificatePathKey] = KeyRingCertificates.WriteShared(Path.Combine(_dataDirectory, "key-ring-certificate.pfx"));
                settings[KeyRingProtection.CertificatePasswordKey] = KeyRingCertificates.Password;
                foreach (var (key, value) in issuer!.PortalSettings())
                {
                    settings[key] = value;
                }
            }

            builder.UseEnvironment(production ? Environments.Production : Environments.Development);
            // WebApplicationFactory looks for its manifest in the current directory, which `dotnet run` leaves where it was.
            builder.UseContentRoot(WebProjectDirectory());
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureTestServices(services =>
            {
                issuer?.TrustFromPortal(services);
                services.AddSingleton<TokenCredential>(vault.Credential);
                services.PostConfigure<SecretStoreOptions>(o => o.ConfigureClient = vault.ConfigureClient);
                services.AddSingleton<ISecretStore>(sp => new ListingTimedStore(SubmitOverhead.TimedVaultStore(sp, timing), timing));
                services.AddSingleton<IStartupFilter>(new PipelineTimer(timing));
                configure?.Invoke(services);
            });
        }

        private static string WebProjectDirectory()
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "TenantPortal.sln")))
            {
                directory = directory.Parent;
            }

            return Path.Combine(directory?.FullName ?? throw new InvalidOperationException("TenantPortal.sln not found above the benchmark's output."), "src", "TenantPortal.Web");
        }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            TempDirectory.Delete(_dataDirectory);
        }
    }

    private sealed class RequestSample
    {
        public TimeSpan StoreWrite { get; set; }

        public TimeSpan Listing { get; set; }

        public TimeSpan Server { get; set; }

        public TimeSpan Begin { get; set; }

        public TimeSpan Commands { get; set; }

        public TimeSpan Commit { get; set; }

        public int CommandCount { get; set; }

        public int ConnectionCount { get; set; }

        public int SaveCount { get; set; }
    }

    /// <summary>EF Core's command and transaction durations, added to the request they run in.</summary>
    private sealed class DatabaseTimer(RequestTiming timing) : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>
    {
        private readonly ConcurrentDictionary<Guid, DateTimeOffset> _begun = new();

        public void OnNext(DiagnosticListener value)
        {
            if (value.Name == DbLoggerCategory.Name)
            {
                value.Subscribe(this, name => name == RelationalEventId.CommandExecuted.Name || name == RelationalEventId.TransactionStarted.Name
                    || name == RelationalEventId.TransactionCommitted.Name || name == RelationalEventId.TransactionRolledBack.Name
                    || name == RelationalEventId.TransactionDisposed.Name
                    || name == RelationalEventId.ConnectionOpened.Name
                    || name == CoreEventId.SaveChangesCompleted.Name);
            }
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            // SQLite's one writer: from the end of each BEGIN to the end of its COMMIT or ROLLBACK, for every transaction
            // (the audit writer's group commits too, which run in no request).
            if (value.Key == RelationalEventId.TransactionDisposed.Name && value.Value is TransactionEventData disposed)
            {
                // Disposed without a commit or a rollback (a failed save, a unit redone): held until now. After a commit it
                // was already counted.
                if (_begun.TryRemove(disposed.TransactionId, out var begunAt))
                {
                    timing.AddWriterHeld(disposed.StartTime - begunAt);
                }
            }
            else if (value.Value is TransactionEndEventData ended)
            {
                var at = ended.StartTime + ended.Duration;
                if (value.Key == RelationalEventId.TransactionStarted.Name)
                {
                    _begun[ended.TransactionId] = at;
                }
                else if (_begun.TryRemove(ended.TransactionId, out var begun))
                {
                    timing.AddWriterHeld(at - begun);
                }
            }

            if (timing.Current() is not { } sample)
            {
                return;
            }

            switch (value.Value)
            {
                case CommandExecutedEventData command:
                    sample.Commands += command.Duration;
                    sample.CommandCount++;
                    break;
                case ConnectionEndEventData:
                    sample.ConnectionCount++;
                    break;
                case SaveChangesCompletedEventData:
                    sample.SaveCount++;
                    break;
                case TransactionEndEventData transaction when value.Key == RelationalEventId.TransactionStarted.Name:
                    sample.Begin += transaction.Duration;
                    break;
                case TransactionEndEventData transaction when value.Key == RelationalEventId.TransactionCommitted.Name:
                    sample.Commit += transaction.Duration;
                    break;
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }

    /// <summary>The thread pool's size and queue, looked at every 20 ms.</summary>
    private sealed class ThreadPoolSampler : IDisposable
    {
        private readonly Timer _timer;
        private readonly object _gate = new();
        private long _samples;
        private long _threads;
        private long _queued;
        private bool _stopped;

        public ThreadPoolSampler() => _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(20));

        public int MaxThreads { get; private set; }

        public long MaxQueued { get; private set; }

        public double MeanThreads => _samples == 0 ? 0 : _threads / (double)_samples;

        public double MeanQueued => _samples == 0 ? 0 : _queued / (double)_samples;

        private void Sample()
        {
            lock (_gate)
            {
                if (_stopped)
                {
                    return;
                }

                var threads = ThreadPool.ThreadCount;
                var queued = ThreadPool.PendingWorkItemCount;
                _samples++;
                _threads += threads;
                _queued += queued;
                MaxThreads = Math.Max(MaxThreads, threads);
                MaxQueued = Math.Max(MaxQueued, queued);
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _stopped = true;
            }

            _timer.Dispose();
        }
    }

    /// <summary>Store calls attributed to the request they run in (one request's calls run one after another).</summary>
    private sealed class RequestTiming : SubmitOverhead.StoreTiming
    {
        private static readonly HttpContextAccessor Http = new();

        public ConcurrentDictionary<int, RequestSample> Requests { get; } = new();

        private long _writerHeldTicks;
        private long _transactions;

        /// <summary>Time SQLite's writer was held by transactions (BEGIN's end to COMMIT's end), and how many.</summary>
        public (TimeSpan Held, long Transactions) WriterHeld => (TimeSpan.FromTicks(Interlocked.Read(ref _writerHeldTicks)), Interlocked.Read(ref _transactions));

        public void AddWriterHeld(TimeSpan held)
        {
            Interlocked.Add(ref _writerHeldTicks, held.Ticks);
            Interlocked.Increment(ref _transactions);
        }

        public RequestSample? Current() =>
            Http.HttpContext?.Request.Headers[SubmitHeader] is [{ } number] && int.TryParse(number, out var n) ? Requests.GetOrAdd(n, _ => new RequestSample()) : null;

        public override void Add(TimeSpan elapsed, long allocated)
        {
            base.Add(elapsed, allocated);
            if (Current() is { } sample)
            {
                sample.StoreWrite += elapsed;
            }
        }
    }

    /// <summary>Times the version listings too (the key lifecycle lists after every write); not subtracted, as in <c>submit</c>.</summary>
    private sealed class ListingTimedStore(ISecretStore inner, RequestTiming timing) : ISecretStore
    {
        public Task<SecretVersionProperties> SetAsync(SecretName name, SecretValue value, SecretWriteOptions options, CancellationToken cancellationToken) =>
            inner.SetAsync(name, value, options, cancellationToken);

        public Task<SecretVersionProperties> UpdateVersionAsync(SecretName name, string version, SecretVersionUpdate update, CancellationToken cancellationToken) =>
            inner.UpdateVersionAsync(name, version, update, cancellationToken);

        public async IAsyncEnumerable<SecretVersionProperties> ListVersionsAsync(SecretName name, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var sample = timing.Current();
            var started = Stopwatch.GetTimestamp();
            await foreach (var version in inner.ListVersionsAsync(name, cancellationToken))
            {
                yield return version;
            }

            if (sample is not null)
            {
                sample.Listing += Stopwatch.GetElapsedTime(started);
            }
        }

        public Task CheckAvailabilityAsync(CancellationToken cancellationToken) => inner.CheckAvailabilityAsync(cancellationToken);
    }

    /// <summary>The time a request spends in the portal's pipeline, from the first middleware to the endpoint's end.</summary>
    private sealed class PipelineTimer(RequestTiming timing) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                var started = Stopwatch.GetTimestamp();
                await nextMiddleware(context);
                if (timing.Current() is { } sample)
                {
                    sample.Server = Stopwatch.GetElapsedTime(started);
                }
            });
            next(app);
        };
    }
}
