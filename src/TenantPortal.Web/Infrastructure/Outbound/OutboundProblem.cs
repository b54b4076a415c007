using System.Globalization;
using TenantPortal.Web.Infrastructure.Text;

namespace TenantPortal.Web.Infrastructure.Outbound;

/// <summary>
/// Why an outbound call got no answer, as a reason and its parameters rather than a sentence: a webhook delivery
/// stores it and words it when a person reads the delivery log (<see cref="Text"/>, in the reader's language), while
/// logs, the audit trail and the delivery's English column take <see cref="English"/>. <see cref="Detail"/> is the
/// timeout in seconds (invariant) or the kind of address refused (<see cref="OutboundAddressPolicy.Classify"/>'s words).
/// </summary>
public sealed record OutboundProblem(OutboundProblemReason Reason, string Host, string? Detail = null)
{
    // The record comes first: the SDK names OutboundProblem.resx after the first type in this file.
    private static readonly ResourceTexts Texts = new(typeof(OutboundProblem));

    // The address kinds OutboundAddressPolicy names, each worded by a resource of its own.
    private static readonly Dictionary<string, string> AddressKinds = new(StringComparer.Ordinal)
    {
        ["unspecified (\"this network\")"] = "KindThisNetwork",
        ["unspecified"] = "KindUnspecified",
        ["loopback"] = "KindLoopback",
        ["private network"] = "KindPrivate",
        ["private network (unique local)"] = "KindUniqueLocal",
        ["private network (site-local)"] = "KindSiteLocal",
        ["shared carrier-grade NAT"] = "KindCarrierGradeNat",
        ["link-local"] = "KindLinkLocal",
        ["link-local (the cloud metadata service)"] = "KindCloudMetadata",
        ["Azure platform (wire server)"] = "KindAzureWireServer",
        ["reserved (IETF protocol assignments)"] = "KindIetfReserved",
        ["reserved (discard)"] = "KindDiscard",
        ["reserved"] = "KindReserved",
        ["documentation"] = "KindDocumentation",
        ["benchmarking"] = "KindBenchmarking",
        ["multicast"] = "KindMulticast",
        ["broadcast"] = "KindBroadcast",
        ["non-IP"] = "KindNonIp",
    };

    /// <summary>The address kinds that have a text of their own (the test checks every kind the policy can name has one).</summary>
    public static IReadOnlyCollection<string> WordedAddressKinds => AddressKinds.Keys;

    /// <summary>The problem in the current UI culture.</summary>
    public string Text => Word(english: false);

    /// <summary>The problem in English, for logs, the audit trail and stored English columns.</summary>
    public string English => Word(english: true);

    public override string ToString() => English;

    public static OutboundProblem TimedOut(string host, TimeSpan timeout) =>
        new(OutboundProblemReason.Timeout, host, timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture));

    public static OutboundProblem AddressRefused(string host, string kind) => new(OutboundProblemReason.AddressRefused, host, kind);

    private string Word(bool english)
    {
        var detail = Reason == OutboundProblemReason.AddressRefused && Detail is { } kind
            ? AddressKinds.TryGetValue(kind, out var key) ? Get(english, key) : kind
            : Detail ?? "";
        return Get(english, Reason.ToString(), Host, detail);
    }

    private static string Get(bool english, string key, params object[] arguments) =>
        english ? Texts.FormatIn(CultureInfo.InvariantCulture, key, arguments) : Texts.Format(key, arguments);
}

/// <summary>The kinds of failure an outbound call words, each a resource in <c>OutboundProblem.resx</c>.</summary>
public enum OutboundProblemReason
{
    /// <summary>The URL is not https://.</summary>
    NotHttps,

    /// <summary>The host resolves to an address the portal never calls (<see cref="OutboundProblem.Detail"/>: its kind).</summary>
    AddressRefused,

    NameNotResolved,

    /// <summary>No answer within the request timeout (<see cref="OutboundProblem.Detail"/>: the seconds).</summary>
    Timeout,

    /// <summary>The TCP connection was not made in time.</summary>
    ConnectTimeout,

    ConnectionRefused,

    /// <summary>The connection dropped, or the answer was not valid HTTP.</summary>
    ConnectionDropped,

    TlsFailed,
}
