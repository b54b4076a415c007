using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Data;
using TenantPortal.Web.Infrastructure.Leases;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Integration;

/// <summary>
/// Two portal hosts starting at once on one empty SQLite database (a first deployment on two instances, a slot swap
/// onto a new database). Host A is held at the moment it writes the ring's first key and host B starts meanwhile. Left
/// to Data Protection alone, B finds the ring empty too and writes a key of its own, and if A's write lands and A reads
/// the ring back before B's does, A keeps its key and B takes its own (the newest): two keys, each host protecting with
/// its own. The two must end with one key between them, each accepting the cookies, forms and protected values of the other.
/// </summary>
public sealed partial class KeyRingStartupTests : IAsyncLifetime
{
    /// <summary>A start-up that should have ended; if it is stuck, the test fails here instead of hanging.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _shared = TempDirectory.Create();
    private readonly FakeTimeProvider _time = new(PortalServices.Start);
    private readonly HeldKeyWrites _heldOnA = new();
    private readonly HeldKeyWrites _heldOnB = new();
    private readonly TaskCompletionSource _bWaiting = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string _certificate = null!;
    private PortalAppFactory _a = null!;
    private PortalAppFactory _b = null!;

    public Task InitializeAsync()
    {
        _certificate = KeyRingCertificates.Write(_shared, "shared");
        _a = Host(services => services.PostConfigure<KeyManagementOptions>(o => o.XmlRepository = _heldOnA.Around(o.XmlRepository!)));
        _b = Host(services => services.PostConfigure<KeyManagementOptions>(o => o.XmlRepository = _heldOnB.Around(o.XmlRepository!)),
            services => services.GetRequiredService<KeyRingStartup>().Waiting += () => _bWaiting.TrySetResult());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _heldOnA.Release();
        _heldOnB.Release();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TempDirectory.Delete(_shared);
    }

    [Fact]
    public async Task Start_TwoHostsAtOnceOnAnEmptyDatabase_MakeOneKey_AndEachAcceptsWhatTheOtherProtects()
    {
        var startA = Task.Run(_a.StartServer);
        await _heldOnA.Writing.WaitAsync(Patience);
        var startB = Task.Run(_b.StartServer);
        // B waits for A's key, or (with nothing to stop it) writes its own.
        var bStopped = await Task.WhenAny(_bWaiting.Task, _heldOnB.Writing).WaitAsync(Patience);
        _heldOnA.Release();
        await startA.WaitAsync(Patience);
        _heldOnB.Release();
        _time.Advance(KeyRingStartup.PollInterval);
        await startB.WaitAsync(Patience);

        await using var db = _a.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        var key = Assert.Single(await db.DataProtectionKeys.ToListAsync());
        var keyId = (Guid)XElement.Parse(key.Xml!).Attribute("id")!;
        var fromA = Protect(_a, "issued by host A");
        var fromB = Protect(_b, "issued by host B");
        Assert.Equal((keyId, keyId), (KeyIdOf(fromA), KeyIdOf(fromB)));
        Assert.Equal(("issued by host A", "issued by host B"), (Unprotect(_b, fromA), Unprotect(_a, fromB)));
        await AssertSignInCarriesOverAsync(formFrom: _a, postedTo: _b);
        await AssertSignInCarriesOverAsync(formFrom: _b, postedTo: _a);
        // B waited for A's key rather than making its own; the lease is free for the next start.
        Assert.Same(_bWaiting.Task, bStopped);
        var lease = await db.Leases.SingleAsync(l => l.Name == KeyRingStartup.LeaseName);
        Assert.True(lease.ExpiresAt <= _time.GetUtcNow());
    }

