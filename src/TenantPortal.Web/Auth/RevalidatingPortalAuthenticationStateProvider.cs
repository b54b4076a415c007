using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using TenantPortal.Web.Auth.Entra;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Web.Auth;

/// <summary>
/// The authentication state of a Blazor circuit, checked again every <see cref="PortalAuthOptions.RevalidationInterval"/>
/// with <see cref="SessionValidator"/>: an organisation taken off the allow-list, or a session past its lifetime, turns
/// the circuit anonymous within one interval (the page then sends the user to sign in); with Entra sign-in so do a
/// disabled account, revoked sessions and a removed role (<see cref="Entra.EntraSessionCheck"/>). Like the framework's
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
    private readonly IHttpContextAccessor _http;
    private CancellationTokenSource? _loop;

    public RevalidatingPortalAuthenticationStateProvider(
        SessionValidator validator,
        IOptions<PortalAuthOptions> options,
        TimeProvider time,
        AuditTrail audit,
        IHttpContextAccessor http,
        ILogger<RevalidatingPortalAuthenticationStateProvider> logger)
    {
        _http = http;
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
        var entra = _validator.ChecksWithEntra ? CurrentEntraSession() : null;
        var loop = new CancellationTokenSource();
        _loop = loop;
        // Runs synchronously up to its first wait, so the first timer exists once the state has been set.
        _ = RevalidateLoopAsync(state, entra, loop.Token);
    }

    /// <summary>
    /// The Entra side of the session, read from the sign-in cookie of the request that carries this circuit (the
    /// framework sets the circuit's state from that request). Without one, the first check with Entra ends the
    /// session: fail closed.
    /// </summary>
    private EntraSession? CurrentEntraSession() =>
        _http.HttpContext?.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Properties is { } properties
            ? EntraSessionProperties.Read(properties)
            : null;

    private void CancelLoop()
    {
        var loop = Interlocked.Exchange(ref _loop, null);
        if (loop is not null)
        {
            loop.Cancel();
            loop.Dispose();
        }
    }

    private async Task RevalidateLoopAsync(Task<AuthenticationState> stateTask, EntraSession? entra, CancellationToken cancellationToken)
    {
        try
        {
            var user = (await stateTask).User;
            if (user.Identity?.IsAuthenticated != true)
            {
                return;
            }

            if (_validator.ChecksWithEntra && entra is null)
            {
                // Fails closed at the first check; says why (a transport that does not carry the sign-in cookie).
                LogNoEntraSession(_logger);
            }

            var next = Task.Delay(_options.Value.RevalidationInterval, _time, cancellationToken);
            while (true)
            {
                await next;
                var (reason, renewed) = await CheckAsync(user, entra, cancellationToken);
                entra = renewed;
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
    private async Task<SessionCheck> CheckAsync(ClaimsPrincipal user, EntraSession? entra, CancellationToken cancellationToken)
    {
        try
        {
            return await _validator.CheckAsync(user, entra, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogRevalidationFailed(_logger, ex);
            return new SessionCheck(RevalidationFailed, entra);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "A circuit opened without its sign-in cookie's Entra session (not over WebSockets?); its first check will end it")]
    private static partial void LogNoEntraSession(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Revalidating the circuit's session failed; the session ends")]
    private static partial void LogRevalidationFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The circuit's revalidation loop stopped")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);
}
