using Azure.Core;
using System.Diagnostics;
using Azure.Core.Pipeline;
using TenantPortal.Web.Infrastructure.Telemetry;

namespace TenantPortal.Web.SecretStore;

/// <summary>
/// The calls this instance has made to the vault, every HTTP request counted (retries and the first, unauthenticated
/// challenge included), as the vault counts them against its limit. The local store makes none. Reconciliation paces
/// itself on this count.
/// </summary>
public sealed class SecretStoreCalls
{
    private long _total;

    public long Total => Interlocked.Read(ref _total);

    internal void Add() => Interlocked.Increment(ref _total);
}

/// <summary>Counts and times each attempt the SecretClient sends (a per-retry policy): method and status only.</summary>
internal sealed class VaultCallPolicy(SecretStoreCalls calls, PortalMetrics metrics) : HttpPipelinePolicy
{
    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        calls.Add();
        var started = Stopwatch.GetTimestamp();
        try
        {
            ProcessNext(message, pipeline);
        }
        finally
        {
            Record(message, started);
        }
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        calls.Add();
        var started = Stopwatch.GetTimestamp();
        try
        {
            await ProcessNextAsync(message, pipeline);
        }
        finally
        {
            Record(message, started);
        }
    }

    private void Record(HttpMessage message, long started) =>
        metrics.VaultCalled(message.Request.Method.Method, message.HasResponse ? message.Response.Status : null, Stopwatch.GetElapsedTime(started));
}
