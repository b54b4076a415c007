using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.TestHost;

/// <summary>Where <see cref="BlockingSecretStore"/> can hold a call until the test releases it.</summary>
public enum StorePoint
{
    /// <summary>The versions have been listed; the caller has not seen them yet.</summary>
    AfterList,

    /// <summary>A new version is about to be written.</summary>
    BeforeSet,

    /// <summary>A version is about to be enabled or disabled.</summary>
    BeforeUpdate,
}

/// <summary>
/// The real secret store with gates: the next call at a chosen point blocks until the test releases it, so a race is
/// played in the order the test decides (no sleeps, no timing).
/// </summary>
public sealed class BlockingSecretStore(ISecretStore inner) : ISecretStore
{
    private readonly Lock _sync = new();
    private readonly Dictionary<StorePoint, Gate> _armed = [];

    /// <summary>Replaces the registered store with a blocking wrapper around it.</summary>
    public static void Install(IServiceCollection services)
    {
        var registered = services.Last(d => d.ServiceType == typeof(ISecretStore));
        services.Remove(registered);
        services.AddSingleton(sp => new BlockingSecretStore((ISecretStore)(registered.ImplementationInstance
            ?? registered.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!))));
        services.AddSingleton<ISecretStore>(sp => sp.GetRequiredService<BlockingSecretStore>());
    }

    /// <summary>The next call at <paramref name="point"/> waits at the returned gate.</summary>
    public Gate BlockNext(StorePoint point)
    {
        var gate = new Gate();
        lock (_sync)
        {
            _armed[point] = gate;
        }

        return gate;
    }

    public async Task<SecretVersionProperties> SetAsync(SecretName name, SecretValue value, SecretWriteOptions options, CancellationToken cancellationToken)
    {
        await PassAsync(StorePoint.BeforeSet, cancellationToken);
        return await inner.SetAsync(name, value, options, cancellationToken);
    }

    public async Task<SecretVersionProperties> UpdateVersionAsync(SecretName name, string version, SecretVersionUpdate update, CancellationToken cancellationToken)
    {
        await PassAsync(StorePoint.BeforeUpdate, cancellationToken);
        return await inner.UpdateVersionAsync(name, version, update, cancellationToken);
    }

    public async IAsyncEnumerable<SecretVersionProperties> ListVersionsAsync(SecretName name, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var listed = new List<SecretVersionProperties>();
        await foreach (var version in inner.ListVersionsAsync(name, cancellationToken))
        {
            listed.Add(version);
        }

        await PassAsync(StorePoint.AfterList, cancellationToken);
        foreach (var version in listed)
        {
            yield return version;
        }
    }

    public Task CheckAvailabilityAsync(CancellationToken cancellationToken) => inner.CheckAvailabilityAsync(cancellationToken);

    private async Task PassAsync(StorePoint point, CancellationToken cancellationToken)
    {
        Gate? gate;
        lock (_sync)
        {
            _armed.Remove(point, out gate);
        }

        if (gate is not null)
        {
            gate.Arrive();
            await gate.Released.WaitAsync(cancellationToken);
        }
    }

    public sealed class Gate
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when a call is waiting at the gate.</summary>
        public Task Reached => _reached.Task;

        internal Task Released => _released.Task;

        public void Release() => _released.TrySetResult();

        internal void Arrive() => _reached.TrySetResult();
    }
}
