using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;
using TenantPortal.Web.Features.Audit;

namespace TenantPortal.Web.Auth;

/// <summary>
/// The authentication state of a Blazor circuit, checked again every <see cref="PortalAuthOptions.RevalidationInterval"/>
/// with <see cref="SessionValidator"/>: an organisation taken off the allow-list, or a session past its lifetime, turns
/// the circuit anonymous within one interval (the page then sends the user to sign in). Like the framework's
/// <c>RevalidatingServerAuthenticationStateProvider</c>, but timed by <see cref="TimeProvider"/> so tests can move a
/// fake clock.
/// </summary>
public sealed partial class RevalidatingPortalAuthenticationStateProvider : ServerAuthenticationStateProvider, IDisposable
{
    public const string RevalidationFailed = "Session could not be revalidated";

    private readonly SessionValidator _validator;
    private readonly IOptions<PortalAuthOptions> _options;
    private readonly TimeProvider _time;
    private readonly AuditTrail _audit;
    private readonly ILogger<RevalidatingPortalAuthenticationStateProvider> _logger;
    private CancellationTokenSource? _loop;

    public RevalidatingPortalAuthenticationStateProvider(
        SessionValidator validator,
        IOptions<PortalAuthOptions> options,
        TimeProvider time,
        AuditTrail audit,
        ILogger<RevalidatingPortalAuthenticationStateProvider> logger)
    {
        _validator = validator;
        _options = options;
        _time = time;
        _audit = audit;
        _logger = logger;
        AuthenticationStateChanged += OnAuthenticationStateChanged;
    }

    /// <summary>Raised after each check with whether the session may go on; lets tests wait for a check to finish.</summary>
    internal event Action<bool>? Revalidated;

    public void Dispose()
    {
        AuthenticationStateChanged -= OnAuthenticationStateChanged;
        CancelLoop();
    }

    private void OnAuthenticationStateChanged(Task<AuthenticationState> state)
    {
        CancelLoop();
        var loop = new CancellationTokenSource();
        _loop = loop;
        // Runs synchronously up to its first wait, so the first timer exists once the state has been set.
        _ = RevalidateLoopAsync(state, loop.Token);
    }

    private void CancelLoop()
    {
        var loop = Interlocked.Exchange(ref _loop, null);
        if (loop is not null)
        {
            loop.Cancel();
            loop.Dispose();
        }
    }

    private async Task RevalidateLoopAsync(Task<AuthenticationState> stateTask, CancellationToken cancellationToken)
    {
        try
        {
            var user = (await stateTask).User;
            if (user.Identity?.IsAuthenticated != true)
            {
                return;
            }

            var next = Task.Delay(_options.Value.RevalidationInterval, _time, cancellationToken);
            while (true)
            {
                await next;
                var reason = await ReasonToEndAsync(user, cancellationToken);
                if (reason is not null)
                {
                    await EndSessionAsync(user, reason, cancellationToken);
                    Revalidated?.Invoke(false);
                    return;
                }

                // The next check is scheduled before anyone hears of this one.
                next = Task.Delay(_options.Value.RevalidationInterval, _time, cancellationToken);
                Revalidated?.Invoke(true);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The circuit closed or the state changed; a new loop (if any) took over.
        }
#pragma warning disable CA1031 // A background loop must log and stop, not crash the circuit with an unobserved exception.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogLoopFailed(_logger, ex);
        }
    }

    /// <summary>Fails closed: a session that cannot be checked ends (signing in again checks everything afresh).</summary>
    private async Task<string?> ReasonToEndAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        try
        {
            return await _validator.ReasonToEndAsync(user, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogRevalidationFailed(_logger, ex);
            return RevalidationFailed;
        }
    }

    private async Task EndSessionAsync(ClaimsPrincipal user, string reason, CancellationToken cancellationToken)
    {
        var actor = PortalActor.From(user);
        LogSessionEnded(_logger, actor?.EntraTenantId, actor?.ObjectId, reason);
        await _audit.TryAppendAsync(_audit.Create(actor, AuditActions.SessionEnded, AuditOutcome.Denied, tenantId: null, reason: reason), cancellationToken);
        SetAuthenticationState(Task.FromResult(new AuthenticationState(new ClaimsPrincipal(new ClaimsIdentity()))));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Circuit session of {EntraTenantId}/{ObjectId} ended: {Reason}")]
    private static partial void LogSessionEnded(ILogger logger, Guid? entraTenantId, Guid? objectId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Revalidating the circuit's session failed; the session ends")]
    private static partial void LogRevalidationFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The circuit's revalidation loop stopped")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);
}
