using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace TenantPortal.Tests.KeyReader;

/// <summary>One usage report as it reached the portal's address: what the reader sent, headers and body.</summary>
internal sealed record ReceivedReport(HttpMethod Method, Uri Uri, string? Authorization, string? ContentType, string Body)
{
    public JsonObject Json => JsonNode.Parse(Body)!.AsObject();

    public Guid BatchId => Json["batchId"]!.GetValue<Guid>();

    public long DroppedEntries => Json["droppedEntries"]!.GetValue<long>();

    /// <summary>The entries, ordered by tenant and version.</summary>
    public List<JsonObject> Entries => Json["entries"]!.AsArray().Select(e => e!.AsObject())
        .OrderBy(e => e["tenantId"]!.GetValue<string>(), StringComparer.Ordinal)
        .ThenBy(e => e["version"]!.GetValue<string>(), StringComparer.Ordinal).ToList();
}

/// <summary>
/// Stands in for the portal's endpoint in the reader's HTTP client: records each report and answers as the test says
/// (200 by default); a test can hold the answer at a gate, as a portal that accepts the connection and never answers.
/// </summary>
internal sealed class PortalReceiver : HttpMessageHandler
{
    private readonly Channel<ReceivedReport> _arrived = Channel.CreateUnbounded<ReceivedReport>();

    public ConcurrentQueue<ReceivedReport> Reports { get; } = new();

    /// <summary>The answer to the next reports; null answers 200 with the accepted count.</summary>
    public Func<ReceivedReport, CancellationToken, Task<HttpResponseMessage>>? Answer { get; set; }

    public static HttpResponseMessage Status(HttpStatusCode status, string code = "unavailable") => new(status)
    {
        Content = new StringContent($$"""{"status":{{(int)status}},"code":"{{code}}","detail":"The portal says no."}""", Encoding.UTF8, "application/problem+json"),
    };

    /// <summary>Holds every answer until <paramref name="gate"/> completes, then answers <paramref name="status"/>.</summary>
    public static Func<ReceivedReport, CancellationToken, Task<HttpResponseMessage>> HeldAt(Task gate, HttpStatusCode status) => async (_, cancellationToken) =>
    {
        await gate.WaitAsync(cancellationToken);
        return Status(status);
    };

    public async Task<ReceivedReport> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _arrived.Reader.ReadAsync(timeout.Token);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var report = new ReceivedReport(request.Method, request.RequestUri!, request.Headers.Authorization?.ToString(),
            request.Content?.Headers.ContentType?.ToString(), body);
        Reports.Enqueue(report);
        _arrived.Writer.TryWrite(report);
        if (Answer is { } answer)
        {
            return await answer(report, cancellationToken);
        }

        var entries = report.Json["entries"]!.AsArray().Count;
        return new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent($$"""{"batchId":"{{report.BatchId}}","accepted":{{entries}},"unknown":0}""", Encoding.UTF8, "application/json"),
        };
    }
}
