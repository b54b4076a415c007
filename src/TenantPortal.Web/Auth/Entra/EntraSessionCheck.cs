using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace TenantPortal.Web.Auth.Entra;

/// <summary>What Entra said when asked to renew a session.</summary>
public enum EntraCheckOutcome
{
    /// <summary>Entra renewed the session: the account is enabled and still holds every role the session has.</summary>
    Confirmed,

    /// <summary>Entra refused (account disabled or deleted, sessions revoked, consent withdrawn, a policy wants the user back) or a role is gone.</summary>
    Ended,

    /// <summary>Entra could not be asked (network, timeout, 5xx, the portal's own credential refused): nothing is known.</summary>
    Unavailable,
}

/// <param name="RefreshToken">On <see cref="EntraCheckOutcome.Confirmed"/>, the refresh token Entra handed back (it replaces the old one).</param>
/// <param name="Reason">A short, value-free reason for the audit trail and the log.</param>
public sealed record EntraCheckResult(EntraCheckOutcome Outcome, string? Reason = null, string? RefreshToken = null);

/// <summary>
/// Asks Entra whether a signed-in user may still use the portal, without the user: the session's refresh token is
/// redeemed at Entra's token endpoint (the OpenID Connect handler's own metadata, backchannel and validation
/// parameters, and the portal's client credential). Entra refuses a disabled or deleted account, revoked sessions and
/// withdrawn consent; a renewed id token carries the roles as assigned now. This is how a change in Entra reaches an
/// open session within one revalidation interval; the portal needs no directory permission for it (only
/// <c>offline_access</c>, which every user consents to at sign-in).
/// </summary>
public sealed partial class EntraSessionCheck(
    IOptionsMonitor<OpenIdConnectOptions> oidc,
    CodeRedemptionCredential credential,
    TimeProvider time,
    ILogger<EntraSessionCheck> logger)
{
    public const string NoRefreshToken = "Session cannot be re-checked with Entra ID (no refresh token); sign in again";
    public const string RoleRemoved = "Role removed in Entra ID";
    public const string IdentityChanged = "Entra ID renewed the session for another user";
    public const string RefreshTokenName = "refresh_token";

    /// <summary>How long one renewal may take before Entra counts as unavailable.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>How long the answer for one refresh token is shared by the session's requests.</summary>
    public static readonly TimeSpan ShareFor = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, SharedCheck> _shared = new(StringComparer.Ordinal);

    public async Task<EntraCheckResult> CheckAsync(ClaimsPrincipal user, string? refreshToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var actor = PortalActor.From(user);
        if (actor is null)
        {
            return new EntraCheckResult(EntraCheckOutcome.Ended, SessionValidator.NoIdentity);
        }

        if (string.IsNullOrEmpty(refreshToken))
        {
            return new EntraCheckResult(EntraCheckOutcome.Ended, NoRefreshToken);
        }

        // Requests that arrive together with the same cookie (a page and its assets, the circuit's own request) share
        // one renewal, and so does a request that comes before the browser has stored the renewed cookie.
        var key = ShareKey(actor, refreshToken);
        var now = time.GetUtcNow();
        var created = new SharedCheck(new Lazy<Task<EntraCheckResult>>(() => RunAsync(actor, refreshToken)), now);
        var shared = _shared.AddOrUpdate(key, created, (_, existing) => now - existing.StartedAt < ShareFor ? existing : created);
        if (ReferenceEquals(shared, created))
        {
            Prune(now);
        }

        return await shared.Check.Value.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// One renewal, not tied to any request's cancellation (others may be waiting on it), bounded by
    /// <see cref="Timeout"/>. Anything that goes wrong on the portal's side of the call (network, metadata, its own
    /// credential, a bug) is "unavailable", never a verdict on the user: the outage tolerance decides.
    /// </summary>
    private async Task<EntraCheckResult> RunAsync(PortalActor actor, string refreshToken)
    {
        using var timeout = new CancellationTokenSource(Timeout, time);
        try
        {
            var result = await RenewAsync(actor, refreshToken, timeout.Token);
            LogChecked(logger, actor.EntraTenantId, actor.ObjectId, result.Outcome, result.Reason);
            return result;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            LogUnavailable(logger, actor.EntraTenantId, actor.ObjectId, null);
            return new EntraCheckResult(EntraCheckOutcome.Unavailable, "Entra ID did not answer in time");
        }
        catch (HttpRequestException ex)
        {
            LogUnavailable(logger, actor.EntraTenantId, actor.ObjectId, ex);
            return new EntraCheckResult(EntraCheckOutcome.Unavailable, "Entra ID could not be reached");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogUnavailable(logger, actor.EntraTenantId, actor.ObjectId, ex);
            return new EntraCheckResult(EntraCheckOutcome.Unavailable, $"Entra ID could not be asked ({ex.GetType().Name})");
        }
    }

    /// <summary>The session (tid, oid) and a hash of its refresh token: the token itself is not kept as a key.</summary>
    private static string ShareKey(PortalActor actor, string refreshToken) =>
        $"{actor.EntraTenantId:N}/{actor.ObjectId:N}/{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(refreshToken)))}";

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, entry) in _shared)
        {
            if (now - entry.StartedAt >= ShareFor && entry.Check.IsValueCreated && entry.Check.Value.IsCompleted)
            {
                _shared.TryRemove(new KeyValuePair<string, SharedCheck>(key, entry));
            }
        }
    }

    private sealed record SharedCheck(Lazy<Task<EntraCheckResult>> Check, DateTimeOffset StartedAt);

    private async Task<EntraCheckResult> RenewAsync(PortalActor actor, string refreshToken, CancellationToken cancellationToken)
    {
        var options = oidc.Get(OpenIdConnectDefaults.AuthenticationScheme);
        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = await options.ConfigurationManager!.GetConfigurationAsync(cancellationToken);
        }
        catch (InvalidOperationException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // No metadata yet (a portal started while Entra is down): the manager keeps the last good copy otherwise.
            LogUnavailable(logger, actor.EntraTenantId, actor.ObjectId, ex);
            return new EntraCheckResult(EntraCheckOutcome.Unavailable, "Entra ID metadata could not be read");
        }

        var request = new OpenIdConnectMessage
        {
            GrantType = OpenIdConnectGrantTypes.RefreshToken,
            RefreshToken = refreshToken,
            ClientId = options.ClientId,
            Scope = string.Join(' ', options.Scope),
        };
        await credential.ApplyAsync(request);

        using var content = new FormUrlEncodedContent(request.Parameters);
        using var message = new HttpRequestMessage(HttpMethod.Post, configuration.TokenEndpoint) { Content = content };
        using var response = await options.Backchannel.SendAsync(message, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var reply = TryParse(body);

        if (response.StatusCode == HttpStatusCode.BadRequest && reply?.Error is { } error && !IsOnEntrasSide(reply))
        {
            // invalid_grant (account disabled or deleted, sessions revoked, token expired), interaction_required (a
            // policy wants the user back at Entra): the session cannot go on without the user.
            return new EntraCheckResult(EntraCheckOutcome.Ended, $"Entra ID refused to renew the session ({Describe(reply)})");
        }

        if (!response.IsSuccessStatusCode || reply?.IdToken is not { } idToken)
        {
            var detail = reply?.Error is null ? $"HTTP {(int)response.StatusCode}" : Describe(reply);
            return new EntraCheckResult(EntraCheckOutcome.Unavailable, $"Entra ID did not renew the session ({detail})");
        }

        var parameters = options.TokenValidationParameters.Clone();
        parameters.IssuerSigningKeys = configuration.SigningKeys;
        var validated = await options.TokenHandler.ValidateTokenAsync(idToken, parameters);
        if (!validated.IsValid)
        {
            // A token endpoint answering with a token that does not validate is not a verdict on the user.
            return new EntraCheckResult(EntraCheckOutcome.Unavailable, "Entra ID renewed the session with an invalid id token");
        }

        var renewed = PortalActor.From(new ClaimsPrincipal(new ClaimsIdentity(validated.ClaimsIdentity.Claims, "Entra", PortalClaimTypes.Name, PortalClaimTypes.Roles)));
        if (renewed is null || renewed.EntraTenantId != actor.EntraTenantId || renewed.ObjectId != actor.ObjectId)
        {
            return new EntraCheckResult(EntraCheckOutcome.Ended, IdentityChanged);
        }

        // A role added in Entra counts from the next sign-in; a role taken away ends the session now.
        var removed = actor.Roles.Except(renewed.Roles, StringComparer.Ordinal).ToList();
        if (removed.Count > 0)
        {
            return new EntraCheckResult(EntraCheckOutcome.Ended, $"{RoleRemoved}: {string.Join(",", removed)}");
        }

        return new EntraCheckResult(EntraCheckOutcome.Confirmed, RefreshToken: reply.RefreshToken ?? refreshToken);
    }

    private sealed record TokenReply(string? Error, IReadOnlyList<string> ErrorCodes, string? IdToken, string? RefreshToken);

    private static TokenReply? TryParse(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var codes = root.TryGetProperty("error_codes", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(c => c.ValueKind == JsonValueKind.Number ? c.GetInt64().ToString(CultureInfo.InvariantCulture) : c.ToString()).ToList()
                : [];
            return new TokenReply(String(root, "error"), codes, String(root, "id_token"), String(root, "refresh_token"));
        }
        catch (JsonException)
        {
            return null;
        }

        static string? String(JsonElement root, string name) =>
            root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    /// <summary>
    /// A 400 that says nothing about the user: the portal's own credential refused (<c>invalid_client</c>), Entra
    /// busy (<c>temporarily_unavailable</c>), or Entra's loop protection (AADSTS50196) after too many renewals.
    /// </summary>
    private static bool IsOnEntrasSide(TokenReply reply) =>
        reply.Error is "invalid_client" or "temporarily_unavailable" || reply.ErrorCodes.Contains("50196", StringComparer.Ordinal);

    /// <summary>The OAuth error and Entra's AADSTS codes: enough to look the cause up, nothing from the user or the token.</summary>
    private static string Describe(TokenReply reply)
    {
        var error = Safe(reply.Error ?? "error");
        return reply.ErrorCodes.Count == 0 ? error : $"{error}, AADSTS{string.Join(",AADSTS", reply.ErrorCodes.Take(3).Select(Safe))}";

        static string Safe(string value) => new(value.Where(c => char.IsAsciiLetterOrDigit(c) || c == '_').Take(40).ToArray());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Entra re-check of {EntraTenantId}/{ObjectId}: {Outcome} {Reason}")]
    private static partial void LogChecked(ILogger logger, Guid entraTenantId, Guid objectId, EntraCheckOutcome outcome, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Entra re-check of {EntraTenantId}/{ObjectId}: Entra ID unavailable")]
    private static partial void LogUnavailable(ILogger logger, Guid entraTenantId, Guid objectId, Exception? exception);
}
