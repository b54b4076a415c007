using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Infrastructure.Audit;

public sealed class AuditAppenderTests : IAsyncLifetime
{
    private readonly AuditWriteGate _gate = new();
    private readonly AuditWriteFault _fault = new();
    private PortalServices _portal = null!;

    public async Task InitializeAsync() => _portal = await PortalServices.StartAsync(
        services => services.AddSingleton<IInterceptor>(_gate).AddSingleton<IInterceptor>(_fault),
        new Dictionary<string, string?> { ["Audit:QueueCapacity"] = "2" });

    public async Task DisposeAsync()
    {
        _gate.Release();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task AppendAsync_QueueFull_RefusesAtOnceAndASubmitStoresNothing()
    {
        var audit = _portal.Get<AuditTrail>();
        _gate.Arm();
        // The writer takes the first event and is held inside its commit; the next two fill the queue.
        var held = audit.AppendAsync(audit.Create(null, "Test.Held", AuditOutcome.Succeeded, null), default);
        await _gate.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        var queued = new[]
        {
            audit.AppendAsync(audit.Create(null, "Test.Queued", AuditOutcome.Succeeded, null), default),
            audit.AppendAsync(audit.Create(null, "Test.Queued", AuditOutcome.Succeeded, null), default),
        };

        var refused = await Assert.ThrowsAsync<AuditUnavailableException>(
            () => audit.AppendAsync(audit.Create(null, "Test.Refused", AuditOutcome.Succeeded, null), default).WaitAsync(TimeSpan.FromSeconds(10)));
        var submit = await _portal.Get<ApiKeyService>().SubmitApiKeyAsync(
            TestPersonas.ContosoAdmin, "contoso", new SecretValue("sk_live_queue_full_000001"), default);

        Assert.Equal("The audit trail is refusing new events: 2 appends are already waiting to be written.", refused.Message);
        Assert.Equal(KeyChangeOutcome.Failed, submit.Outcome);
        Assert.Equal("The audit trail is unavailable, so the key was not stored. Nothing was changed; please try again later.", submit.Message);
        Assert.Empty(await _portal.StoredVersionsAsync("contoso"));

        _gate.Release();
        await held;
        await Task.WhenAll(queued);
        await using var db = _portal.CreateDbContext();
        Assert.Equal(["Test.Held", "Test.Queued", "Test.Queued"], await db.AuditEvents.OrderBy(e => e.Id).Select(e => e.Action).ToListAsync());
        Assert.False(await db.ApiKeyVersions.AnyAsync());
    }

    [Fact]
    public async Task AppendAsync_WhenTheDatabasesRetriesRunOut_FailsThatAppend_AndTheWriterGoesOn()
    {
        var audit = _portal.Get<AuditTrail>();
        // What SQL Server's retrying execution strategy throws once an outage outlasts its retries: not a DbException.
        _fault.ThrowOnNext(new RetryLimitExceededException("The maximum number of retries (6) was exceeded.", new TimeoutException("Connection timeout expired.")));

        // The 30 seconds only turn a hang into a failure: a writer ended by the exception never answers either append.
        var failed = await Assert.ThrowsAsync<AuditUnavailableException>(
            () => audit.AppendAsync(audit.Create(null, "Test.DuringOutage", AuditOutcome.Succeeded, null), default).WaitAsync(TimeSpan.FromSeconds(30)));
        await audit.AppendAsync(audit.Create(null, "Test.AfterOutage", AuditOutcome.Succeeded, null), default).WaitAsync(TimeSpan.FromSeconds(30));
        var submit = await _portal.Get<ApiKeyService>().SubmitApiKeyAsync(
            TestPersonas.ContosoAdmin, "contoso", new SecretValue("sk_live_after_outage_000001"), default);

        Assert.Equal("The audit trail could not be written.", failed.Message);
        Assert.IsType<RetryLimitExceededException>(failed.InnerException);
        Assert.Equal(KeyChangeOutcome.Done, submit.Outcome);
        await using var db = _portal.CreateDbContext();
        Assert.Equal(["Test.AfterOutage", AuditActions.ApiKeySubmit, AuditActions.ApiKeySubmit],
            await db.AuditEvents.Where(e => e.Action.StartsWith("Test.") || e.TenantId == "contoso").OrderBy(e => e.Id).Select(e => e.Action).ToListAsync());
    }

    [Fact]
    public async Task AppendAsync_AGroupWhenTheDatabasesRetriesRunOut_FailsEveryEventInItAtOnce_NotEachAfterARetryOfItsOwn()
    {
        var audit = _portal.Get<AuditTrail>();
        _gate.Arm();
        var held = audit.AppendAsync(audit.Create(null, "Test.Held", AuditOutcome.Succeeded, null), default);
        await _gate.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        // Queued behind the held commit, these two are the writer's next group.
        var group = new[]
        {
            audit.AppendAsync(audit.Create(null, "Test.InGroup", AuditOutcome.Succeeded, null), default),
            audit.AppendAsync(audit.Create(null, "Test.InGroup", AuditOutcome.Succeeded, null), default),
        };
        _fault.ThrowOnNext(new RetryLimitExceededException("The maximum number of retries (6) was exceeded.", new TimeoutException("Connection timeout expired.")), minEvents: 2);

        _gate.Release();
        await held;
        foreach (var append in group)
        {
            var failed = await Assert.ThrowsAsync<AuditUnavailableException>(() => append.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.IsType<RetryLimitExceededException>(failed.InnerException);
        }

        await audit.AppendAsync(audit.Create(null, "Test.After", AuditOutcome.Succeeded, null), default).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, _fault.Thrown);
        await using var db = _portal.CreateDbContext();
        Assert.Equal(["Test.Held", "Test.After"], await db.AuditEvents.Where(e => e.Action.StartsWith("Test.")).OrderBy(e => e.Id).Select(e => e.Action).ToListAsync());
    }

    /// <summary>Throws the given exception from the next save that adds audit events.</summary>
    private sealed class AuditWriteFault : SaveChangesInterceptor
    {
        private Exception? _next;
        private int _minEvents;

        /// <summary>From the next save that adds at least <paramref name="minEvents"/> audit events.</summary>
        public void ThrowOnNext(Exception exception, int minEvents = 1)
        {
            Volatile.Write(ref _minEvents, minEvents);
            Interlocked.Exchange(ref _next, exception);
        }

        public int Thrown { get; private set; }

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
            DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (eventData.Context!.ChangeTracker.Entries<AuditEvent>().Count(e => e.State == EntityState.Added) >= Math.Max(1, Volatile.Read(ref _minEvents))
                && Interlocked.Exchange(ref _next, null) is { } fault)
            {
                Thrown++;
                throw fault;
            }

            return ValueTask.FromResult(result);
        }
    }

    /// <summary>Once armed, holds the next save that adds audit events until the test releases it.</summary>
    private sealed class AuditWriteGate : SaveChangesInterceptor
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _armed;

        public Task Reached => _reached.Task;

        public void Arm() => Interlocked.Exchange(ref _armed, 1);

        public void Release() => _released.TrySetResult();

        public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(
            DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (eventData.Context!.ChangeTracker.Entries<AuditEvent>().Any(e => e.State == EntityState.Added)
                && Interlocked.Exchange(ref _armed, 0) == 1)
            {
                _reached.TrySetResult();
                await _released.Task;
            }

            return result;
        }
    }
}
