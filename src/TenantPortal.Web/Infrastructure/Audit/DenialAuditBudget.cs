using Microsoft.Extensions.Options;

namespace TenantPortal.Web.Infrastructure.Audit;

/// <summary>
/// How many denial rows one actor may write per minute (<see cref="AuditOptions.DeniedPerActorPerMinute"/>). A circuit
/// can call a service for other tenants' ids as fast as it likes; beyond the budget its denials are counted, not written,
/// and the count becomes one summary row at that actor's next denial after the window. The caller's refusal is unchanged.
/// </summary>
public sealed class DenialAuditBudget(TimeProvider time, IOptions<AuditOptions> options)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private const int PruneAbove = 10_000;

    private readonly Lock _sync = new();
    private readonly Dictionary<string, ActorWindow> _windows = [];

    /// <summary>Whether this denial is written, and what the actor's previous window suppressed (to summarize first).</summary>
    public DenialAllowance Take(string actorKey)
    {
        var now = time.GetUtcNow();
        lock (_sync)
        {
            if (_windows.Count > PruneAbove)
            {
                foreach (var stale in _windows.Where(w => w.Value.Suppressed == 0 && now - w.Value.Start >= Window).Select(w => w.Key).ToList())
                {
                    _windows.Remove(stale);
                }
            }

            if (!_windows.TryGetValue(actorKey, out var window) || now - window.Start >= Window)
            {
                _windows[actorKey] = new ActorWindow(now) { Written = 1 };
                return new DenialAllowance(true, window?.Suppressed ?? 0, window?.Start);
            }

            if (window.Written < options.Value.DeniedPerActorPerMinute)
            {
                window.Written++;
                return new DenialAllowance(true, 0, null);
            }

            window.Suppressed++;
            return new DenialAllowance(false, 0, null);
        }
    }

    private sealed class ActorWindow(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; } = start;

        public int Written { get; set; }

        public int Suppressed { get; set; }
    }
}

public sealed record DenialAllowance(bool Write, int SuppressedBefore, DateTimeOffset? SuppressedWindowStart);
