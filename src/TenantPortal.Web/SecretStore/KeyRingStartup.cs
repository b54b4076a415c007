using System.Data.Common;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore.Storage;
using TenantPortal.Web.Infrastructure.Leases;

namespace TenantPortal.Web.SecretStore;

/// <summary>
/// Before this instance serves anything, makes sure the database's key ring holds a key it can protect with, and that
/// instances starting together on a ring without one make one key between them. Left to itself, Data Protection
/// creates a key on each instance that loads a ring with no usable key; each instance then caches its own ring and
/// protects cookies, antiforgery tokens and stored values with its own key, which the others cannot read once their
/// two-minute window for re-reading the ring on an unknown key has passed, until their ring's next refresh (up to a day).
/// So with no usable key, the lease <see cref="LeaseName"/> decides: its holder loads the ring, Data Protection creates
/// the key once, and the others look again every <see cref="PollInterval"/> until the key is there, or until the
/// lease lapses (<see cref="LeaseDuration"/>) because its holder died, and then take it themselves. A ring with a usable
/// key takes no lease. Later keys are Data Protection's own schedule: each successor is made days before the current
/// key expires and activated at that expiry, so every instance has read it before it is used. On every path this check
/// only lists the keys (or protects once under the lease); Data Protection's own start-up service, registered after this
/// one and started before the server, loads the ring into Data Protection's cache, so the first requests read no keys.
/// </summary>
public sealed partial class KeyRingStartup(
    IKeyManager keys, IDataProtectionProvider dataProtection, Leases leases, LeaseHolder instance, TimeProvider time, ILogger<KeyRingStartup> logger)
    : IHostedService
{
    public const string LeaseName = "data-protection-key-ring";

    /// <summary>Far longer than loading the ring and writing one key; what an instance that died holding the lease costs the others.</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Raised when this instance starts waiting for another one's key (tests wait on it instead of sleeping).</summary>
    public event Action? Waiting;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await EnsureKeyAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is DbException or RetryLimitExceededException)
        {
            // No table yet (migrations not applied) or no database: Data Protection reports it when it loads the ring.
            LogNotChecked(logger, ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task EnsureKeyAsync(CancellationToken cancellationToken)
    {
        var announced = false;
        while (!HasUsableKey())
        {
            if (await leases.TryAcquireAsync(LeaseName, instance.Id, LeaseDuration, cancellationToken))
            {
                try
                {
                    // Data Protection reads the ring again under the lease and creates the key only if it still has none.
                    var probe = dataProtection.CreateProtector(nameof(KeyRingStartup)).Protect([1]);
                    LogReady(logger, new Guid(probe.AsSpan(4, 16)));
                }
                finally
                {
                    await leases.ReleaseAsync(LeaseName, instance.Id, CancellationToken.None);
                }

                return;
            }

            var poll = Task.Delay(PollInterval, time, cancellationToken);
            if (!announced)
            {
                // Announced once the poll timer exists, so that a clock moved on this signal reaches it.
                announced = true;
                LogWaiting(logger);
                Waiting?.Invoke();
            }

            await poll;
        }
    }

    /// <summary>
    /// A key Data Protection would take as its default without making one: active now, not revoked, not expired, and
    /// readable with this instance's certificate. Judged on the system clock, which is the one Data Protection uses.
    /// </summary>
    private bool HasUsableKey()
    {
        var now = TimeProvider.System.GetUtcNow();
        return keys.GetAllKeys().Any(k => !k.IsRevoked && k.ActivationDate <= now && k.ExpirationDate > now && CanEncrypt(k));
    }

    private bool CanEncrypt(IKey key)
    {
        try
        {
            return key.CreateEncryptor() is not null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Written under a certificate this instance lacks, say: Data Protection passes over such a key too.
            LogUnreadableKey(logger, ex, key.KeyId);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The key ring has no usable key and another instance is creating it; waiting for that key")]
    private static partial void LogWaiting(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "The key ring had no usable key; this instance loaded it under the key ring lease, default key {KeyId}")]
    private static partial void LogReady(ILogger logger, Guid keyId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The key ring's key {KeyId} cannot be read with this instance's certificate")]
    private static partial void LogUnreadableKey(ILogger logger, Exception exception, Guid keyId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The key ring could not be checked at start-up (apply the migrations); Data Protection loads it on first use")]
    private static partial void LogNotChecked(ILogger logger, Exception exception);
}
