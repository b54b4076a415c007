using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Logging;

namespace TenantPortal.KeyReader;

/// <summary>
/// Gathers the counts every interval and sends them to the portal's <c>POST /api/v1/key-usage</c>, one batch at a
/// time, in the background: a caller never waits for it and never sees it fail. A batch that gets no answer is retried
/// with the same batch id (the portal applies a batch once) while the next counts wait beside it; what waits is
/// bounded, and when it is full the oldest entries go, with one warning, and the next batch that reaches the portal
/// says how many. Entries hold tenant ids, versions, counts and times: never a value.
/// </summary>
internal sealed partial class KeyUsageSender : IAsyncDisposable, IDisposable
{
    public const string RelativePath = "api/v1/key-usage";
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    private readonly KeyUsageRecorder _recorder;
    private readonly TenantApiKeyUsageReportingOptions _options;
    private readonly TokenCredential _credential;
    private readonly Func<HttpClient> _createClient;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Uri _endpoint;
    private readonly string[] _scopes;
    private readonly PeriodicTimer _timer;
    private readonly CancellationTokenSource _stopTicks = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    private readonly object _gate = new();

    /// <summary>Entries waiting for a batch, oldest first, merged per tenant and version. Guarded by <see cref="_gate"/>.</summary>
    private readonly Dictionary<(string TenantId, string Version), LinkedListNode<KeyUsageSample>> _pending = [];
    private readonly LinkedList<KeyUsageSample> _order = new();

    /// <summary>A batch the portal has not acknowledged, to send again as it is. Guarded by <see cref="_gate"/>.</summary>
    private KeyUsageBatch? _retained;

    /// <summary>The batch being sent. Guarded by <see cref="_gate"/>.</summary>
    private KeyUsageBatch? _sending;

    /// <summary>The send started by the last tick that started one. Touched by the loop, and by disposal once the loop ended.</summary>
    private Task? _inFlight;
    /// <summary>A send is running (from its start until its outcome is applied). Guarded by <see cref="_gate"/>.</summary>
    private bool _sendRunning;

    private long _droppedUnreported;
    private bool _dropWarned;
    private DateTimeOffset? _failingSince;
    private AccessToken? _token;

    /// <summary>
    /// The factory's client: a new one per interval (so the factory can rotate its handlers), the last one kept for the
    /// report sent while the host is disposing, when the factory can no longer make one.
    /// </summary>
    private HttpClient _client;

    public KeyUsageSender(
        KeyUsageRecorder recorder, TenantApiKeyUsageReportingOptions options, TokenCredential credential, Func<HttpClient> createClient,
        TimeProvider time, ILogger<KeyUsageSender> logger)
    {
        _recorder = recorder;
        _options = options;
        _credential = credential;
        _createClient = createClient;
        _time = time;
        _logger = logger;
        _endpoint = new Uri(options.PortalUri!.AbsoluteUri.TrimEnd('/') + "/" + RelativePath);
        _scopes = [options.PortalAppIdUri!.TrimEnd('/') + "/.default"];
        // Made here, not on a thread of its own, so that the first interval starts now on any clock.
        _client = createClient();
        _timer = new PeriodicTimer(options.Interval, time);
        _loop = RunAsync();
    }

    /// <summary>After each interval's counts joined the waiting entries (and a send was started if none was running). For tests.</summary>
    internal event Action? Ticked;

    /// <summary>After each send, with its outcome. For tests.</summary>
    internal event Action<KeyUsageSendOutcome>? Sent;

    /// <summary>Entries waiting or in a batch not yet acknowledged.</summary>
    internal int HeldEntries
    {
        get
        {
            lock (_gate)
            {
                return Held();
            }
        }
    }

