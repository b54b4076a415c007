extern alias portal;

using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.KeyHealth;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Benchmarks;

/// <summary>
/// <c>POST /api/v1/key-usage</c> with a batch of N entries (10,000 by default, the largest the portal takes) through the
/// real portal: Production, the test Entra issuer's client-credential token validated by Microsoft.Identity.Web, the
/// endpoint's parse and checks, the ingestion's lookups, upserts, batch record and audit row, on SQLite. In process
/// (the test server's handler): the figure is the portal's time, not a network's. Each measured batch names N
/// versions of N tenants; "new rows" batches name versions not reported before (N inserts), "existing rows" batches
/// the same versions again (N updates).
/// </summary>
internal static class KeyUsageIngest
{
    public static async Task RunAsync(int entries, int runs)
    {
        const int warmup = 3;
        await using var issuer = await TestOidcIssuer.StartAsync();
        var home = Guid.NewGuid();
        using var factory = new IngestPortal(issuer, home);
        _ = factory.Services;
        var sets = warmup + runs;
        Console.WriteLine($"Seeding {entries:N0} tenants with {sets} versions each...");
        await SeedAsync(factory, entries, sets);
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost") });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            await issuer.RequestAppTokenAsync(TestApp.In(home, PortalAppRoles.KeyUsageReport)));

        var now = DateTimeOffset.UtcNow.AddMinutes(-1);
        var inserts = new List<double>();
        var updates = new List<double>();
        for (var set = 0; set < sets; set++)
        {
            var body = Batch(entries, set, now);
            var fresh = await TimeAsync(client, body, entries);
            var again = await TimeAsync(client, Batch(entries, set, now), entries);
            if (set >= warmup)
            {
                inserts.Add(fresh);
                updates.Add(again);
            }
        }

        Console.WriteLine($"key-usage ingest, {entries:N0} entries a batch, {runs} batches each after {warmup} warm-up (load average {LoadAverage()}):");
        Print("new rows (inserts)", inserts);
        Print("existing rows (updates)", updates);
    }

    private static async Task<double> TimeAsync(HttpClient client, string body, int entries)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var started = Stopwatch.GetTimestamp();
        using var response = await client.PostAsync(KeyUsageEndpoint.Route, content);
        var answer = await response.Content.ReadAsStringAsync();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var accepted = response.IsSuccessStatusCode ? JsonNode.Parse(answer)!["accepted"]!.GetValue<int>() : -1;
        if (accepted != entries)
        {
            throw new InvalidOperationException($"The portal answered {(int)response.StatusCode}, {accepted} accepted: {answer}");
        }

        return elapsed;
    }

    private static string Batch(int entries, int set, DateTimeOffset at)
    {
        var builder = new StringBuilder(entries * 160);
        builder.Append("{\"batchId\":\"").Append(Guid.NewGuid()).Append("\",\"droppedEntries\":0,\"entries\":[");
        for (var i = 0; i < entries; i++)
        {
            builder.Append(i == 0 ? "" : ",")
                .Append("{\"tenantId\":\"").Append(TenantId(i)).Append("\",\"version\":\"").Append(Version(i, set))
                .Append("\",\"uses\":").Append(100 + i).Append(",\"lastUsedAt\":\"").Append(at.ToString("O")).Append('"');
            builder.Append(i % 10 == 0
                ? $",\"rejections\":3,\"firstRejectedAt\":\"{at.AddSeconds(-50):O}\",\"lastRejectedAt\":\"{at.AddSeconds(-5):O}\"}}"
                : ",\"rejections\":0}");
        }

        return builder.Append("]}").ToString();
    }

    private static string TenantId(int i) => $"bench-{i:00000}";

    private static string Version(int i, int set) => $"{set:x8}{i:x8}0123456789abcdef";

    private static async Task SeedAsync(IngestPortal factory, int tenants, int sets)
    {
        var contexts = factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var created = DateTimeOffset.UtcNow.AddDays(-10);
        for (var start = 0; start < tenants; start += 2000)
        {
            await using var db = contexts.CreateDbContext();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = start; i < Math.Min(tenants, start + 2000); i++)
            {
                db.Tenants.Add(new Tenant { Id = TenantId(i), DisplayName = $"Bench {i:00000}", CreatedAt = created });
                for (var set = 0; set < sets; set++)
                {
                    db.ApiKeyVersions.Add(new ApiKeyVersion
                    {
                        TenantId = TenantId(i),
                        StoreVersionId = Version(i, set),
                        Status = set == sets - 1 ? ApiKeyVersionStatus.Current : ApiKeyVersionStatus.Superseded,
                        CreatedAt = created.AddMinutes(set),
                        CreatedByName = "bench",
                        MaskedHint = "••••abcd",
                        Fingerprint = "bench",
                    });
                }
            }

            await db.SaveChangesAsync();
        }
    }

    private static void Print(string what, List<double> samples)
    {
        samples.Sort();
        Console.WriteLine($"  {what}: median {samples[samples.Count / 2]:F0} ms, min {samples[0]:F0} ms, max {samples[^1]:F0} ms ({string.Join(", ", samples.Select(s => s.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))})");
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private sealed class IngestPortal(TestOidcIssuer issuer, Guid home) : WebApplicationFactory<portal::Program>
    {
        private readonly string _dataDirectory = TempDirectory.Create();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            var settings = new Dictionary<string, string?>
            {
                ["AppData:Path"] = _dataDirectory,
                ["Logging:LogLevel:Default"] = "Warning",
                ["Authentication:HomeTenantId"] = home.ToString(),
                ["Database:MigrateAtStartup"] = "true",
                ["Reconciliation:Enabled"] = "false",
                ["Api:RateLimits:RequestsPerClientPerMinute"] = "100000",
                [KeyRingProtection.CertificatePathKey] = KeyRingCertificates.WriteShared(Path.Combine(_dataDirectory, "key-ring-certificate.pfx")),
                [KeyRingProtection.CertificatePasswordKey] = KeyRingCertificates.Password,
            };
            foreach (var (key, value) in issuer.PortalSettings())
            {
                settings[key] = value;
            }

            builder.UseEnvironment(Environments.Production);
            builder.UseContentRoot(WebProjectDirectory());
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureTestServices(issuer.TrustFromPortal);
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
}
