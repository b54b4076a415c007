using System.Globalization;
using BenchmarkDotNet.Running;
using TenantPortal.Benchmarks;

// dotnet run -c Release --project tests/TenantPortal.Benchmarks -- submit [submits] [tenants]
// dotnet run -c Release --project tests/TenantPortal.Benchmarks -- keyreader-hit
// dotnet run -c Release --project tests/TenantPortal.Benchmarks -- keyreader-load [seconds] [calls/s] [tenants] [ttl seconds] [none|throttle|outage]
var suite = args.FirstOrDefault() ?? "submit";
int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
switch (suite)
{
    case "submit":
        await SubmitOverhead.RunAsync(submits: Arg(1, 2000), tenants: Arg(2, 200));
        break;
    case "keyreader-hit":
        BenchmarkRunner.Run<KeyReaderCacheHit>(args: args[1..]);
        break;
    case "keyreader-load":
        await KeyReaderLoad.RunAsync(seconds: Arg(1, 60), rate: Arg(2, 10_000), tenants: Arg(3, 1000),
            cacheTtl: TimeSpan.FromSeconds(Arg(4, 300)), fault: args.Length > 5 ? args[5] : "none");
        break;
    default:
        Console.Error.WriteLine($"Unknown suite '{suite}'. Suites: submit, keyreader-hit, keyreader-load");
        return 2;
}

return 0;
