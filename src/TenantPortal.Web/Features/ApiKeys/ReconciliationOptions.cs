using System.ComponentModel.DataAnnotations;

namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>
/// When reconciliation runs and how much of the vault it may use. One instance at a time runs it (a lease); each
/// pass first settles writes left in doubt, then goes on with the full sweep when one is due, within the pass's share
/// of the vault's limit. Passes are <see cref="PassInterval"/> apart, counted from the end of one to the start of the
/// next, so no window of the vault's 10 seconds sees more than one pass's calls.
/// </summary>
public sealed class ReconciliationOptions
{
    public const string SectionName = "Reconciliation";

    public bool Enabled { get; set; } = true;

    /// <summary>The pause between passes; at least the vault's 10-second window.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "00:05:00", ErrorMessage = "Reconciliation:PassInterval must be between 10 seconds and 5 minutes.")]
    public TimeSpan PassInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A change whose "requested" audit row has had no "succeeded" this long is in doubt, and is reconciled.</summary>
    [Range(typeof(TimeSpan), "00:00:30", "01:00:00", ErrorMessage = "Reconciliation:InDoubtAfter must be between 30 seconds and 1 hour.")]
    public TimeSpan InDoubtAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often every tenant is reconciled against the store, from the start of one sweep to the start of the next.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "90.00:00:00", ErrorMessage = "Reconciliation:FullSweepInterval must be between 1 day and 90 days.")]
    public TimeSpan FullSweepInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The share of <see cref="VaultCallsPer10Seconds"/> one pass may spend.</summary>
    [Range(0.001, 0.5, ErrorMessage = "Reconciliation:VaultShare must be between 0.001 and 0.5 (a share of the vault's limit).")]
    public double VaultShare { get; set; } = 0.05;

    /// <summary>The vault's limit for reads and updates: Key Vault allows 4,000 calls per 10 seconds per vault.</summary>
    [Range(1, 100_000, ErrorMessage = "Reconciliation:VaultCallsPer10Seconds must be between 1 and 100000.")]
    public int VaultCallsPer10Seconds { get; set; } = 4000;

    /// <summary>How long the instance running reconciliation holds its lease; renewed during a pass, so a crashed holder's lapses.</summary>
    [Range(typeof(TimeSpan), "00:00:30", "01:00:00", ErrorMessage = "Reconciliation:LeaseDuration must be between 30 seconds and 1 hour.")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Vault calls one pass may make: its share of one 10-second window, at least one.</summary>
    public int CallsPerPass => Math.Max(1, (int)Math.Floor(VaultShare * VaultCallsPer10Seconds));
}
