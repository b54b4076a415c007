using System.Diagnostics;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.Rotation;

namespace TenantPortal.Benchmarks;

/// <summary>
/// The rotation monitor's sweep over many tenants on SQLite: with nothing due (the common case, every few minutes),
/// and on a day when a slice of the tenants reach a reminder lead time.
/// </summary>
internal static class RotationMonitorSweep
{
    private static readonly Dictionary<string, string?> Quiet = new() { ["Logging:LogLevel:Default"] = "Warning" };

    public static async Task RunAsync(int tenants)
    {
        await using var portal = await PortalServices.StartAsync(settings: Quiet);
        var generated = Stopwatch.GetTimestamp();
        await TenantFleet.GenerateRotatingAsync(portal, tenants);
        Console.WriteLine($"Generated {tenants:N0} tenants, each with a current key version spread over 90 days, in {Stopwatch.GetElapsedTime(generated).TotalSeconds:0.0} s");

        var monitor = portal.Get<RotationMonitor>();
        await monitor.SweepAsync(default); // warm-up; nothing is due yet

        var idle = new double[20];
        for (var i = 0; i < idle.Length; i++)
        {
            // The clock stands still: with 100,000 tenants some reminder moment passes every few seconds of real time.
            var started = Stopwatch.GetTimestamp();
            var report = await monitor.SweepAsync(default);
            idle[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (report.Reminders + report.Overdue != 0)
            {
                throw new InvalidOperationException("Something was due in the idle scenario.");
            }
        }

        Array.Sort(idle);
        Console.WriteLine($"  sweep, nothing due:       median {idle[idle.Length / 2]:0.0} ms, max {idle[^1]:0.0} ms ({idle.Length} sweeps)");

        // Move the clock one hour at a time through a day: each sweep handles the versions whose reminder moment passed in that hour.
        var hourly = new List<(double Ms, int Notices)>();
        for (var hour = 0; hour < 24; hour++)
        {
            portal.Time.Advance(TimeSpan.FromHours(1));
            var started = Stopwatch.GetTimestamp();
            var report = await monitor.SweepAsync(default);
            hourly.Add((Stopwatch.GetElapsedTime(started).TotalMilliseconds, report.Reminders + report.Overdue));
        }

        var notices = hourly.Sum(h => h.Notices);
        var worst = hourly.MaxBy(h => h.Ms);
        Console.WriteLine($"  a day of hourly sweeps:    {notices:N0} notices recorded, {hourly.Sum(h => h.Ms):0} ms in all, " +
            $"{hourly.Sum(h => h.Ms) / Math.Max(1, notices):0.00} ms per notice; slowest sweep {worst.Ms:0.0} ms for {worst.Notices} notices");

        // A whole day's backlog at once (e.g. after the monitor was down for a day).
        portal.Time.Advance(TimeSpan.FromDays(1));
        var backlog = Stopwatch.GetTimestamp();
        var caughtUp = await monitor.SweepAsync(default);
        Console.WriteLine($"  one sweep after a day down: {caughtUp.Reminders + caughtUp.Overdue:N0} notices in {Stopwatch.GetElapsedTime(backlog).TotalMilliseconds:0} ms");
    }
}