    private async Task RunAsync()
    {
        try
        {
            while (await _timer.WaitForNextTickAsync(_stopTicks.Token))
            {
                try
                {
                    Tick();
                }
#pragma warning disable CA1031 // A bug in one interval must not end the reports for the life of the process.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogTickFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private void Tick()
    {
        Gather();
        // One send at a time, off the timer's thread; while it waits on the portal, the next intervals only gather.
        bool start;
        lock (_gate)
        {
            start = !_sendRunning;
            _sendRunning = true;
        }

        if (start)
        {
            _client = _createClient();
            _inFlight = Task.Run(() => SendNextAsync(_options.SendTimeout, _stopping.Token), CancellationToken.None);
        }

        Ticked?.Invoke();
    }

    private void Gather()
    {
        var samples = _recorder.Harvest();
        var refused = _recorder.TakeRefused();
        lock (_gate)
        {
            if (refused > 0)
            {
                Drop(refused, "rejections of versions beyond the counting table's capacity");
            }

            foreach (var sample in samples)
            {
                var key = (sample.TenantId, sample.Version);
                if (_pending.TryGetValue(key, out var node))
                {
                    node.Value = node.Value.Merge(sample);
                    continue;
                }

                if (Held() >= _options.MaxPendingEntries && !MakeRoom())
                {
                    Drop(1, "the newest entry, as every kept one is in the batch being sent");
                    continue;
                }

                _pending[key] = _order.AddLast(sample);
            }
        }
    }

    /// <summary>Drops the oldest entries: a batch waiting to be sent again first (whole: it is older than any waiting entry), else the oldest waiting entry.</summary>
    private bool MakeRoom()
    {
        if (_retained is { } retained)
        {
            _retained = null;
            _droppedUnreported += retained.DroppedEntries;
            Drop(retained.Entries.Count, "the oldest batch, not acknowledged by the portal");
            return true;
        }

        if (_order.First is { } oldest)
        {
            _order.RemoveFirst();
            _pending.Remove((oldest.Value.TenantId, oldest.Value.Version));
            Drop(1, "the oldest waiting entry");
            return true;
        }

        return false;
    }

    private void Drop(long count, string what)
    {
        _droppedUnreported += count;
        if (!_dropWarned)
        {
            _dropWarned = true;
            LogDropping(_logger, _options.MaxPendingEntries, what, _failingSince is { } since ? _time.GetUtcNow() - since : TimeSpan.Zero);
        }
    }

    private int Held() => _pending.Count + (_retained?.Entries.Count ?? 0) + (_sending?.Entries.Count ?? 0);

    private async Task SendNextAsync(TimeSpan timeout, CancellationToken stopping)
    {
        KeyUsageBatch? batch;
        lock (_gate)
        {
            batch = _retained ?? FormBatch();
            _retained = null;
            _sending = batch;
            _sendRunning = batch is not null;
        }

        if (batch is null)
        {
            return;
        }

        var outcome = await PostAsync(batch, timeout, stopping);
        lock (_gate)
        {
            _sending = null;
            _sendRunning = false;
            var now = _time.GetUtcNow();
            switch (outcome.Kind)
            {
                case KeyUsageSendResult.Delivered:
                    if (_failingSince is { } since)
                    {
                        LogRecovered(_logger, now - since, batch.BatchId);
                    }

                    _failingSince = null;
                    _dropWarned = false;
                    if (outcome.Unknown > 0)
                    {
                        LogUnknown(_logger, batch.BatchId, outcome.Unknown, batch.Entries.Count);
                    }

                    break;
                case KeyUsageSendResult.Refused:
                    _droppedUnreported += batch.DroppedEntries + batch.Entries.Count;
                    LogRefused(_logger, batch.BatchId, outcome.Reason!, batch.Entries.Count);
                    break;
                default:
                    if (_failingSince is null)
                    {
                        _failingSince = now;
                        LogNotDelivered(_logger, batch.BatchId, outcome.Reason!, _options.Interval, _options.MaxPendingEntries);
                    }

                    _retained = batch;
                    break;
            }
        }

        Sent?.Invoke(outcome);
    }

    private KeyUsageBatch? FormBatch()
    {
        if (_order.Count == 0 && _droppedUnreported == 0)
        {
            return null;
        }

        var entries = new List<KeyUsageSample>(Math.Min(_order.Count, _options.MaxBatchEntries));
        while (entries.Count < _options.MaxBatchEntries && _order.First is { } oldest)
        {
            _order.RemoveFirst();
            _pending.Remove((oldest.Value.TenantId, oldest.Value.Version));
            entries.Add(oldest.Value);
        }

        var batch = new KeyUsageBatch(Guid.NewGuid(), entries, _droppedUnreported);
        _droppedUnreported = 0;
        return batch;
    }

    private async Task<KeyUsageSendOutcome> PostAsync(KeyUsageBatch batch, TimeSpan timeout, CancellationToken stopping)
    {
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, deadline.Token);
        var cancellationToken = linked.Token;
        try
        {
            var token = await TokenAsync(cancellationToken);
            using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = Serialize(batch) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await _client.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return KeyUsageSendOutcome.Delivered(response.StatusCode, UnknownOf(body));
            }

            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                _token = null; // a new token next time, in case this one was revoked or its roles changed
            }

            var reason = $"{(int)response.StatusCode} {ProblemOf(body)}";
            return response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.UnsupportedMediaType
                or HttpStatusCode.UnprocessableEntity
                ? KeyUsageSendOutcome.Refused(response.StatusCode, reason)
                : KeyUsageSendOutcome.NotDelivered(response.StatusCode, reason);
        }
        catch (AuthenticationFailedException ex) // CredentialUnavailableException too
        {
            return KeyUsageSendOutcome.NotDelivered(null, $"the reader's identity got no token for {_scopes[0]}: {ex.Message}");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return KeyUsageSendOutcome.NotDelivered(null, $"no answer within {timeout}");
        }
        catch (OperationCanceledException)
        {
            return KeyUsageSendOutcome.NotDelivered(null, "the key reader is shutting down");
        }
        catch (HttpRequestException ex)
        {
            return KeyUsageSendOutcome.NotDelivered(null, ex.Message);
        }
#pragma warning disable CA1031 // Whatever goes wrong here stays here: reporting never fails a caller or the loop.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return KeyUsageSendOutcome.NotDelivered(null, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private async ValueTask<string> TokenAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_token is { } cached && now < (cached.RefreshOn ?? cached.ExpiresOn - TimeSpan.FromMinutes(5)))
        {
            return cached.Token;
        }

        var token = await _credential.GetTokenAsync(new TokenRequestContext(_scopes), cancellationToken);
        _token = token;
        return token.Token;
    }

