namespace TenantPortal.Web.Components;

/// <summary>
/// Marks a static page that holds interactive islands (components rendered with a render mode): the app then opens the
/// circuit's own root (CircuitServices) beside them, as it does for an interactive page (docs/architecture.md#the-shell).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class InteractiveIslandsAttribute : Attribute
{
    /// <summary>
    /// False for a page none of whose islands or dialogs opens a popover (a select, menu or tooltip): the circuit then
    /// keeps no popover provider while the page is open (docs/benchmarks.md#circuits).
    /// </summary>
    public bool Popovers { get; init; } = true;
}
