using System.Diagnostics.Metrics;

namespace TenantPortal.Web.Infrastructure.Telemetry;

/// <summary>
/// The portal's own instruments (meter <see cref="MeterName"/>). Tags are outcomes, channels, methods and status codes:
/// never a tenant's value, hint, name or address. Recorded whether or not anything exports them.
/// </summary>
public sealed class PortalMetrics
{
    public const string MeterName = "TenantPortal";

    private readonly Counter<long> _submits;
    private readonly Histogram<double> _vaultDuration;
    private readonly Histogram<double> _auditAppendDuration;
    private readonly Counter<long> _drift;
    private readonly Counter<long> _notificationFailures;
    private readonly UpDownCounter<long> _openCircuits;

    public PortalMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _submits = meter.CreateCounter<long>("tenantportal.apikey.submits", "{submit}", "Key submits (and rotations), by outcome.");
        _vaultDuration = meter.CreateHistogram<double>("tenantportal.vault.duration", "s", "Each HTTP call to the vault, retries included.");
        _auditAppendDuration = meter.CreateHistogram<double>("tenantportal.audit.append.duration", "s", "From asking for an audit append to its commit.");
        _drift = meter.CreateCounter<long>("tenantportal.reconciliation.drift", "{version}", "Versions reconciliation found out of step with the store.");
        _notificationFailures = meter.CreateCounter<long>("tenantportal.notifications.failures", "{attempt}", "Notification attempts that did not deliver.");
        _openCircuits = meter.CreateUpDownCounter<long>("tenantportal.circuits.open", "{circuit}", "Blazor circuits open on this instance.");
    }

    public void KeySubmitted(string outcome) => _submits.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void VaultCalled(string method, int? statusCode, TimeSpan elapsed) => _vaultDuration.Record(elapsed.TotalSeconds,
        new KeyValuePair<string, object?>("http.request.method", method), new KeyValuePair<string, object?>("http.response.status_code", statusCode));

    public void AuditAppended(TimeSpan elapsed, bool committed) =>
        _auditAppendDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", committed ? "committed" : "failed"));

    public void DriftFound(int restored, int missing)
    {
        if (restored > 0)
        {
            _drift.Add(restored, new KeyValuePair<string, object?>("kind", "restored"));
        }

        if (missing > 0)
        {
            _drift.Add(missing, new KeyValuePair<string, object?>("kind", "missing"));
        }
    }

    public void NotificationFailed(string channel, bool final) => _notificationFailures.Add(1,
        new KeyValuePair<string, object?>("channel", channel), new KeyValuePair<string, object?>("final", final));

    public void CircuitOpened() => _openCircuits.Add(1);

    public void CircuitClosed() => _openCircuits.Add(-1);
}