    internal static ReadOnlyMemoryContent Serialize(KeyUsageBatch batch)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (batch.Entries.Count * 200));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("batchId", batch.BatchId);
            json.WriteNumber("droppedEntries", batch.DroppedEntries);
            json.WriteStartArray("entries");
            foreach (var e in batch.Entries)
            {
                json.WriteStartObject();
                json.WriteString("tenantId", e.TenantId);
                json.WriteString("version", e.Version);
                json.WriteNumber("uses", e.Uses);
                if (e.LastUsedAt is { } lastUsed)
                {
                    json.WriteString("lastUsedAt", lastUsed.ToUniversalTime());
                }

                json.WriteNumber("rejections", e.Rejections);
                if (e.FirstRejectedAt is { } first)
                {
                    json.WriteString("firstRejectedAt", first.ToUniversalTime());
                    json.WriteString("lastRejectedAt", e.LastRejectedAt!.Value.ToUniversalTime());
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        var content = new ReadOnlyMemoryContent(buffer.WrittenMemory);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    private static int UnknownOf(byte[] body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("unknown", out var unknown) && unknown.TryGetInt32(out var n) ? n : 0;
        }
        catch (JsonException)
        {
            return 0;
        }
    }

    /// <summary>The problem's code and detail (the portal's problems never quote a request), shortened.</summary>
    private static string ProblemOf(byte[] body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var code = json.RootElement.TryGetProperty("code", out var c) ? c.GetString() : null;
            var detail = json.RootElement.TryGetProperty("detail", out var d) ? d.GetString() : null;
            var text = string.Join(": ", new[] { code, detail }.Where(s => !string.IsNullOrEmpty(s)));
            return text.Length > 300 ? text[..300] + "…" : text;
        }
        catch (JsonException)
        {
            return "(no problem details)";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopTicks.IsCancellationRequested)
        {
            return;
        }

        await _stopTicks.CancelAsync();
        await _loop;
        var inFlight = _inFlight;
        if (inFlight is { IsCompleted: false })
        {
            // A send still waiting on the portal gives up; its batch is what the last attempt sends.
            await _stopping.CancelAsync();
            await inFlight;
        }

        // The last counts: one attempt, briefly, so that a stopping backend does not hang on a down portal.
        Gather();
        var timeout = _options.SendTimeout < ShutdownTimeout ? _options.SendTimeout : ShutdownTimeout;
        await SendNextAsync(timeout, CancellationToken.None);
        Stop();
    }

    public void Dispose()
    {
        _stopTicks.Cancel();
        Stop();
    }

    private void Stop()
    {
        if (!_stopping.IsCancellationRequested)
        {
            _stopping.Cancel();
        }

        _timer.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Key usage report {BatchId} did not reach the portal ({Reason}); it is sent again every {Interval} with the same batch id, and new counts wait beside it (at most {Capacity} entries)")]
    private static partial void LogNotDelivered(ILogger logger, Guid batchId, string reason, TimeSpan interval, int capacity);

    [LoggerMessage(Level = LogLevel.Information, Message = "Key usage reports reach the portal again after {Duration} (batch {BatchId})")]
    private static partial void LogRecovered(ILogger logger, TimeSpan duration, Guid batchId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Key usage entries are being dropped, oldest first ({What}): at most {Capacity} are kept while the portal does not acknowledge them (for {Duration} now). The next report that reaches the portal says how many were dropped; this is logged once until then")]
    private static partial void LogDropping(ILogger logger, int capacity, string what, TimeSpan duration);

    [LoggerMessage(Level = LogLevel.Error, Message = "The portal refused key usage report {BatchId} ({Reason}); its {Count} entries are dropped and counted in the next report")]
    private static partial void LogRefused(ILogger logger, Guid batchId, string reason, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gathering the key usage counts failed; the next interval tries again")]
    private static partial void LogTickFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Key usage report {BatchId}: the portal knows no such tenant or version for {Unknown} of its {Count} entries")]
    private static partial void LogUnknown(ILogger logger, Guid batchId, int unknown, int count);
}

/// <summary>One report: its id (the same on every retry), its entries and how many entries were dropped before it.</summary>
internal sealed record KeyUsageBatch(Guid BatchId, IReadOnlyList<KeyUsageSample> Entries, long DroppedEntries);

internal enum KeyUsageSendResult
{
    Delivered,

    /// <summary>No answer, or one that may change (401, 403, 404, 429, 5xx): sent again as it is.</summary>
    NotDelivered,

    /// <summary>The portal refused the batch itself (400, 413, 415, 422): sending it again cannot help.</summary>
    Refused,
}

internal sealed record KeyUsageSendOutcome(KeyUsageSendResult Kind, HttpStatusCode? Status, string? Reason, int Unknown)
{
    public static KeyUsageSendOutcome Delivered(HttpStatusCode status, int unknown) => new(KeyUsageSendResult.Delivered, status, null, unknown);

    public static KeyUsageSendOutcome NotDelivered(HttpStatusCode? status, string reason) => new(KeyUsageSendResult.NotDelivered, status, reason, 0);

    public static KeyUsageSendOutcome Refused(HttpStatusCode status, string reason) => new(KeyUsageSendResult.Refused, status, reason, 0);
}
