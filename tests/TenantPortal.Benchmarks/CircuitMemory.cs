using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TenantPortal.Tests.TestHost;

namespace TenantPortal.Benchmarks;

/// <summary>
/// Live managed heap per open Blazor circuit: the portal's key page against the .NET Blazor template's Counter page
/// (<c>tests/TenantPortal.Benchmarks.TemplateApp</c>), in one run. Each app runs in a process of its own, as it is
/// built (Development: the portal on its embedded defaults in a temporary folder, signed in as a development persona);
/// headless Chromium opens <c>warm-up</c> circuits (one-time costs: caches, compiled queries, the first render), then N
/// more, each in a tab of its own, and waits until each is interactive. A gcdump (dotnet-gcdump, which forces a full
/// GC) is taken before and after the N: KB per circuit is the live-heap growth over N. The dumps are kept, and the
/// types that grew most are printed per circuit (the same diff as <c>dotnet-gcdump report</c> on both files).
/// </summary>
internal static partial class CircuitMemory
{
    private const string KeyPage = "/tenants/contoso/api-key";
    private const string HomePage = "/";
    private const string CounterPage = "/counter";

    public static async Task RunAsync(int circuits, int warmUp, int versions, string? dumpFolder)
    {
        var root = RepositoryRoot();
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // bin/<configuration>/net10.0
        var gcdump = GcDumpTool();
        dumpFolder ??= Path.Combine(Path.GetTempPath(), "tenantportal-circuits-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dumpFolder);
        var appData = TempDirectory.Create();
        try
        {
            await RunInAsync(root, configuration, gcdump, appData, circuits, warmUp, versions, dumpFolder);
        }
        finally
        {
            TempDirectory.Delete(appData);
        }
    }

    private static async Task RunInAsync(string root, string configuration, string gcdump, string appData, int circuits, int warmUp, int versions, string dumpFolder)
    {

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        });

        Console.WriteLine($"Circuits: {circuits} measured after {warmUp} warm-up per app, key with {versions} versions ({configuration} build, gcdumps in {dumpFolder})");
        var portalRoot = Path.Combine(root, "src", "TenantPortal.Web");
        var portalAssembly = Path.Combine(portalRoot, "bin", configuration, "net10.0", "TenantPortal.Web.dll");
        var portalSettings = new Dictionary<string, string>
        {
            ["Logging__LogLevel__Default"] = "Warning",
            ["Api__RateLimits__WritesPerTenantPerMinute"] = "10000",
            ["Api__RateLimits__RequestsPerClientPerMinute"] = "100000",
        };
        // Each portal measurement starts a portal of its own on a fresh folder.
        var portal = await MeasureAsync(new AppUnderTest("portal key page", portalRoot, portalAssembly, KeyPage,
            new Dictionary<string, string>(portalSettings) { ["AppData__Path"] = Path.Combine(appData, "key-page") },
            (url, ct) => StoreVersionsAsync(url, versions, ct), OpenKeyPageAsync), browser, gcdump, circuits, warmUp, dumpFolder);
        var shell = await MeasureAsync(new AppUnderTest("portal home page", portalRoot, portalAssembly, HomePage,
            new Dictionary<string, string>(portalSettings) { ["AppData__Path"] = Path.Combine(appData, "home-page") },
            (_, _) => Task.CompletedTask, OpenHomePageAsync), browser, gcdump, circuits, warmUp, dumpFolder);
        var template = await MeasureAsync(new AppUnderTest(
            "template Counter",
            Path.Combine(root, "tests", "TenantPortal.Benchmarks.TemplateApp"),
            Path.Combine(root, "tests", "TenantPortal.Benchmarks.TemplateApp", "bin", configuration, "net10.0", "TenantPortal.Benchmarks.TemplateApp.dll"),
            CounterPage,
            new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning" },
            (_, _) => Task.CompletedTask,
            OpenCounterAsync), browser, gcdump, circuits, warmUp, dumpFolder);

        Console.WriteLine();
        Console.WriteLine($"  {"page",-18} {"KB/circuit",11} {"heap before",12} {"heap after",12}");
        foreach (var m in new[] { portal, shell, template })
        {
            Console.WriteLine($"  {m.Name,-18} {m.KilobytesPerCircuit,11:N0} {m.Before.TotalBytes / 1024.0 / 1024.0,9:N1} MB {m.After.TotalBytes / 1024.0 / 1024.0,9:N1} MB");
        }

