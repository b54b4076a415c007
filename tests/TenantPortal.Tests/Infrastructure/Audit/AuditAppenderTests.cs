using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Infrastructure.Audit;

public sealed class AuditAppenderTests : IAsyncLifetime
{
    private readonly AuditWriteGate _gate = new();
    private PortalServices _portal = null!;

    public async Task InitializeAsync() => _portal = await PortalServices.StartAsync(
        services => services.AddSingleton<IInterceptor>(_gate),
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
