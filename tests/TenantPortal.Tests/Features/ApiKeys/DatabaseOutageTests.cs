using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.ApiKeys;

/// <summary>
/// A database outage longer than SQL Server's retrying strategy ends in EF Core's <see cref="RetryLimitExceededException"/>,
/// which is not a <see cref="DbException"/>: a change then answers that the database did not answer, as for any database
/// error, and writes nothing, rather than throwing into the page or the API.
/// </summary>
public sealed class DatabaseOutageTests : IAsyncLifetime
{
    private readonly OutageAt _outage = new();
    private PortalServices _portal = null!;

    public async Task InitializeAsync() => _portal = await PortalServices.StartAsync(services => services.AddSingleton<IInterceptor>(_outage));

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task Submit_WhenTheRetriesRunOutTakingTheKeyLock_SaysTheDatabaseDidNotAnswer_AndChangesNothing_ThenWorksOnceItIsBack()
    {
        var keys = _portal.Get<ApiKeyService>();
        // The key lock's take: the first write of a change, on the tenant's row.
        _outage.FailNext(sql => sql.StartsWith("UPDATE \"Tenants\"", StringComparison.Ordinal) && sql.Contains("\"KeyLockHolder\" IS NULL", StringComparison.Ordinal));

        var during = await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue("sk_live_during_outage_00001"), default);

        Assert.Equal(KeyChangeOutcome.Failed, during.Outcome);
        Assert.Equal("The portal's database did not answer, so nothing was changed. Please try again in a moment.", during.Message);
        Assert.Empty(await _portal.StoredVersionsAsync("contoso"));
        await using (var db = _portal.CreateDbContext())
        {
            Assert.False(await db.ApiKeyVersions.AnyAsync(v => v.TenantId == "contoso"));
            Assert.Null((await db.Tenants.SingleAsync(t => t.Id == "contoso")).KeyLockHolder);
        }

        var after = await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue("sk_live_after_outage_000001"), default);

        Assert.Equal(KeyChangeOutcome.Done, after.Outcome);
        Assert.Single(await _portal.StoredVersionsAsync("contoso"));
        await using var check = _portal.CreateDbContext();
        Assert.Equal([AuditOutcome.Requested, AuditOutcome.Succeeded],
            await check.AuditEvents.Where(e => e.TenantId == "contoso" && e.Action == AuditActions.ApiKeySubmit).OrderBy(e => e.Id).Select(e => e.Outcome).ToListAsync());
    }

    [Fact]
    public async Task Submit_WhenTheRetriesRunOutReadingTheKeysStateUnderTheLock_SaysTheDatabaseDidNotAnswer_AndGivesTheLockBack()
    {
        var keys = _portal.Get<ApiKeyService>();
        // The state read under the lock: the tenant with its versions (the only query joining the two).
        _outage.FailNext(sql => sql.StartsWith("SELECT", StringComparison.Ordinal) && sql.Contains("\"ApiKeyVersions\"", StringComparison.Ordinal)
            && sql.Contains("\"Tenants\"", StringComparison.Ordinal));

        var during = await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue("sk_live_state_outage_00001"), default);

        Assert.Equal(KeyChangeOutcome.Failed, during.Outcome);
        Assert.Equal("The portal's database did not answer, so nothing was changed. Please try again in a moment.", during.Message);
        Assert.Empty(await _portal.StoredVersionsAsync("contoso"));
        await using (var db = _portal.CreateDbContext())
        {
            Assert.Null((await db.Tenants.SingleAsync(t => t.Id == "contoso")).KeyLockHolder);
            Assert.False(await db.AuditEvents.AnyAsync(e => e.TenantId == "contoso" && e.Action == AuditActions.ApiKeySubmit));
        }

        var after = await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue("sk_live_after_state_outage_1"), default);
        Assert.Equal(KeyChangeOutcome.Done, after.Outcome);
    }

    /// <summary>Throws what the retrying strategy throws when it gives up, from the next command that matches.</summary>
    private sealed class OutageAt : DbCommandInterceptor
    {
        private Func<string, bool>? _matches;

        public void FailNext(Func<string, bool> matches) => Interlocked.Exchange(ref _matches, matches);

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            ThrowIfNext(command);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            ThrowIfNext(command);
            return ValueTask.FromResult(result);
        }

        private void ThrowIfNext(DbCommand command)
        {
            if (Volatile.Read(ref _matches) is { } matches && matches(command.CommandText) && Interlocked.CompareExchange(ref _matches, null, matches) == matches)
            {
                throw new RetryLimitExceededException("The maximum number of retries (6) was exceeded.", new TimeoutException("Connection timeout expired."));
            }
        }
    }
}
