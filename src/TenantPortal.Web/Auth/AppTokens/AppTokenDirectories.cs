using System.Collections.Concurrent;

namespace TenantPortal.Web.Auth.AppTokens;

/// <summary>
/// The sign-in allow-list as app tokens ask it: an automation's every call would put the same question to the database,
/// so a directory found onboarded is remembered for <see cref="Duration"/>. Only "onboarded" is remembered: a directory
/// onboarded meanwhile is let in at once, and an unknown one is asked about every time. Once an offboarding or a
/// directory's removal has committed on this instance (<see cref="AllowListChanges"/>), every answer is forgotten, also
/// one read before that commit and remembered after it; on other instances an answer lapses within
/// <see cref="Duration"/>. The service layer still checks the tenant's directories and offboarding on every call.
/// </summary>
public sealed class AppTokenDirectories(SignInAllowList allowList, AllowListChanges changes, TimeProvider time)
{
    public static readonly TimeSpan Duration = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<Guid, Remembered> _onboarded = new();

    public async Task<bool> IsAllowedAsync(Guid entraTenantId, CancellationToken cancellationToken)
    {
        // Taken before the question: an answer read before a change is remembered under the generation it ended.
        var generation = changes.Generation;
        var now = time.GetUtcNow();
        if (_onboarded.TryGetValue(entraTenantId, out var remembered) && remembered.Generation == generation && remembered.Until > now)
        {
            return true;
        }

        if (!await allowList.IsAllowedAsync(entraTenantId, cancellationToken))
        {
            _onboarded.TryRemove(entraTenantId, out _);
            return false;
        }

        _onboarded[entraTenantId] = new Remembered(generation, now + Duration);
        return true;
    }

    private sealed record Remembered(long Generation, DateTimeOffset Until);
}

/// <summary>
/// Counts the committed changes that can take a directory off the allow-list on this instance (the Tenants feature
/// reports them), so that what was remembered before one is not used after it.
/// </summary>
public sealed class AllowListChanges
{
    private long _generation;

    public long Generation => Interlocked.Read(ref _generation);

    public void Changed() => Interlocked.Increment(ref _generation);
}
