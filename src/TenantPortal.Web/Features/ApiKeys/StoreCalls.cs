using System.Data.Common;
using Microsoft.EntityFrameworkCore.Storage;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.ApiKeys;

/// <summary>
/// The store calls of one change, each made only while the change still holds its key lock: before every call the lease
/// is renewed and proven unless it was proven so recently that the call ends before it could lapse, so a change whose
/// lease lapsed stops instead of writing over another change's work.
/// </summary>
public sealed class StoreCalls
{
    private readonly ISecretStore _store;
    private readonly TenantKeyLocks _locks;
    private readonly TenantKeyLock _held;
    private readonly SecretName _name;

    internal StoreCalls(ISecretStore store, TenantKeyLocks locks, TenantKeyLock held, SecretName name)
    {
        _store = store;
        _locks = locks;
        _held = held;
        _name = name;
    }

    public async Task<SecretVersionProperties> SetAsync(SecretValue value, SecretWriteOptions options, CancellationToken cancellationToken)
    {
        await HoldAsync(cancellationToken);
        return await _store.SetAsync(_name, value, options, cancellationToken);
    }

    public async Task DisableAsync(string version, CancellationToken cancellationToken)
    {
        await HoldAsync(cancellationToken);
        await _store.UpdateVersionAsync(_name, version, new SecretVersionUpdate(Enabled: false), cancellationToken);
    }

    public Task<StoreView> ListAsync(CancellationToken cancellationToken) => StoreView.ListAsync(_store, _name, cancellationToken);

    public async Task<StoreView?> TryListAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await ListAsync(cancellationToken);
        }
        catch (SecretStoreException)
        {
            return null;
        }
    }

    internal async Task<bool> LockLostAsync()
    {
        try
        {
            return !await _locks.RenewAsync(_held, CancellationToken.None);
        }
        catch (Exception ex) when (ex is DbException or RetryLimitExceededException)
        {
            return false;
        }
    }

    /// <summary>Best effort: disables a version this change wrote but could not record, after losing its lock.</summary>
    internal async Task TryWithdrawAsync(string version)
    {
        try
        {
            await _store.UpdateVersionAsync(_name, version, new SecretVersionUpdate(Enabled: false), CancellationToken.None);
        }
        catch (SecretStoreException)
        {
            // Reconciliation finds it; the user was told the key was not recorded.
        }
    }

    private async Task HoldAsync(CancellationToken cancellationToken)
    {
        if (!await _locks.HoldAsync(_held, cancellationToken))
        {
            throw new KeyLockLostException();
        }
    }
}

/// <summary>The change's key lock lapsed and another change took it: it must not touch the store again.</summary>
public sealed class KeyLockLostException() : Exception("The key lock lapsed before the change could finish.");
