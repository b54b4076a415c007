namespace TenantPortal.Web.Infrastructure.Audit;

/// <summary>
/// Builds an audit event's "what changed" text from named metadata fields: <c>Field: before → after</c> for scalar
/// fields and <c>Field: +added −removed</c> for sets. Only fields that changed appear. Never give it a key.
/// </summary>
public sealed class AuditChanges
{
    private readonly List<string> _parts = [];

    public bool IsEmpty => _parts.Count == 0;

    public AuditChanges Add<T>(string field, T before, T after)
    {
        if (!EqualityComparer<T>.Default.Equals(before, after))
        {
            _parts.Add($"{field}: {Show(before)} → {Show(after)}");
        }

        return this;
    }

    public AuditChanges AddSet(string field, IEnumerable<string> before, IEnumerable<string> after)
    {
        var old = before.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var now = after.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var added = now.Except(old, StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).Select(v => "+" + v);
        var removed = old.Except(now, StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).Select(v => "−" + v);
        var delta = added.Concat(removed).ToList();
        if (delta.Count > 0)
        {
            _parts.Add($"{field}: {string.Join(' ', delta)}");
        }

        return this;
    }

    /// <summary>The changes, cut to what an audit row holds, ending with "…" when cut.</summary>
    public override string ToString()
    {
        var text = string.Join("; ", _parts);
        return text.Length <= AuditEvent.ChangesMaxLength ? text : string.Concat(text.AsSpan(0, AuditEvent.ChangesMaxLength - 1), "…");
    }

    private static string Show<T>(T value) => value switch
    {
        null => "(none)",
        string s when s.Length == 0 => "(none)",
        string s => "\"" + s + "\"",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "(none)",
    };
}
