using Microsoft.Extensions.DependencyInjection;

namespace TenantPortal.Tests.TestHost;

/// <summary>
/// <see cref="ComponentTestBase"/> with the portal's real feature services behind the components (SQLite, Data
/// Protection, authorization, the audit chain): for pages whose tests drive those services. bunit's waits keep their
/// default bound; a real operation that a click starts is awaited through <see cref="CompletionOf"/>, not waited out.
/// </summary>
public abstract class PortalComponentTestBase : ComponentTestBase
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    protected PortalServices Portal { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Portal = await PortalServices.StartAsync(ConfigurePortal);
        Services.AddFallbackServiceProvider(Portal.Services);
    }

    protected override ValueTask DisposeBehindAsync() => Portal?.DisposeAsync() ?? ValueTask.CompletedTask;

    /// <summary>Service replacements for the portal behind the components (e.g. a DNS stand-in).</summary>
    protected virtual void ConfigurePortal(IServiceCollection services)
    {
    }

    /// <summary>
    /// Awaits an event handler's task (from <c>ClickAsync</c>): it completes once the operation behind the click has
    /// returned and the component has rendered its outcome; a button that opens a dialog completes once the dialog
    /// has closed and the page has acted on its result. The bound only turns a hang into a failure.
    /// </summary>
    protected static Task CompletionOf(Task handler) => handler.WaitAsync(HangGuard);
}