    [Fact]
    public async Task Start_HolderOfTheLeaseDiedBeforeMakingTheKey_TheNextHostTakesTheLeaseOnceItLapses()
    {
        // An empty ring whose lease a holder took and then died without making the key.
        _heldOnA.Release();
        _a.StartServer();
        await using (var db = _a.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext())
        {
            await db.DataProtectionKeys.ExecuteDeleteAsync();
        }

        Assert.True(await _a.Services.GetRequiredService<Leases>().TryAcquireAsync(KeyRingStartup.LeaseName, "died-holding-it", KeyRingStartup.LeaseDuration, default));
        _heldOnB.Release();

        var startB = Task.Run(_b.StartServer);
        await _bWaiting.Task.WaitAsync(Patience);
        Assert.False(startB.IsCompleted);
        _time.Advance(KeyRingStartup.LeaseDuration);
        await startB.WaitAsync(Patience);

        await using var after = _a.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        var key = Assert.Single(await after.DataProtectionKeys.ToListAsync());
        Assert.Equal((Guid)XElement.Parse(key.Xml!).Attribute("id")!, KeyIdOf(Protect(_b, "after the lapse")));
    }

    [Fact]
    public void Start_DatabaseWithoutTables_StartsAndSaysTheRingWasNotChecked()
    {
        // Outside Development the migrations are applied by the operator; until then there is no lease and no ring table.
        using var host = new PortalAppFactory { Environment = "Production" }
            .WithSetting("AzureAd:Instance", "https://login.microsoftonline.com/")
            .WithSetting("AzureAd:TenantId", "organizations")
            .WithSetting("AzureAd:ClientId", "11111111-2222-3333-4444-555555555555")
            .WithSetting("AzureAd:ClientSecret", "development-only-secret")
            .WithSetting("Authentication:HomeTenantId", "9e7b0a4c-0000-4000-8000-000000000001")
            .WithSetting("Reconciliation:Enabled", "false")
            .WithSetting("Rotation:Monitor:Enabled", "false")
            .WithSetting("Notifications:Dispatch:Enabled", "false")
            .WithSetting("Audit:Retention:Enabled", "false");

        host.StartServer();

        Assert.Contains(host.Logs.GetSnapshot(), r => r.Category == typeof(KeyRingStartup).FullName && r.Level == LogLevel.Warning
            && r.Message.StartsWith("The key ring could not be checked at start-up (apply the migrations)", StringComparison.Ordinal));
    }

    /// <summary>
    /// A start on a ring with a usable key takes no lease and ends <see cref="KeyRingStartup"/> having only listed the
    /// keys; Data Protection's own start-up service, which runs after it and before the server, loads the ring into its
    /// cache. Without that, the first requests would each find no ring cached and load it from the database (one caller
    /// reading it synchronously, the others blocked on its lock), a pool thread each, just as a new instance takes load.
    /// </summary>
    [Fact]
    public async Task Start_OnARingWithAUsableKey_LoadsTheRingBeforeServing_SoTheFirstRequestsReadNoKeys()
    {
        // A ring with the key another instance made; a new instance starts on it, as one does when the portal scales out.
        _heldOnA.Release();
        _a.StartServer();
        var fromA = Protect(_a, "issued by host A");
        var reads = new GatedKeyReads();
        await using var c = Host(services => services.PostConfigure<KeyManagementOptions>(o => o.XmlRepository = reads.Around(o.XmlRepository!)));
        c.StartServer();
        var readsAtStart = reads.Count;
        // From here a read of the ring throws: a first Protect, a cookie, antiforgery token or page that had to load it fails.
        reads.Close();

        var fromC = Protect(c, "issued by host C");
        var unprotected = (Unprotect(c, fromA), Unprotect(c, fromC));
        var cookies = new CookieContainer();
        using var browserOnA = _a.CreateDefaultClient(new Uri("http://localhost"), new CookieContainerHandler(cookies));
        using var browserOnC = c.CreateDefaultClient(new Uri("http://localhost"), new CookieContainerHandler(cookies));
        await PortalAppFactory.SignInAsync(browserOnA, "contoso-admin", "/tenants/contoso/api-key");
        using var page = await browserOnC.GetAsync("/tenants/contoso/api-key");

        Assert.Equal(("issued by host A", "issued by host C"), unprotected);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Contoso Ltd", WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(KeyIdOf(fromA), KeyIdOf(fromC));
        Assert.Equal(0, reads.AfterClose);
        Assert.True(readsAtStart > 0);
    }

