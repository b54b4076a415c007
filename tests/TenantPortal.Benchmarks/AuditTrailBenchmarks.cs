using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Features.Audit;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Benchmarks;

/// <summary>Audit trail load scripts: chained appends per second, and the first filtered page over a large trail.</summary>
internal static class AuditTrailBenchmarks
{
    private static readonly string[] ParameterNames =
        ["$at", "$tid", "$oid", "$name", "$role", "$tenant", "$action", "$outcome", "$correlation", "$ip", "$ua", "$chain", "$seq", "$prev", "$hash"];

    private static readonly Dictionary<string, string?> Quiet = new() { ["Logging:LogLevel:Default"] = "Warning" };

    public static async Task AppendsAsync(int appends, int chains)
    {
        await using var portal = await PortalServices.StartAsync(settings: Quiet);
        var audit = portal.Get<AuditTrail>();
        for (var i = 0; i < 200; i++)
        {
            await audit.AppendAsync(audit.Create(PortalActor.System, "Bench.Warmup", AuditOutcome.Succeeded, $"warm-{i % chains}"), default);
        }

        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < appends; i++)
        {
            await audit.AppendAsync(audit.Create(PortalActor.System, "Bench.Append", AuditOutcome.Succeeded, $"chain-{i % chains}",
                reason: "benchmark"), default);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        Console.WriteLine($"Chained audit appends, SQLite, {appends:N0} appends over {chains} chain(s)");
        Console.WriteLine($"  one caller, each append awaited:      {appends / elapsed.TotalSeconds,8:N0} appends/s ({elapsed.TotalMilliseconds / appends:0.000} ms each)");

        foreach (var callers in new[] { 4, 16, 64 })
        {
            var next = -1;
            started = Stopwatch.GetTimestamp();
            await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < appends)
                {
                    await audit.AppendAsync(audit.Create(PortalActor.System, "Bench.Append", AuditOutcome.Succeeded, $"chain-{i % chains}",
                        reason: "benchmark"), default);
                }
            }));
            elapsed = Stopwatch.GetElapsedTime(started);
            Console.WriteLine($"  {callers,2} concurrent callers (group commit): {appends / elapsed.TotalSeconds,8:N0} appends/s");
        }

        var verify = Stopwatch.GetTimestamp();
        var result = await portal.Get<AuditVerifier>().VerifyAsync("chain-0", default);
        Console.WriteLine($"  verified chain-0: {result.EventsChecked:N0} events, intact={result.IsIntact}, {Stopwatch.GetElapsedTime(verify).TotalMilliseconds:0} ms");
    }

    public static async Task QueryAsync(int rows, int tenants)
    {
        await using var portal = await PortalServices.StartAsync(settings: Quiet);
        var generated = Stopwatch.GetTimestamp();
        await GenerateAsync(portal, rows, tenants);
        Console.WriteLine($"Generated {rows:N0} chained audit rows over {tenants:N0} tenants in {Stopwatch.GetElapsedTime(generated).TotalSeconds:0.0} s");

        var service = portal.Get<AuditService>();
        var scenarios = new (string Label, AuditFilter Filter)[]
        {
            ("support, one tenant", new AuditFilter(TenantId: "tenant-00042")),
            ("support, one tenant, denied only", new AuditFilter(TenantId: "tenant-00042", Outcome: AuditOutcome.Denied)),
            ("support, last 7 days", new AuditFilter(From: PortalServices.Start.AddDays(-7))),
            ("support, one action, last 30 days", new AuditFilter(Action: "ApiKey.Submit", From: PortalServices.Start.AddDays(-30))),
            ("support, everything", new AuditFilter()),
        };
        foreach (var (label, filter) in scenarios)
        {
            var samples = new double[30];
            for (var i = 0; i < samples.Length + 3; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var page = await service.GetPageAsync(TestPersonas.SupportReader, new AuditQuery(0, 25, filter), default);
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (i >= 3)
                {
                    samples[i - 3] = ms;
                }

                if (page is null || page.Items.Count == 0)
                {
                    throw new InvalidOperationException($"No rows for '{label}'.");
                }
            }

            SubmitOverhead.Report($"first page of 25: {label}", samples);
        }

        var tenantAdminSamples = new double[30];
        for (var i = 0; i < tenantAdminSamples.Length; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await service.GetPageAsync(TestPersonas.ContosoAdmin, new AuditQuery(0, 25, new AuditFilter()), default);
            tenantAdminSamples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        SubmitOverhead.Report("first page of 25: tenant admin, own tenant", tenantAdminSamples);
    }

    /// <summary>Valid chains (so the verifier and the exports work on them), inserted in one prepared-statement transaction.</summary>
    private static async Task GenerateAsync(PortalServices portal, int rows, int tenants)
    {
        var heads = new Dictionary<string, (long Sequence, string Hash)>();
        var actions = new[] { "ApiKey.Submit", "ApiKey.View", "Auth.SignIn", "Audit.Viewed", "Support.Overview", "ApiKey.Rotate", "Audit.Exported" };
        var outcomes = new[] { AuditOutcome.Requested, AuditOutcome.Succeeded, AuditOutcome.Succeeded, AuditOutcome.Denied, AuditOutcome.Failed };
        var start = PortalServices.Start.AddDays(-365);
        var step = TimeSpan.FromTicks(TimeSpan.FromDays(365).Ticks / rows);
        var time = new Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter();

        await using var db = portal.CreateDbContext();
        var connection = (Microsoft.Data.Sqlite.SqliteConnection)db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var transaction = (Microsoft.Data.Sqlite.SqliteTransaction)await connection.BeginTransactionAsync();
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText =
            "INSERT INTO AuditEvents (OccurredAt, ActorTenantId, ActorObjectId, ActorName, ActorRole, TenantId, Action, Outcome, CorrelationId, ClientIp, UserAgent, ChainId, Sequence, PreviousHash, Hash) " +
            "VALUES ($at, $tid, $oid, $name, $role, $tenant, $action, $outcome, $correlation, $ip, $ua, $chain, $seq, $prev, $hash)";
        var parameters = ParameterNames.ToDictionary(n => n, n => insert.Parameters.Add(new Microsoft.Data.Sqlite.SqliteParameter { ParameterName = n }));
        insert.Prepare();
        for (var i = 0; i < rows; i++)
        {
            var tenant = i % 10 == 0 ? "contoso" : $"tenant-{i % tenants:00000}";
            var (sequence, previous) = heads.TryGetValue(tenant, out var head) ? head : (0L, AuditChains.Genesis);
            var e = new AuditEvent
            {
                OccurredAt = start + (step * i), ActorTenantId = Guid.Empty, ActorObjectId = Guid.Empty, ActorName = $"User {i % 997}",
                ActorRole = "Tenant.Admin", TenantId = tenant, Action = actions[(i / 3) % actions.Length], Outcome = outcomes[(i / 7) % outcomes.Length],
                CorrelationId = $"{i:x32}", ClientIp = "10.0.0.1", UserAgent = "bench", ChainId = tenant,
                Sequence = sequence + 1, PreviousHash = previous,
            };
            e.Hash = AuditHash.Compute(e);
            heads[tenant] = (e.Sequence, e.Hash);
            parameters["$at"].Value = time.ConvertToProvider(e.OccurredAt);
            parameters["$tid"].Value = e.ActorTenantId.ToString()!.ToUpperInvariant();
            parameters["$oid"].Value = e.ActorObjectId.ToString()!.ToUpperInvariant();
            parameters["$name"].Value = e.ActorName;
            parameters["$role"].Value = e.ActorRole;
            parameters["$tenant"].Value = e.TenantId;
            parameters["$action"].Value = e.Action;
            parameters["$outcome"].Value = e.Outcome.ToString();
            parameters["$correlation"].Value = e.CorrelationId;
            parameters["$ip"].Value = e.ClientIp;
            parameters["$ua"].Value = e.UserAgent;
            parameters["$chain"].Value = e.ChainId;
            parameters["$seq"].Value = e.Sequence;
            parameters["$prev"].Value = e.PreviousHash;
            parameters["$hash"].Value = e.Hash;
            await insert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        db.AuditChainHeads.AddRange(heads.Select(h => new AuditChainHead { ChainId = h.Key, Sequence = h.Value.Sequence, Hash = h.Value.Hash }));
        await db.SaveChangesAsync();
        await db.Database.ExecuteSqlRawAsync("ANALYZE;");
        var check = await portal.Get<AuditVerifier>().VerifyAsync("tenant-00042", default);
        Console.WriteLine($"  generated chain tenant-00042 verifies: intact={check.IsIntact}, {check.EventsChecked:N0} events");
    }
}