        Console.WriteLine($"  portal / template: {portal.KilobytesPerCircuit / template.KilobytesPerCircuit:0.00}x (target: at most 1.40x)");
        PrintTypeDiff(portal, circuits);
        PrintTypeDiff(shell, circuits);
        PrintTypeDiff(template, circuits);
    }

    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    private static async Task<Measurement> MeasureAsync(AppUnderTest app, IBrowser browser, string gcdump, int circuits, int warmUp, string dumpFolder)
    {
        if (!File.Exists(app.Assembly))
        {
            throw new FileNotFoundException($"{app.Assembly} is not built; build the solution in the benchmark's configuration first.");
        }

        var port = FreePort();
        var baseUrl = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = app.ContentRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(app.Assembly);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = baseUrl;
        foreach (var (name, value) in app.Environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await WaitUntilServingAsync(baseUrl, process, output);
            await app.PrepareAsync(baseUrl, CancellationToken.None);
            var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl, ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
            var pages = new List<IPage>();
            for (var i = 0; i < warmUp; i++)
            {
                pages.Add(await app.OpenAsync(context, i == 0));
            }

            // Let the circuits just opened settle (render batches acknowledged, connections idle) before each dump,
            // so that neither counts work in flight.
            await Task.Delay(Settle);
            var before = await DumpAsync(gcdump, process.Id, Path.Combine(dumpFolder, $"{Slug(app.Name)}-before.gcdump"));
            for (var i = 0; i < circuits; i++)
            {
                pages.Add(await app.OpenAsync(context, pages.Count == 0));
            }

            await Task.Delay(Settle);
            var after = await DumpAsync(gcdump, process.Id, Path.Combine(dumpFolder, $"{Slug(app.Name)}-after.gcdump"));
            Console.WriteLine($"  {app.Name}: {pages.Count} circuits open, {(after.TotalBytes - before.TotalBytes) / 1024.0 / circuits:N0} KB per circuit");
            await context.DisposeAsync();
            return new Measurement(app.Name, before, after, (after.TotalBytes - before.TotalBytes) / 1024.0 / circuits);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }

    /// <summary>Versions through the automation API, so the page shows a current key, a previous one in its grace period and a history.</summary>
    private static async Task StoreVersionsAsync(string baseUrl, int versions, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
        using var tokenResponse = await http.PostAsync(new Uri("/dev/api-token?tenant=contoso", UriKind.Relative), null, cancellationToken);
        tokenResponse.EnsureSuccessStatusCode();
        var token = await tokenResponse.Content.ReadAsStringAsync(cancellationToken);
        for (var i = 0; i < versions; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, "/api/v1/tenants/contoso/api-key")
            {
                Content = new StringContent($$"""{"value":"sk_test_circuits_{{i}}_0123456789abcdef"}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Trim('"'));
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                throw new InvalidOperationException($"Storing a key for the benchmark answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }
        }
    }

    private static async Task<IPage> OpenKeyPageAsync(IBrowserContext context, bool first)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(KeyPage);
        if (first)
        {
            // The protected page sends the first tab to the persona picker and back; the cookie serves the rest.
            await page.Locator("[data-testid=persona-contoso-admin]").ClickAsync();
            await page.WaitForURLAsync("**" + KeyPage);
        }

        await page.Locator("[data-testid=interactive]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        await page.Locator("[data-testid=masked-hint]").WaitForAsync();
        return page;
    }

    private static async Task<IPage> OpenHomePageAsync(IBrowserContext context, bool first)
    {
        var page = await context.NewPageAsync();
        if (first)
        {
            await page.GotoAsync(KeyPage);
            await page.Locator("[data-testid=persona-contoso-admin]").ClickAsync();
            await page.WaitForURLAsync("**" + KeyPage);
        }

        await page.GotoAsync(HomePage);
        await page.Locator("[data-testid=interactive]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        await page.Locator("[data-testid=signed-in-user]").WaitForAsync();
        return page;
    }

    private static async Task<IPage> OpenCounterAsync(IBrowserContext context, bool first)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(CounterPage);
        // A prerendered button ignores clicks until the circuit is up: click until the count moves.
        await page.WaitForFunctionAsync(
            "() => { document.querySelector('button.btn-primary').click(); return !document.querySelector('[role=status]').textContent.endsWith(': 0'); }",
            null, new PageWaitForFunctionOptions { PollingInterval = 100 });
        return page;
    }

    private static async Task WaitUntilServingAsync(string baseUrl, Process process, StringBuilder output)
    {
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The app stopped at start:{Environment.NewLine}{output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/", UriKind.Relative));
                return;
            }
            catch (HttpRequestException) when (deadline.Elapsed < TimeSpan.FromMinutes(2))
            {
                await Task.Delay(200);
            }
        }
    }

    private static async Task<HeapDump> DumpAsync(string gcdump, int processId, string file)
    {
        File.Delete(file);
        await RunToolAsync(gcdump, "collect", "-p", processId.ToString(CultureInfo.InvariantCulture), "-o", file);
        var report = await RunToolAsync(gcdump, "report", file);
        var types = new Dictionary<string, (long Bytes, long Count)>();
        foreach (var line in report.Split('\n'))
        {
            var match = ReportLine().Match(line);
            if (match.Success)
            {
                var bytes = long.Parse(match.Groups["bytes"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
                var count = long.Parse(match.Groups["count"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
                var type = match.Groups["type"].Value.Trim();
                // The report's size column is per object (of the largest in a size group): times the count, an upper estimate.
                types[type] = types.TryGetValue(type, out var seen) ? (seen.Bytes + bytes * count, seen.Count + count) : (bytes * count, count);
            }
        }

        var total = TotalLine().Match(report);
        if (!total.Success)
        {
            throw new InvalidOperationException($"dotnet-gcdump report gave no total:{Environment.NewLine}{report}");
        }

        return new HeapDump(long.Parse(total.Groups["bytes"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture), types);
    }

    private static void PrintTypeDiff(Measurement m, int circuits)
    {
        Console.WriteLine();
        Console.WriteLine($"  {m.Name}: types that grew most per circuit (bytes: an upper estimate from the report's size column; objects: exact)");
        var grown = m.After.Types
            .Select(t => (Type: t.Key, Bytes: t.Value.Bytes - (m.Before.Types.TryGetValue(t.Key, out var b) ? b.Bytes : 0),
                Count: t.Value.Count - (m.Before.Types.TryGetValue(t.Key, out var c) ? c.Count : 0)))
            .OrderByDescending(t => t.Bytes)
            .Take(25);
        foreach (var (type, bytes, count) in grown)
        {
            Console.WriteLine($"    {bytes / (double)circuits,10:N0} B {count / (double)circuits,8:N1}  {(type.Length > 150 ? type[..150] + "…" : type)}");
        }
    }

    private static async Task<string> RunToolAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stderr}{await stdout}");
        }

        return await stdout;
    }

    private static string GcDumpTool()
    {
        var home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-gcdump");
        return Environment.GetEnvironmentVariable("DOTNET_GCDUMP") ?? (File.Exists(home) ? home : "dotnet-gcdump");
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "TenantPortal.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmark from the repository's build output (TenantPortal.sln not found above it).");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Slug(string name) => name.Replace(' ', '-');

    // "    1,234,567       12,345  System.String" (bytes, count, type) in dotnet-gcdump report's table.
    [GeneratedRegex(@"^\s*(?<bytes>[\d,]+)\s+(?<count>[\d,]+)\s+(?<type>\S.*)$")]
    private static partial Regex ReportLine();

    // "  40,000,000  GC Heap bytes" at the top of the report.
    [GeneratedRegex(@"(?<bytes>[\d,]+)\s+GC Heap bytes")]
    private static partial Regex TotalLine();

    private sealed record AppUnderTest(
        string Name,
        string ContentRoot,
        string Assembly,
        string Path,
        Dictionary<string, string> Environment,
        Func<string, CancellationToken, Task> PrepareAsync,
        Func<IBrowserContext, bool, Task<IPage>> OpenAsync);

    private sealed record HeapDump(long TotalBytes, Dictionary<string, (long Bytes, long Count)> Types);

    private sealed record Measurement(string Name, HeapDump Before, HeapDump After, double KilobytesPerCircuit);
}