    private PortalAppFactory Host(Action<IServiceCollection>? configure = null, Action<IServiceProvider>? built = null) => new PortalAppFactory
    {
        ConfigureServices = services =>
        {
            services.AddSingleton<TimeProvider>(_time);
            configure?.Invoke(services);
        },
        Built = built,
    }
        .WithSetting("ConnectionStrings:TenantPortal", $"Data Source={Path.Combine(_shared, "portal.db")}")
        .WithSetting("DataProtection:CertificatePath", _certificate)
        .WithSetting("DataProtection:CertificatePassword", KeyRingCertificates.Password)
        .WithSetting("Reconciliation:Enabled", "false")
        .WithSetting("Rotation:Monitor:Enabled", "false")
        .WithSetting("Notifications:Dispatch:Enabled", "false")
        .WithSetting("Audit:Retention:Enabled", "false");

    private static string Protect(PortalAppFactory host, string value) =>
        host.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(nameof(KeyRingStartupTests)).Protect(value);

    private static string Unprotect(PortalAppFactory host, string value) =>
        host.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(nameof(KeyRingStartupTests)).Unprotect(value);

    /// <summary>The key a payload was protected with: after the 4-byte magic header, the key's id.</summary>
    private static Guid KeyIdOf(string payload) => new(WebEncoders.Base64UrlDecode(payload).AsSpan(4, 16));

    /// <summary>The antiforgery form comes from one host, is posted to the other, which signs in; its cookie then opens a page on the first.</summary>
    private static async Task AssertSignInCarriesOverAsync(PortalAppFactory formFrom, PortalAppFactory postedTo)
    {
        var cookies = new CookieContainer();
        using var browserOnFirst = formFrom.CreateDefaultClient(new Uri("http://localhost"), new CookieContainerHandler(cookies));
        using var browserOnSecond = postedTo.CreateDefaultClient(new Uri("http://localhost"), new CookieContainerHandler(cookies));
        var form = await browserOnFirst.GetStringAsync("/dev/sign-in");
        using var post = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["persona"] = "contoso-admin",
            ["returnUrl"] = "/tenants/contoso/api-key",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(AntiforgeryToken().Match(form).Groups[1].Value),
        });
        using var signedIn = await browserOnSecond.PostAsync("/authentication/dev-sign-in", post);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/tenants/contoso/api-key", signedIn.Headers.Location!.OriginalString);

        using var page = await browserOnFirst.GetAsync("/tenants/contoso/api-key");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Contoso Ltd", WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync()), StringComparison.Ordinal);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    /// <summary>Counts the reads of the key ring through the portal's repository; once closed, a read fails (and is counted).</summary>
    private sealed class GatedKeyReads
    {
        private int _count;
        private int _afterClose;
        private volatile bool _closed;

        public int Count => Volatile.Read(ref _count);

        public int AfterClose => Volatile.Read(ref _afterClose);

        public void Close() => _closed = true;

        public IXmlRepository Around(IXmlRepository inner) => new Repository(inner, this);

        private sealed class Repository(IXmlRepository inner, GatedKeyReads reads) : IXmlRepository
        {
            public IReadOnlyCollection<XElement> GetAllElements()
            {
                Interlocked.Increment(ref reads._count);
                if (reads._closed)
                {
                    Interlocked.Increment(ref reads._afterClose);
                    throw new InvalidOperationException("The key ring was read from its repository after the host had started.");
                }

                return inner.GetAllElements();
            }

            public void StoreElement(XElement element, string friendlyName) => inner.StoreElement(element, friendlyName);
        }
    }

    /// <summary>Holds the first key write through the portal's repository until the test releases it.</summary>
    private sealed class HeldKeyWrites
    {
        private readonly TaskCompletionSource _writing = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Writing => _writing.Task;

        public IXmlRepository Around(IXmlRepository inner) => new Repository(inner, this);

        public void Release() => _released.TrySetResult();

        private sealed class Repository(IXmlRepository inner, HeldKeyWrites hold) : IXmlRepository
        {
            public IReadOnlyCollection<XElement> GetAllElements() => inner.GetAllElements();

            public void StoreElement(XElement element, string friendlyName)
            {
                // Data Protection writes keys synchronously; the write is held on its own thread.
                hold._writing.TrySetResult();
                hold._released.Task.GetAwaiter().GetResult();
                inner.StoreElement(element, friendlyName);
            }
        }
    }
}
