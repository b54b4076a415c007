using TenantPortal.Benchmarks;

// dotnet run -c Release --project tests/TenantPortal.Benchmarks -- submit [submits] [tenants]
var suite = args.FirstOrDefault() ?? "submit";
switch (suite)
{
    case "submit":
        await SubmitOverhead.RunAsync(
            submits: args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2000,
            tenants: args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 200);
        break;
    default:
        Console.Error.WriteLine($"Unknown suite '{suite}'. Suites: submit");
        return 2;
}

return 0;
