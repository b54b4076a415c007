using Microsoft.Extensions.Time.Testing;
using TenantPortal.Web.Auth;

namespace TenantPortal.Tests.TestHost;

public static class CircuitRevalidation
{
    /// <summary>Moves the clock and waits for the circuit check it triggers; true when the session may go on.</summary>
    public static async Task<bool> CheckAfterAsync(this RevalidatingPortalAuthenticationStateProvider provider, FakeTimeProvider time, TimeSpan advance)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(time);
        var checkedOnce = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnRevalidated(bool valid) => checkedOnce.TrySetResult(valid);
        provider.Revalidated += OnRevalidated;
        try
        {
            time.Advance(advance);
            return await checkedOnce.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            provider.Revalidated -= OnRevalidated;
        }
    }
}
