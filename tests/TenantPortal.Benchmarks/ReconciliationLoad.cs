using System.Diagnostics;
using Azure.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Benchmarks;

/// <summary>
/// Vault calls made by reconciliation, counted by the Key Vault protocol fake (every request it receives, the bearer
/// challenge included). <c>start</c>: the first minute of real time after a portal starts on a database of idle tenants,
/// once with no sweep due and once with the daily sweep due. <c>day</c>: a simulated day of passes on a fake clock, the
/// sweep due at its start, with nothing changing.
/// </summary>
internal static class ReconciliationLoad
{
    public static async Task StartAsync(int tenants)
    {
        var folder = TempDirectory.Create();
        try
        {
            await using var vault = await KeyVaultFake.StartAsync(pageSize: 25);
            await using (var setup = await StartPortalAsync(vault, folder, reconciliation: false, realClock: false))
            {
                await GenerateAsync(setup, vault, tenants);
                Console.WriteLine($"{tenants:N0} tenants with a current version each, in the database and the vault");
            }

            foreach (var sweepDue in new[] { false, true })
            {
                await SetScheduleAsync(folder, vault, sweepDue);
                var before = vault.Requests.Count;
                var started = Stopwatch.GetTimestamp();
                await using (var portal = await StartPortalAsync(vault, folder, reconciliation: true, realClock: true))
                {
                    // One minute of real time with the worker running; nothing else touches the vault.
                    await Task.Delay(TimeSpan.FromSeconds(60) - Stopwatch.GetElapsedTime(started));
                    var calls = vault.Requests.Count - before;
                    var listed = vault.Requests.Skip(before).Count(r => r.Path.EndsWith("/versions", StringComparison.Ordinal));
                    Console.WriteLine($"  start, {(sweepDue ? "daily sweep due" : "no sweep due  ")}: {calls,5:N0} vault calls in the first minute ({listed:N0} version listings)");
                }
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            TempDirectory.Delete(folder);
        }
    }

    public static async Task DayAsync(int tenants)
    {
        var folder = TempDirectory.Create();
        try
        {
            await using var vault = await KeyVaultFake.StartAsync(pageSize: 25);
            await using var portal = await StartPortalAsync(vault, folder, reconciliation: false, realClock: false);
            await GenerateAsync(portal, vault, tenants);
            await SetScheduleAsync(portal, sweepDue: true);
            await portal.Get<ISecretStore>().CheckAvailabilityAsync(default);
            var options = portal.Get<Microsoft.Extensions.Options.IOptions<ReconciliationOptions>>().Value;
            Console.WriteLine($"{tenants:N0} idle tenants; a pass may spend {options.CallsPerPass} vault calls, passes {options.PassInterval.TotalSeconds:0} s apart");

            var before = vault.Requests.Count;
            var end = portal.Time.GetUtcNow().AddDays(1);
            int passes = 0, sweepPasses = 0, maxPerPass = 0, drift = 0;
            TimeSpan? sweepTook = null;
            var sweepStart = portal.Time.GetUtcNow();
            var started = Stopwatch.GetTimestamp();
            while (portal.Time.GetUtcNow() < end)
            {
                var passBefore = vault.Requests.Count;
                await using (var scope = await portal.NewScopeAsync())
                {
                    var report = await scope.Get<ReconciliationScheduler>().RunPassAsync(default);
                    passes++;
                    sweepPasses += report.SweepTenantsChecked > 0 ? 1 : 0;
                    drift += report.VersionsRestored + report.VersionsMissing;
                    if (report.SweepCompleted)
                    {
                        sweepTook = portal.Time.GetUtcNow() - sweepStart;
                    }
                }

                maxPerPass = Math.Max(maxPerPass, vault.Requests.Count - passBefore);
                portal.Time.Advance(options.PassInterval);
            }

            var calls = vault.Requests.Count - before;
            Console.WriteLine($"  one day, nothing changing: {calls:N0} vault calls ({passes:N0} passes, {sweepPasses:N0} of them sweeping; " +
                $"at most {maxPerPass} calls in a pass = {maxPerPass / (options.VaultCallsPer10Seconds / 100.0):0.0}% of the vault's 10-second limit)");
            Console.WriteLine($"  the sweep took {sweepTook?.TotalMinutes:0} min of the day; drift found: {drift}; real time {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            TempDirectory.Delete(folder);
        }
    }

    private static Task<PortalServices> StartPortalAsync(KeyVaultFake vault, string folder, bool reconciliation, bool realClock) => PortalServices.StartAsync(
        services =>
        {
            services.AddSingleton<TokenCredential>(vault.Credential);
            services.PostConfigure<SecretStoreOptions>(o => o.ConfigureClient = vault.ConfigureClient);
            if (realClock)
            {
                services.AddSingleton(TimeProvider.System);
            }
        },
        new Dictionary<string, string?>
        {
            ["AppData:Path"] = folder,
            ["SecretStore:Provider"] = "AzureKeyVault",
            ["SecretStore:VaultUri"] = vault.VaultUri.ToString(),
            ["Reconciliation:Enabled"] = reconciliation ? "true" : "false",
            ["Logging:LogLevel:Default"] = "Warning",
        });

    /// <summary>The schedule as a running portal leaves it: the last sweep started an hour ago, or two days ago (one is due).</summary>
    private static async Task SetScheduleAsync(string folder, KeyVaultFake vault, bool sweepDue)
    {
        await using var portal = await StartPortalAsync(vault, folder, reconciliation: false, realClock: true);
        await SetScheduleAsync(portal, sweepDue);
    }

    private static async Task SetScheduleAsync(PortalServices portal, bool sweepDue)
    {
        var now = portal.Get<TimeProvider>().GetUtcNow();
        await using var db = portal.CreateDbContext();
        db.ReconciliationStates.RemoveRange(db.ReconciliationStates);
        db.ReconciliationStates.Add(new ReconciliationState
        {
            InDoubtCheckedFrom = now.AddMinutes(-5),
            SweepStartedAt = sweepDue ? now.AddDays(-2) : now.AddHours(-1),
            LastSweepCompletedAt = sweepDue ? now.AddDays(-2).AddHours(1) : null,
        });
        db.Leases.RemoveRange(db.Leases);
        await db.SaveChangesAsync();
    }

    private static async Task GenerateAsync(PortalServices portal, KeyVaultFake vault, int tenants)
    {
        var now = portal.Time.GetUtcNow();
        var leads = RotationPolicy.DefaultReminderLeadDays;
        const int Batch = 5000;
        for (var start = 0; start < tenants; start += Batch)
        {
            await using var db = portal.CreateDbContext();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = start; i < Math.Min(tenants, start + Batch); i++)
            {
                var id = $"bench-{i:000000}";
                var createdAt = now.AddMinutes(-(i * 60.0 * 24 * 60 / tenants)).AddMinutes(-1);
                var dueAt = createdAt.AddDays(90);
                var stored = vault.Seed(SecretName.ForTenant(id).Value, $"sk_live_bench_{i:000000}_000000", new Dictionary<string, string>
                {
                    [ApiKeyTags.TenantId] = id,
                    [ApiKeyTags.MaskedHint] = "••••0000",
                }, dueAt);
                db.Tenants.Add(new Tenant { Id = id, DisplayName = $"Bench {i:000000}", CreatedAt = createdAt });
                db.ApiKeyVersions.Add(new ApiKeyVersion
                {
                    TenantId = id,
                    StoreVersionId = stored.Version,
                    Status = ApiKeyVersionStatus.Current,
                    CreatedAt = createdAt,
                    ExpiresAt = dueAt,
                    DueSoonAt = RotationSchedule.DueSoonAt(dueAt, leads),
                    NextNoticeAt = RotationSchedule.NextNoticeAt(dueAt, leads, now),
                    StatusChangedAt = createdAt,
                    CreatedByName = "Bench",
                    MaskedHint = "••••0000",
                    Fingerprint = "bench",
                });
            }

            await db.SaveChangesAsync();
        }

        await using var seed = portal.CreateDbContext();
        await seed.Database.ExecuteSqlRawAsync("ANALYZE");
        if (await seed.AuditEvents.CountAsync(e => e.Action.StartsWith("Reconciliation.")) is > 0 and var found)
        {
            throw new InvalidOperationException($"{found} reconciliation findings before the run.");
        }
    }
}
