using TenantPortal.Benchmarks;

// dotnet run -c Release --project tests/TenantPortal.Benchmarks -- <suite> [arguments]
//   submit [submits] [tenants]        the portal's own overhead per key submit (p50/p99)
//   audit-append [appends] [chains]   chained audit appends per second on SQLite
//   audit-query [rows] [tenants]      the first filtered audit page over a large trail
var suite = args.FirstOrDefault() ?? "submit";
switch (suite)
{
    case "submit":
        await SubmitOverhead.RunAsync(
            submits: args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2000,
            tenants: args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 200);
        break;
    case "audit-append":
        await AuditTrailBenchmarks.AppendsAsync(Arg(1, 5000), Arg(2, 50));
        break;
    case "audit-query":
        await AuditTrailBenchmarks.QueryAsync(Arg(1, 1_000_000), Arg(2, 1000));
        break;
    default:
        Console.Error.WriteLine($"Unknown suite '{suite}'. Suites: submit, audit-append, audit-query");
        return 2;
}

return 0;

int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], System.Globalization.CultureInfo.InvariantCulture) : fallback;
