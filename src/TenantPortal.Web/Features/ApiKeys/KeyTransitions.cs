namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>What happened to a tenant's key, moving one or more of its versions.</summary>
public enum KeyEvent
{
    /// <summary>A new version was stored: the one it replaces becomes Previous, anything older Superseded.</summary>
    Submit,

    /// <summary>The previous version became current again; the current one was disabled in the store.</summary>
    Restore,

    /// <summary>Emergency revoke: every enabled version was disabled in the store.</summary>
    Revoke,

    /// <summary>A previous version's grace period ended and it was disabled in the store.</summary>
    GraceEnded,

    /// <summary>The tenant was offboarded: every enabled version was disabled in the store.</summary>
    Offboard,

    /// <summary>Reconciliation made the metadata agree with what the store holds and serves.</summary>
    Reconcile,
}

/// <summary>
/// The table of allowed moves of a key version, written once. Read it to answer "what can happen to a revoked key?"
/// (nothing: Revoked and Disabled are final; reconciliation only flags such a version if the store re-enables it).
/// <see cref="KeyLifecycle"/> is the one place that moves versions, and always through this table.
/// </summary>
public static class KeyTransitions
{
    private static readonly Dictionary<(ApiKeyVersionStatus From, KeyEvent Cause), ApiKeyVersionStatus[]> Table = new()
    {
        [(ApiKeyVersionStatus.Current, KeyEvent.Submit)] = [ApiKeyVersionStatus.Previous],
        [(ApiKeyVersionStatus.Previous, KeyEvent.Submit)] = [ApiKeyVersionStatus.Superseded],
        [(ApiKeyVersionStatus.Pending, KeyEvent.Submit)] = [ApiKeyVersionStatus.Superseded],
        [(ApiKeyVersionStatus.Superseded, KeyEvent.Submit)] = [ApiKeyVersionStatus.Superseded],

        [(ApiKeyVersionStatus.Current, KeyEvent.Restore)] = [ApiKeyVersionStatus.Disabled],
        [(ApiKeyVersionStatus.Previous, KeyEvent.Restore)] = [ApiKeyVersionStatus.Current],

        [(ApiKeyVersionStatus.Current, KeyEvent.Revoke)] = [ApiKeyVersionStatus.Revoked],
        [(ApiKeyVersionStatus.Previous, KeyEvent.Revoke)] = [ApiKeyVersionStatus.Disabled],
        [(ApiKeyVersionStatus.Pending, KeyEvent.Revoke)] = [ApiKeyVersionStatus.Disabled],
        [(ApiKeyVersionStatus.Superseded, KeyEvent.Revoke)] = [ApiKeyVersionStatus.Superseded],

        [(ApiKeyVersionStatus.Previous, KeyEvent.GraceEnded)] = [ApiKeyVersionStatus.Superseded],
        [(ApiKeyVersionStatus.Superseded, KeyEvent.GraceEnded)] = [ApiKeyVersionStatus.Superseded],

        [(ApiKeyVersionStatus.Current, KeyEvent.Offboard)] = [ApiKeyVersionStatus.Disabled],
        [(ApiKeyVersionStatus.Previous, KeyEvent.Offboard)] = [ApiKeyVersionStatus.Disabled],
        [(ApiKeyVersionStatus.Pending, KeyEvent.Offboard)] = [ApiKeyVersionStatus.Disabled],
        [(ApiKeyVersionStatus.Superseded, KeyEvent.Offboard)] = [ApiKeyVersionStatus.Superseded],

        // Ranking by what the store serves (newest enabled is Current), or a version the store disabled outside the portal.
        [(ApiKeyVersionStatus.Current, KeyEvent.Reconcile)] = [ApiKeyVersionStatus.Current, ApiKeyVersionStatus.Previous, ApiKeyVersionStatus.Superseded, ApiKeyVersionStatus.Disabled],
        [(ApiKeyVersionStatus.Previous, KeyEvent.Reconcile)] = [ApiKeyVersionStatus.Current, ApiKeyVersionStatus.Previous, ApiKeyVersionStatus.Superseded],
        [(ApiKeyVersionStatus.Superseded, KeyEvent.Reconcile)] = [ApiKeyVersionStatus.Current, ApiKeyVersionStatus.Previous, ApiKeyVersionStatus.Superseded],
        [(ApiKeyVersionStatus.Pending, KeyEvent.Reconcile)] = [ApiKeyVersionStatus.Disabled],
    };

    public static bool Allows(ApiKeyVersionStatus from, KeyEvent cause, ApiKeyVersionStatus to) =>
        Table.TryGetValue((from, cause), out var targets) && targets.Contains(to);

    /// <summary>Statuses of a version the store may still serve; Disabled and Revoked are final.</summary>
    public static bool IsLive(ApiKeyVersionStatus status) => status is ApiKeyVersionStatus.Current or ApiKeyVersionStatus.Previous
        or ApiKeyVersionStatus.Superseded or ApiKeyVersionStatus.Pending;

    /// <summary>Where a version goes when the tenant's whole key is switched off on <paramref name="cause"/> (revoke, offboard).</summary>
    public static ApiKeyVersionStatus SwitchedOff(ApiKeyVersionStatus from, KeyEvent cause) =>
        Table.TryGetValue((from, cause), out var targets) && targets.Length == 1 ? targets[0] : from;
}
