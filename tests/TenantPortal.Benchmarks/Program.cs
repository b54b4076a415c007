using System.Globalization;
using BenchmarkDotNet.Running;
using TenantPortal.Benchmarks;

// dotnet run -c Release --project tests/TenantPortal.Benchmarks -- <suite> [arguments]
//   submit [submits] [tenants]        the portal's own overhead per key submit (p50/p99)
//   api-submit [submits] [tenants] [clients] [production|development] [breakdown] [rate=N]   API submits/s through HTTP (p50/p99); rate=N: at an offered load
//   api-cold-start [requests] [metadata delay ms] [as-shipped|library-default]   a fresh portal's first authenticated requests, all at once
//   audit-append [appends] [chains]   chained audit appends per second on SQLite
//   audit-query [rows] [tenants]      the first filtered audit page over a large trail
//   rotation-sweep [tenants]          the rotation monitor's sweep over many tenants
//   reconcile-start [tenants]         vault calls in the first minute after a start (no sweep due, then the sweep due)
//   reconcile-day [tenants]           vault calls in a simulated day of reconciliation passes, nothing changing
//   support [tenants] [copy-db-to]    the support console: dashboard, rotation status list, search, lookup
//   keyreader-hit                     KeyReader cache-hit latency and allocations (BenchmarkDotNet)
//   keyreader-load [seconds] [calls/s] [tenants] [ttl seconds] [none|throttle|outage]
//   key-usage-ingest [entries] [batches]   POST /api/v1/key-usage with batches of N entries on SQLite
//   circuits [circuits] [warm-up] [versions] [gcdump-folder]   live heap per open circuit: the key page (and the shell) against the template's Counter
var suite = args.FirstOrDefault() ?? "submit";
int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
switch (suite)
{
    case "submit":
        await SubmitOverhead.RunAsync(submits: Arg(1, 2000), tenants: Arg(2, 200));
        break;
    case "api-submit":
        await ApiSubmitThroughput.RunAsync(submits: Arg(1, 4000), tenants: Arg(2, 200), clients: Arg(3, 16), mode: args.Length > 4 ? args[4] : "production",
            breakdown: args.Contains("breakdown"),
            rate: args.FirstOrDefault(a => a.StartsWith("rate=", StringComparison.Ordinal)) is { } r ? int.Parse(r[5..], System.Globalization.CultureInfo.InvariantCulture) : 0);
        break;
    case "api-cold-start":
        await ApiSubmitThroughput.ColdStartAsync(requests: Arg(1, 64), metadataDelayMs: Arg(2, 200), issuerCheck: args.Length > 3 ? args[3] : "as-shipped");
        break;
    case "rotation-sweep":
        await RotationMonitorSweep.RunAsync(Arg(1, 100_000));
        break;
    case "reconcile-start":
        await ReconciliationLoad.StartAsync(Arg(1, 5000));
        break;
    case "reconcile-day":
        await ReconciliationLoad.DayAsync(Arg(1, 100_000));
        break;
    case "keyreader-hit":
        BenchmarkRunner.Run<KeyReaderCacheHit>(args: args[1..]);
        break;
    case "keyreader-load":
        await KeyReaderLoad.RunAsync(seconds: Arg(1, 60), rate: Arg(2, 10_000), tenants: Arg(3, 1000),
            cacheTtl: TimeSpan.FromSeconds(Arg(4, 300)), fault: args.Length > 5 ? args[5] : "none");
        break;
    case "key-usage-ingest":
        await KeyUsageIngest.RunAsync(entries: Arg(1, 10_000), runs: Arg(2, 10));
        break;
    case "circuits":
        await CircuitMemory.RunAsync(circuits: Arg(1, 30), warmUp: Arg(2, 3), versions: Arg(3, 3), dumpFolder: args.Length > 4 ? args[4] : null);
        break;
    case "audit-append":
        await AuditTrailBenchmarks.AppendsAsync(Arg(1, 5000), Arg(2, 50));
        break;
    case "support":
        await SupportConsoleBenchmarks.RunAsync(Arg(1, 100_000), args.Length > 2 ? args[2] : null);
        break;
    case "explain":
        SqliteExplain.Run(args[1]);
        break;
    case "audit-query":
        await AuditTrailBenchmarks.QueryAsync(Arg(1, 1_000_000), Arg(2, 1000));
        break;
    default:
        Console.Error.WriteLine($"Unknown suite '{suite}'. Suites: submit, api-submit, api-cold-start, rotation-sweep, reconcile-start, reconcile-day, support, audit-append, audit-query, keyreader-hit, keyreader-load, key-usage-ingest, circuits");
        return 2;
}

return 0;
