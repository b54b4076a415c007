using System.Diagnostics;
using TenantPortal.KeyReader;
using TenantPortal.Tests.TestHost;

namespace TenantPortal.Benchmarks;

/// <summary>
/// A paced load against the KeyReader on the Key Vault fake: <c>rate</c> calls per second spread at random over
/// <c>tenants</c> tenants for <c>seconds</c>, counting the vault reads it causes (the budget: about tenants / TTL
/// per unit of time, after one first read per tenant).
/// Optionally a fault window in the middle third (every vault request throttled with Retry-After 1 s, or answered 500),
/// to show that callers keep getting cached values.
/// </summary>
internal static class KeyReaderLoad
{
    public static async Task RunAsync(int seconds, int rate, int tenants, TimeSpan cacheTtl, string fault)
    {
        await using var setup = await KeyReaderVault.StartAsync(tenants, cacheTtl);
        var provider = setup.Provider;
        var vault = setup.Vault;
        var total = (long)seconds * rate;
        var latencies = new double[total];
        var pending = new List<Task>();
        var errors = 0;
        var random = new Random(42);
        long? faultFrom = fault == "none" ? null : total / 3;
        long? faultUntil = fault == "none" ? null : total * 2 / 3;
        var readsBeforeFault = 0;
        var readsAfterWarmUp = 0;
        var readsDuringFault = 0;

        Console.WriteLine($"KeyReader load: {rate:N0} calls/s over {tenants:N0} tenants for {seconds} s, cache TTL {cacheTtl}, fault window: {fault}");
        var started = Stopwatch.GetTimestamp();
        long issued = 0;
        while (issued < total)
        {
            var due = Math.Min(total, (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * rate));
            for (; issued < due; issued++)
            {
                if (issued == faultFrom)
                {
                    readsBeforeFault = vault.ReaderValueReads.Count;
                    vault.Enqueue(fault == "throttle" ? FaultKind.Throttle : FaultKind.ServerError, times: 1_000_000, retryAfterSeconds: 1);
                }
                else if (issued == faultUntil)
                {
                    vault.ClearFaults();
                    readsDuringFault = vault.ReaderValueReads.Count - readsBeforeFault;
                }

                if (issued == Math.Min(total / 2, 10L * rate))
                {
                    readsAfterWarmUp = vault.ReaderValueReads.Count;
                }

                var index = issued;
                var callStarted = Stopwatch.GetTimestamp();
                var call = provider.GetApiKeyAsync(setup.TenantIds[random.Next(tenants)]);
                if (call.IsCompletedSuccessfully)
                {
                    latencies[index] = Stopwatch.GetElapsedTime(callStarted).TotalMicroseconds;
                }
                else
                {
                    pending.Add(CompleteAsync(call, callStarted, index));
                }
            }

            await Task.Delay(1);
        }

        await Task.WhenAll(pending);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var reads = vault.ReaderValueReads.Count;
        // One first read per tenant, then one per expiry; entries live 90–100 % of the TTL.
        var budget = tenants * (1 + Math.Floor(seconds / (0.9 * cacheTtl.TotalSeconds)));

        Console.WriteLine($"  calls                {total:N0} in {elapsed.TotalSeconds:0.0} s ({total / elapsed.TotalSeconds:N0}/s), errors {errors:N0}, waited on the vault {pending.Count:N0}");
        Console.WriteLine($"  vault reads (GET)    {reads:N0}   at most tenants × (1 + ⌊run / 0.9 TTL⌋) = {budget:N0}   ({reads / elapsed.TotalSeconds:0.0}/s; Key Vault allows 4,000 per 10 s)");
        if (faultFrom is not null)
        {
            Console.WriteLine($"  during the fault     {readsDuringFault:N0} vault requests in {seconds / 3.0:0} s (the errors above count callers that got no key)");
        }

        // The first seconds are the cold start (every tenant a miss at once); after that, hits and refreshes.
        var warmFrom = (int)Math.Min(total / 2, 10L * rate);
        Percentiles("GetApiKeyAsync, whole run", latencies);
        Percentiles($"after the first {warmFrom / rate} s", latencies[warmFrom..]);
        Console.WriteLine($"  vault reads in the first {warmFrom / rate} s (cold start): {readsAfterWarmUp:N0}");

        static void Percentiles(string label, double[] samples)
        {
            var sorted = samples.Order().ToArray();
            double P(double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
            Console.WriteLine($"  {label,-26} p50 {Time(P(0.50))}   p99 {Time(P(0.99))}   p99.9 {Time(P(0.999))}   max {Time(sorted[^1])}");
        }

        static string Time(double microseconds) => microseconds < 1000
            ? $"{microseconds,7:0.0} µs"
            : $"{microseconds / 1000,7:0.0} ms";

        async Task CompleteAsync(Task<TenantApiKey> call, long callStarted, long index)
        {
            try
            {
                await call;
            }
            catch (TenantApiKeyException)
            {
                Interlocked.Increment(ref errors);
            }

            latencies[index] = Stopwatch.GetElapsedTime(callStarted).TotalMicroseconds;
        }
    }
}
