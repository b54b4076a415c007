using TenantPortal.Web.Infrastructure.Text;

namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>What a change did: the version it is about, a problem when the store did not show what it needed (shown and audited), the row, the audit's changes.</summary>
public sealed record Applied(string? Version, LocalizedMessage? Problem, ApiKeyVersion? Row, string? Changes = null);

/// <summary>The outcome of reconciling one tenant: skipped while another change held its key, or what it found.</summary>
public sealed record ReconcileOutcome(bool Ran, int Restored, int Missing)
{
    public static ReconcileOutcome Busy { get; } = new(false, 0, 0);

    public static ReconcileOutcome Failed { get; } = new(false, 0, 0) { CouldNotRecord = true };

    public bool CouldNotRecord { get; init; }
}
