using Azure.Core;
using Azure.Core.Pipeline;

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

/// <summary>Counts each attempt the SecretClient sends (a per-retry policy).</summary>
internal sealed class VaultCallPolicy(SecretStoreCalls calls) : HttpPipelinePolicy
{
    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        calls.Add();
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        calls.Add();
        return ProcessNextAsync(message, pipeline);
    }
}
