using System.Data.Common;
using System.Diagnostics;
using CsvHelper;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Support;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Benchmarks;

/// <summary>
/// The support console over a mixed fleet on SQLite (<see cref="TenantFleet.GenerateMixedAsync"/>): the dashboard's
/// aggregates, the rotation status list's first and later pages for every sort and filter, searches, the lookup, a
/// timeline and the CSV export; each with the time per call (p50/p99 of 30 after 3 warm-ups) and the bytes allocated
/// per call, and the query plan SQLite chose for each statement it ran (EXPLAIN QUERY PLAN).
/// </summary>
internal static class SupportConsoleBenchmarks
{
    private const string KnownKey = "sk_live_benchmark_known_key_000001";
    private static readonly Dictionary<string, string?> Quiet = new() { ["Logging:LogLevel:Default"] = "Warning" };

    public static async Task RunAsync(int tenants, string? keepDatabaseAt)
    {
        var capture = new CommandCapture();
        var settings = new Dictionary<string, string?>(Quiet);
        if (Environment.GetEnvironmentVariable("SUPPORT_BENCH_SQL") == "1")
        {
            settings["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "Information";
        }

        var runs = Environment.GetEnvironmentVariable("SUPPORT_BENCH_SQL") == "1" ? 1 : 30;
        await using var portal = await PortalServices.StartAsync(s => s.AddSingleton<IInterceptor>(capture), settings);
        var generated = Stopwatch.GetTimestamp();
        var facts = await TenantFleet.GenerateMixedAsync(portal, tenants);
        string knownTenant;
        await using (var db = portal.CreateDbContext())
        {
            // One current version somewhere in the middle of the fleet gets the fingerprint of a key the lookup then pastes.
            var version = await db.ApiKeyVersions.Where(v => v.Status == ApiKeyVersionStatus.Current).OrderBy(v => v.Id)
                .Skip(tenants / 3).Select(v => new { v.Id, v.TenantId }).FirstAsync();
            knownTenant = version.TenantId;
            var fingerprint = await portal.Get<ApiKeyFingerprints>().ComputeAsync(new SecretValue(KnownKey), default);
            await db.ApiKeyVersions.Where(v => v.Id == version.Id).ExecuteUpdateAsync(s => s.SetProperty(v => v.Fingerprint, fingerprint));
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE)");
        }

        Console.WriteLine($"Support console, SQLite {SqliteVersion(portal)}: {tenants:N0} generated tenants (+3 seeded) in {Stopwatch.GetElapsedTime(generated).TotalSeconds:0.0} s");
        if (keepDatabaseAt is not null)
        {
            File.Copy(portal.DatabaseFile, keepDatabaseAt, overwrite: true);
            Console.WriteLine($"  database copied to {keepDatabaseAt}");
        }

        var support = portal.Get<SupportService>();
        var user = TestPersonas.SupportReader;
        var now = portal.Time.GetUtcNow();
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var plans = new List<(string Label, List<CapturedCommand> Commands)>();

        async Task MeasureAsync(string label, Func<Task> operation)
        {
            var samples = new double[runs];
            var allocated = new long[samples.Length];
            for (var i = runs == 1 ? 0 : -3; i < samples.Length; i++)
            {
                capture.Start();
                var bytes = GC.GetTotalAllocatedBytes(precise: true);
                var started = Stopwatch.GetTimestamp();
                await operation();
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                var used = GC.GetTotalAllocatedBytes(precise: true) - bytes;
                var commands = capture.Stop();
                if (i == (runs == 1 ? 0 : -3))
                {
                    plans.Add((label, commands));
                }

                if (i >= 0)
                {
                    samples[i] = ms;
                    allocated[i] = used;
                }
            }

            SubmitOverhead.Report(label, samples);
            Console.WriteLine($"  {"",-40} allocated {allocated.Order().ElementAt(allocated.Length / 2) / 1024.0,8:0.0} KB per call (median)");
        }

        async Task<RotationStatusPageResult> PageAsync(RotationStatusFilter filter, RotationStatusCursor? after = null)
        {
            var page = await support.GetRotationStatusPageAsync(user, new RotationStatusQuery(filter, 25, after), default)
                ?? throw new InvalidOperationException("Refused.");
            return page.Problem is null ? page : throw new InvalidOperationException(page.Problem);
        }

        Console.WriteLine();
        Console.WriteLine("Dashboard");
        await MeasureAsync("dashboard: counts, charts, deliveries, drift", async () => _ = await support.GetDashboardAsync(user, default));

        Console.WriteLine();
        Console.WriteLine("Rotation status list, first page of 25");
        var filters = new List<(string Label, RotationStatusFilter Filter)>
        {
            ("due date (default)", new()),
            ("due date, descending", new(Descending: true)),
            ("name", new(Sort: RotationStatusSort.Name)),
            ("name, descending", new(Sort: RotationStatusSort.Name, Descending: true)),
            ("status", new(Sort: RotationStatusSort.Status)),
            ("status, descending", new(Sort: RotationStatusSort.Status, Descending: true)),
            ("due in the next 30 days", new(DueFrom: today, DueBefore: today.AddDays(31))),
            ("due in the next 30 days, by name", new(DueFrom: today, DueBefore: today.AddDays(31), Sort: RotationStatusSort.Name)),
        };
        foreach (var status in Enum.GetValues<TenantKeyStatus>())
        {
            filters.Add(($"{status}, by due date", new(Status: status)));
            filters.Add(($"{status}, by name", new(Status: status, Sort: RotationStatusSort.Name)));
        }

        foreach (var (label, filter) in filters)
        {
            await MeasureAsync(label, async () => _ = await PageAsync(filter));
        }

        Console.WriteLine();
        Console.WriteLine("Rotation status list, later pages");
        foreach (var (label, filter) in filters.Where(f => f.Label is "due date (default)" or "name" or "status" or "Overdue, by name" or "Revoked, by name" or "NotSet, by name"))
        {
            var second = (await PageAsync(filter)).Next!;
            await MeasureAsync($"page 2: {label}", async () => _ = await PageAsync(filter, second));

            // Page 200: walked to once, then read again and again from its cursor.
            var cursor = second;
            for (var i = 2; i < 200 && cursor is not null; i++)
            {
                cursor = (await PageAsync(filter, cursor)).Next;
            }

            if (cursor is not null)
            {
                await MeasureAsync($"page 200: {label}", async () => _ = await PageAsync(filter, cursor));
            }
        }

        Console.WriteLine();
        Console.WriteLine("Search, first page of 25");
        var sample = facts.Samples[^1];
        var words = sample.Name.Split(' ');
        var searches = new List<(string Label, RotationStatusFilter Filter)>
        {
            ($"one letter \"{words[0][..1]}\"", new(Search: words[0][..1])),
            ($"one word \"{words[0]}\"", new(Search: words[0])),
            ($"two words \"{words[0]} {words[1]}\"", new(Search: $"{words[0]} {words[1]}")),
            ($"id prefix \"{sample.Id[..^2]}\"", new(Search: sample.Id[..^2])),
            ($"one word, by name", new(Search: words[0], Sort: RotationStatusSort.Name)),
            ($"one word, overdue only", new(Search: words[0], Status: TenantKeyStatus.Overdue)),
            ("no match \"zzz\"", new(Search: "zzz")),
        };
        foreach (var (label, filter) in searches)
        {
            await MeasureAsync(label, async () => _ = await PageAsync(filter));
        }

        Console.WriteLine();
        Console.WriteLine("Counts (\"N tenants match\", read after the first page)");
        foreach (var (label, filter) in filters.Where(f => f.Label is "due date (default)" or "due in the next 30 days").Concat(filters.Where(f => f.Label.EndsWith(", by due date", StringComparison.Ordinal))).Concat(searches.Take(3)))
        {
            await MeasureAsync($"count: {label}", async () => _ = await support.CountRotationStatusAsync(user, filter, default));
        }

        Console.WriteLine();
        Console.WriteLine("Whose key is this? and a timeline");
        await MeasureAsync("lookup: a stored key", async () =>
        {
            var result = await support.LookUpKeyAsync(user, new SecretValue(KnownKey), default);
            if (result?.Matches.Count != 1)
            {
                throw new InvalidOperationException("The known key was not found.");
            }
        });
        await MeasureAsync("lookup: an unknown key", async () => _ = await support.LookUpKeyAsync(user, new SecretValue("sk_live_nobody_has_this_one_0001"), default));
        await MeasureAsync($"timeline: {knownTenant}", async () => _ = await support.GetTimelineAsync(user, knownTenant, null, default));

        Console.WriteLine();
        Console.WriteLine("CSV export of every tenant (the service's rows through CsvHelper into a null stream)");
        for (var run = 0; run < 3; run++)
        {
            GC.Collect();
            var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
            var bytes = GC.GetTotalAllocatedBytes(precise: true);
            var started = Stopwatch.GetTimestamp();
            var export = await support.ExportRotationStatusAsync(user, new RotationStatusFilter(), default);
            var rows = 0;
            long peakHeap = 0;
            async IAsyncEnumerable<RotationStatusCsvRow> CountedAsync()
            {
                await foreach (var row in export!.Rows!)
                {
                    if (++rows % 10_000 == 0)
                    {
                        peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(forceFullCollection: false));
                    }

                    yield return RotationStatusCsvRow.From(row, export.At);
                }
            }

            await using (var csv = CsvWriter.Create(Stream.Null, CsvWriterOptions.Default with { Injection = CsvInjection.Escape }, true))
            {
                await csv.WriteRecordsAsync(CountedAsync(), default);
                await csv.FlushAsync(default);
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            Console.WriteLine($"  {rows:N0} rows in {elapsed.TotalMilliseconds:N0} ms; {(GC.GetTotalAllocatedBytes(precise: true) - bytes) / (double)rows:N0} bytes allocated per row; " +
                $"heap {heapBefore / 1048576.0:0.0} MB before, at most {peakHeap / 1048576.0:0.0} MB during");
        }

        Console.WriteLine();
        Console.WriteLine("Query plans (EXPLAIN QUERY PLAN, one run of each scenario)");
        foreach (var (label, commands) in plans)
        {
            Console.WriteLine($"  {label}");
            foreach (var command in commands.Where(c => c.Sql.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase))
                .DistinctBy(c => c.Sql))
            {
                Console.WriteLine($"    {string.Join(" | ", Explain(portal.DatabaseFile, command))}");
            }
        }
    }

    private static string SqliteVersion(PortalServices portal)
    {
        using var connection = new SqliteConnection($"Data Source={portal.DatabaseFile}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sqlite_version()";
        return (string)command.ExecuteScalar()!;
    }

    private static List<string> Explain(string database, CapturedCommand captured)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + captured.Sql;
        foreach (var (name, value) in captured.Parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        var lines = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            lines.Add(reader.GetString(3));
        }

        return lines;
    }

    private sealed record CapturedCommand(string Sql, List<(string Name, object? Value)> Parameters);

    /// <summary>Records the SQL the services run while a measurement is on, for its query plan.</summary>
    private sealed class CommandCapture : DbCommandInterceptor
    {
        private readonly Lock _lock = new();
        private List<CapturedCommand>? _commands;

        public void Start()
        {
            lock (_lock)
            {
                _commands = [];
            }
        }

        public List<CapturedCommand> Stop()
        {
            lock (_lock)
            {
                var commands = _commands ?? [];
                _commands = null;
                return commands;
            }
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            lock (_lock)
            {
                _commands?.Add(new CapturedCommand(command.CommandText,
                    command.Parameters.Cast<DbParameter>().Select(p => (p.ParameterName, (object?)p.Value)).ToList()));
            }

            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}

/// <summary>
/// <c>explain &lt;database&gt;</c>: EXPLAIN QUERY PLAN, with the portal's own SQLite, for the statements on standard
/// input (separated by lines holding only <c>;</c>; <c>-- @name=value</c> lines bind integer or text parameters).
/// </summary>
internal static class SqliteExplain
{
    public static void Run(string database)
    {
        var text = Console.In.ReadToEnd();
        using var connection = new SqliteConnection($"Data Source={database}");
        connection.Open();
        foreach (var statement in text.Split("\n;\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            using var command = connection.CreateCommand();
            var sql = new List<string>();
            foreach (var line in statement.Split('\n'))
            {
                if (line.StartsWith("-- @", StringComparison.Ordinal))
                {
                    var (name, value) = (line[3..line.IndexOf('=', StringComparison.Ordinal)], line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..]);
                    command.Parameters.AddWithValue(name, long.TryParse(value, out var number) ? number : value);
                }
                else
                {
                    sql.Add(line);
                }
            }

            var body = string.Join('\n', sql);
            command.CommandText = "EXPLAIN QUERY PLAN " + body;
            Console.WriteLine(body.Length > 200 ? body[..200] + "…" : body);
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    Console.WriteLine($"  {reader.GetString(3)}");
                }
            }

            command.CommandText = body;
            var started = Stopwatch.GetTimestamp();
            using (var reader = command.ExecuteReader())
            {
                var rows = 0;
                while (reader.Read())
                {
                    rows++;
                }

                Console.WriteLine($"  -> {rows} rows, {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.00} ms");
            }
        }
    }
}
