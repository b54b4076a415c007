using System.Globalization;
using System.Text.Json;
using TenantPortal.Web.Infrastructure.Outbound;
using TenantPortal.Web.Infrastructure.Text;

namespace TenantPortal.Web.Features.Notifications;

/// <summary>
/// Why a delivery attempt failed, as a resource key and its arguments rather than a sentence. A delivery row keeps
/// both: <see cref="Code"/> (language-neutral, worded when a person reads the delivery log, in their language) and
/// <see cref="English"/> (the <c>LastError</c> column operators, logs and exports read). Stored in a neutral form
/// because the attempt runs in the background, where there is no reader yet, and the same row is read later by a
/// Japanese tenant admin and an English support engineer alike.
/// </summary>
public sealed record DeliveryProblem
{
    // The record comes first: the SDK names DeliveryProblem.resx after the first type in this file.
    private static readonly ResourceTexts Texts = new(typeof(DeliveryProblem));

    private const string OutboundKey = "Outbound";
    private const int CodeMaxLength = 500;

    private DeliveryProblem(string key, IReadOnlyList<string> arguments, OutboundProblem? outbound = null)
    {
        (Key, Arguments, _outbound) = (key, arguments, outbound);
    }

    private readonly OutboundProblem? _outbound;

    public string Key { get; }

    public IReadOnlyList<string> Arguments { get; }

    /// <summary>The problem in the current UI culture.</summary>
    public string Text => _outbound?.Text ?? Texts.Format(Key, [.. Arguments]);

    /// <summary>The problem in English, as the <c>LastError</c> column keeps it.</summary>
    public string English => _outbound?.English ?? Texts.FormatIn(CultureInfo.InvariantCulture, Key, [.. Arguments]);

    /// <summary>The stored form: a JSON array of the key and its arguments; null when it would not fit the column (then only the English is kept).</summary>
    public string? Code
    {
        get
        {
            var code = JsonSerializer.Serialize(new[] { Key }.Concat(Arguments).ToArray());
            return code.Length <= CodeMaxLength ? code : null;
        }
    }

    /// <summary>A problem worded by <paramref name="key"/> in <c>DeliveryProblem.resx</c>; arguments are kept as invariant text.</summary>
    public static DeliveryProblem Of(string key, params object[] arguments)
    {
        if (Texts.Find(key) is null)
        {
            throw new ArgumentException($"No delivery problem text '{key}'.", nameof(key));
        }

        return new(key, [.. arguments.Select(a => Convert.ToString(a, CultureInfo.InvariantCulture) ?? "")]);
    }

    /// <summary>An outbound call that got no answer, worded by <see cref="OutboundProblem"/>.</summary>
    public static DeliveryProblem Outbound(OutboundProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return new(OutboundKey, [problem.Reason.ToString(), problem.Host, problem.Detail ?? ""], problem);
    }

    /// <summary>Reads a stored <see cref="Code"/>; null when there is none or it is not one this version words.</summary>
    public static DeliveryProblem? Parse(string? code)
    {
        if (string.IsNullOrEmpty(code))
        {
            return null;
        }

        string[]? parts;
        try
        {
            parts = JsonSerializer.Deserialize<string[]>(code);
        }
        catch (JsonException)
        {
            return null;
        }

        if (parts is not { Length: > 0 } || parts.Any(p => p is null))
        {
            return null;
        }

        if (parts[0] == OutboundKey)
        {
            return parts.Length == 4 && Enum.TryParse<OutboundProblemReason>(parts[1], out var reason) && Enum.IsDefined(reason)
                ? Outbound(new OutboundProblem(reason, parts[2], parts[3].Length == 0 ? null : parts[3]))
                : null;
        }

        return Texts.Find(parts[0]) is { } format && Placeholders(format) <= parts.Length - 1 ? new(parts[0], parts[1..]) : null;
    }

    /// <summary>What a person reads for a delivery's last error: its code worded in their language, else the stored English (rows from before codes).</summary>
    public static string? Describe(string? code, string? english) => Parse(code)?.Text ?? english;

    private static int Placeholders(string format)
    {
        var highest = -1;
        for (var i = 0; i < 10; i++)
        {
            if (format.Contains("{" + i.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal))
            {
                highest = i;
            }
        }

        return highest + 1;
    }
}
