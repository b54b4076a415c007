using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>The store's versions of one secret, oldest first as the adapter lists them: the last enabled one is what the backend serves.</summary>
public sealed class StoreView
{
    private readonly Dictionary<string, (int Position, bool Enabled, DateTimeOffset? CreatedOn)> _byVersion;

    /// <summary>Lists every version of <paramref name="name"/> (metadata only) into a view.</summary>
    public static async Task<StoreView> ListAsync(ISecretStore store, SecretName name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var versions = new List<SecretVersionProperties>();
        await foreach (var version in store.ListVersionsAsync(name, cancellationToken))
        {
            versions.Add(version);
        }

        return new StoreView(versions);
    }

    public StoreView(IReadOnlyList<SecretVersionProperties> versions, bool isListed = true)
    {
        IsListed = isListed;
        Versions = versions;
        _byVersion = new Dictionary<string, (int, bool, DateTimeOffset?)>(StringComparer.Ordinal);
        for (var i = 0; i < versions.Count; i++)
        {
            _byVersion[versions[i].Version] = (i, versions[i].Enabled, versions[i].CreatedOn);
        }
    }

    /// <summary>The store made the change but did not answer the listing after it: settle on the next pass, not now.</summary>
    public static StoreView Unlisted { get; } = new([], isListed: false);

    public bool IsListed { get; }

    public IReadOnlyList<SecretVersionProperties> Versions { get; }

    public bool Contains(string version) => _byVersion.ContainsKey(version);

    public bool IsEnabled(string version) => _byVersion.TryGetValue(version, out var v) && v.Enabled;

    public int Position(string version) => _byVersion.TryGetValue(version, out var v) ? v.Position : -1;

    public DateTimeOffset? CreatedOn(string version) => _byVersion.TryGetValue(version, out var v) ? v.CreatedOn : null;

    /// <summary>The version the backend reads: the newest enabled one.</summary>
    public string? NewestEnabled => Versions.LastOrDefault(v => v.Enabled)?.Version;
}
