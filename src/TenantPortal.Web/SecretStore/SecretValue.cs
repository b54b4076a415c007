namespace TenantPortal.Web.SecretStore;

/// <summary>
/// A secret value in transit to the store. It prints as <c>[redacted]</c> so that it cannot reach a log,
/// an exception message or a debugger display by accident; only a store adapter reads it.
/// </summary>
public sealed class SecretValue
{
    private readonly string _value;

    public SecretValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    public int Length => _value.Length;

    internal string Expose() => _value;

    public override string ToString() => "[redacted]";
}
