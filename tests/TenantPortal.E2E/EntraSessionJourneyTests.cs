using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using OpenIddict.Abstractions;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.E2E;

/// <summary>
/// The Production portal over HTTPS with Entra sign-in against the test issuer, on a fake clock: Chromium signs in
/// through the real OpenID Connect handler and keeps a Blazor circuit open while the test moves the clock.
/// </summary>
public sealed class EntraPortalServerFixture : PortalServerFixture
{
    public static readonly Guid HomeTenant = Guid.Parse("9e7b0a4c-0000-4000-8000-00000000e001");
    public static readonly Guid ContosoDirectory = Guid.Parse("c0c0c0c0-0000-4000-8000-00000000e002");

    public TestOidcIssuer Issuer { get; private set; } = null!;

    public WatchedClock Time { get; } = new(DateTimeOffset.UtcNow);

    protected override bool IgnoreHttpsErrors => true;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Portal.OnboardAsync("contoso", "Contoso Ltd", ContosoDirectory);
    }

    protected override async Task<PortalAppFactory> CreatePortalAsync()
    {
        Issuer = await TestOidcIssuer.StartAsync();
        var portal = new PortalAppFactory
        {
            Environment = "Production",
            ConfigureServices = services =>
            {
                Issuer.TrustFromPortal(services);
                services.AddSingleton<TimeProvider>(Time);
            },
        }
            .WithSetting("Authentication:HomeTenantId", HomeTenant.ToString())
            .WithSetting("Database:MigrateAtStartup", "true");
        foreach (var (key, value) in Issuer.PortalSettings())
        {
            portal.WithSetting(key, value);
        }

        return portal;
    }

    /// <summary>HTTPS, as in Production: the session and correlation cookies are Secure.</summary>
    protected override void UseKestrel(PortalAppFactory portal)
    {
        var certificate = KeyVaultFake.CreateCertificate();
        portal.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Issuer.DisposeAsync();
    }
}

public sealed class EntraSessionJourneyTests(EntraPortalServerFixture server) : IClassFixture<EntraPortalServerFixture>
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);
    private static readonly LocatorAssertionsToHaveTextOptions Patient = new() { Timeout = 15_000 };

    [Fact]
    public async Task TenantAdmin_DisabledInEntra_IsSignedOutOfTheOpenPage_AtTheNextCheck()
    {
        var user = TestUser.In(EntraPortalServerFixture.ContosoDirectory, PortalRoles.TenantAdmin);
        var page = await server.NewPageAsync();

        // Entra sign-in in the browser: challenge, the issuer's authorize endpoint, form_post back to /signin-oidc.
        server.Issuer.SignInNext(user);
        await page.GotoAsync("/tenants/contoso/api-key");
        await page.WaitForURLAsync("**/tenants/contoso/api-key");
        await PortalServerFixture.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=rotation-status]")).ToHaveTextAsync("Not set", Patient);

        // A check while the account is fine: Entra renews the session and the open page stays.
        var refreshes = Refreshes();
        await AdvanceToNextCheckAsync();
        await server.Issuer.WaitForTokenRequestAsync(IsRefresh, count: refreshes + 1);
        // The circuit arms its next check only once this one has let the session go on.
        await server.Time.WaitForOneShotTimerAsync(Interval);
        Assert.EndsWith("/tenants/contoso/api-key", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("[data-testid=rotation-status]")).ToHaveTextAsync("Not set");

        // An admin disables the account in Entra: the next check ends the circuit's session, the page goes to sign
        // in, and Entra refuses that sign-in too.
        server.Issuer.UpdateDirectory(user.ObjectId, s => s with { Disabled = true });
        server.Issuer.SignInNext(user);
        await AdvanceToNextCheckAsync();
        await server.Issuer.WaitForTokenRequestAsync(IsRefresh, count: refreshes + 2);
        await page.WaitForURLAsync($"**{SignInRefusal.FailedPath}", new PageWaitForURLOptions { Timeout = 20_000 });
        await PortalServerFixture.ScreenshotAsync(page, "entra-session-ended");

        await using var db = server.Portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        // The circuit ends the session first; the cookie the browser still holds is refused again on its next request.
        var ended = await db.AuditEvents.Where(e => e.Action == AuditActions.SessionEnded && e.ActorObjectId == user.ObjectId).ToListAsync();
        Assert.NotEmpty(ended);
        Assert.All(ended, e => Assert.Equal("Entra ID refused to renew the session (invalid_grant, AADSTS50057)", e.Reason));
        await page.Context.CloseAsync();
    }

    private static bool IsRefresh(RecordedTokenRequest request) => request.GrantType == OpenIddictConstants.GrantTypes.RefreshToken;

    private int Refreshes() => server.Issuer.TokenRequests.Count(IsRefresh);

    /// <summary>
    /// Moves the clock by one interval once the circuit's next check is waiting on it: the circuit arms that check only
    /// after the previous one has finished, and a move before then would not reach it.
    /// </summary>
    private async Task AdvanceToNextCheckAsync()
    {
        await server.Time.WaitForOneShotTimerAsync(Interval);
        server.Time.Advance(Interval);
    }
}

/// <summary>
/// The portal's fake clock, which also tells when a one-shot timer of a given length is waiting on it. The circuit's
/// revalidation loop waits for each check with one (<c>Task.Delay</c> of the revalidation interval on this clock); the
/// portal's periodic workers use periodic timers, and its timeouts are shorter.
/// </summary>
public sealed class WatchedClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly ConcurrentDictionary<object, TimeSpan> _waiting = new();
    private TaskCompletionSource _armed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (period != Timeout.InfiniteTimeSpan)
        {
            return base.CreateTimer(callback, state, dueTime, period);
        }

        var key = new object();
        _waiting[key] = dueTime;
        var timer = new WatchedTimer(base.CreateTimer(s =>
        {
            _waiting.TryRemove(key, out _);
            callback(s);
        }, state, dueTime, period), () => _waiting.TryRemove(key, out _));
        Interlocked.Exchange(ref _armed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        return timer;
    }

    /// <summary>Completes once a one-shot timer of <paramref name="dueTime"/> is waiting; the 30 seconds only turn a hang into a failure.</summary>
    public async Task WaitForOneShotTimerAsync(TimeSpan dueTime)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var armed = Volatile.Read(ref _armed).Task;
            if (_waiting.Values.Contains(dueTime))
            {
                return;
            }

            try
            {
                await armed.WaitAsync(cancel.Token);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                throw new TimeoutException($"No one-shot timer of {dueTime} was armed on the clock within 30 seconds.");
            }
        }
    }

    private sealed class WatchedTimer(ITimer timer, Action ended) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => timer.Change(dueTime, period);

        public void Dispose()
        {
            ended();
            timer.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            ended();
            return timer.DisposeAsync();
        }
    }
}
