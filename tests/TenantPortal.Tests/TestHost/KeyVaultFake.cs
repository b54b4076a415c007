using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TenantPortal.Tests.TestHost;

/// <summary>
/// A stand-in for Azure Key Vault that speaks its wire protocol (HTTPS, the bearer challenge, the secret JSON
/// shapes, nextLink paging), so that the real <see cref="SecretClient"/> is what tests exercise. It records every
/// request and which identity made it. Two identities, as in production: the portal's (<see cref="Credential"/>: set,
/// update, read metadata; value reads refused the way a vault refuses an identity without the <c>get</c> right) and the
/// backend's reader (<see cref="ReaderCredential"/>, Key Vault Secrets User: values and metadata, no writes).
/// Faults (throttling, server errors, slow answers, dropped connections) can be queued for the next requests.
/// </summary>
public sealed partial class KeyVaultFake : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, List<StoredVersion>> _secrets = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<Fault> _faults = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly object _gate = new();
    private TaskCompletionSource _requestArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource? _valueReadHold;
    private RequestHold? _requestHold;

    private readonly TimeProvider _time;

    private KeyVaultFake(WebApplication app, X509Certificate2 certificate, int pageSize, TimeProvider time)
    {
        _app = app;
        _time = time;
        Certificate = certificate;
        PageSize = pageSize;
    }

    public X509Certificate2 Certificate { get; }

    public Uri VaultUri { get; private set; } = null!;

    public int PageSize { get; }

    /// <summary>Key Vault promises no order for a version list: true lists newest first instead of oldest first.</summary>
    public bool ListVersionsNewestFirst { get; set; }

    /// <summary>Makes the next version ids (32 hex digits) instead of random ones, e.g. to order them against creation time.</summary>
    public Func<string>? NewVersionId { get; set; }

    /// <summary>Runs as a reader's value read is about to be answered: lets a test change the vault at that exact moment.</summary>
    public Action<RecordedRequest>? BeforeReaderValueRead { get; set; }

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToList();

    /// <summary>Requests that would have returned a secret value (GET of a secret or one of its versions), by any identity.</summary>
    public IReadOnlyList<RecordedRequest> ValueReads => Requests.Where(r => r.IsValueRead).ToList();

    /// <summary>Authenticated value reads by the reader identity: the store reads a KeyReader actually made.</summary>
    public IReadOnlyList<RecordedRequest> ReaderValueReads => Requests.Where(r => r.IsValueRead && r.Identity == VaultIdentity.Reader).ToList();

    /// <param name="pageSize">Items per list page, small by default so that paging is always exercised.</param>
    /// <param name="time">The vault's clock for created/updated stamps (a test's fake clock, or the system's).</param>
    public static async Task<KeyVaultFake> StartAsync(int pageSize = 2, TimeProvider? time = null)
    {
        var certificate = CreateCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        var fake = new KeyVaultFake(app, certificate, pageSize, time ?? TimeProvider.System);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.VaultUri = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
        return fake;
    }

    /// <summary>Points a real SecretClient at this fake: trust only its certificate, accept its host in the challenge.</summary>
    public void ConfigureClient(SecretClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var thumbprint = Certificate.Thumbprint;
#pragma warning disable CA2000 // The transport owns the handler for the client's lifetime.
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert?.Thumbprint == thumbprint,
        };
#pragma warning restore CA2000
        options.Transport = new HttpClientTransport(handler);
        options.DisableChallengeResourceVerification = true;
    }

    /// <summary>The portal's identity: a custom role with setSecret, update and readMetadata, no getSecret.</summary>
    public TokenCredential Credential { get; } = new FakeTokenCredential(PortalToken);

    /// <summary>The backend's identity: Key Vault Secrets User (getSecret, readMetadata), no writes.</summary>
    public TokenCredential ReaderCredential { get; } = new FakeTokenCredential(ReaderToken);

    /// <summary>Holds the reader's value reads once recorded, until <see cref="ReleaseValueReads"/>: callers pile up without a sleep.</summary>
    public void HoldValueReads() => Volatile.Write(ref _valueReadHold, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public void ReleaseValueReads() => Interlocked.Exchange(ref _valueReadHold, null)?.TrySetResult();

    /// <summary>Holds every authenticated request matching <paramref name="match"/>, once recorded, until <see cref="ReleaseHeldRequests"/>.</summary>
    public void HoldRequests(Func<RecordedRequest, bool> match) => Volatile.Write(ref _requestHold, new RequestHold(match));

    public void ReleaseHeldRequests() => Interlocked.Exchange(ref _requestHold, null)?.Gate.TrySetResult();

    /// <summary>Waits until a request matching <paramref name="match"/> has arrived (returns at once if one already has).</summary>
    public async Task<RecordedRequest> WaitForRequestAsync(Func<RecordedRequest, bool> match, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            // Take the signal before looking, so that a request recorded in between still wakes us.
            var arrived = Volatile.Read(ref _requestArrived).Task;
            if (_requests.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            await arrived.WaitAsync(cancel.Token);
        }
    }

    /// <summary>The next <paramref name="times"/> authenticated requests fail this way.</summary>
    public void Enqueue(FaultKind kind, int times = 1, TimeSpan? delay = null, int retryAfterSeconds = 0)
    {
        for (var i = 0; i < times; i++)
        {
            _faults.Enqueue(new Fault(kind, delay ?? TimeSpan.FromSeconds(5), retryAfterSeconds));
        }
    }

    public void ClearFaults() => _faults.Clear();

    /// <summary>What the vault holds for a secret (tests may look at values: this is the vault).</summary>
    public IReadOnlyList<StoredVersion> VersionsOf(string name)
    {
        lock (_gate)
        {
            return _secrets.TryGetValue(name, out var list) ? list.ToList() : [];
        }
    }

    /// <summary>Enables or disables a version directly, as the portal's PATCH would, e.g. from <see cref="BeforeReaderValueRead"/>.</summary>
    public void SetEnabled(string name, string version, bool enabled)
    {
        lock (_gate)
        {
            _secrets[name].Single(v => v.Version == version).Enabled = enabled;
        }
    }

    /// <summary>Stores a version as if it had been written earlier, without a request: for benchmarks that need many tenants.</summary>
    public StoredVersion Seed(string name, string value, Dictionary<string, string> tags, DateTimeOffset? expiresOn = null)
    {
        var now = _time.GetUtcNow();
        var stored = new StoredVersion
        {
            Name = name,
            Version = NewVersionId?.Invoke() ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            Value = value,
            ContentType = "text/plain",
            Enabled = true,
            ExpiresOn = expiresOn,
            Created = now,
            Updated = now,
            Tags = tags,
        };
        lock (_gate)
        {
            _secrets.GetOrAdd(name, _ => []).Add(stored);
        }

        return stored;
    }

    /// <summary>Forgets a version, as if written to another vault or lost: for reconciliation tests.</summary>
    public void Forget(string name, string version)
    {
        lock (_gate)
        {
            _secrets[name].RemoveAll(v => v.Version == version);
        }
    }

    public async ValueTask DisposeAsync()
    {
        ReleaseHeldRequests();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Certificate.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var authorization = request.Headers.Authorization.ToString();
        var identity = !authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? VaultIdentity.Anonymous
            : authorization == "Bearer " + ReaderToken ? VaultIdentity.Reader
            : VaultIdentity.Portal;
        var recorded = new RecordedRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "",
            identity != VaultIdentity.Anonymous, identity);
        _requests.Enqueue(recorded);
        Interlocked.Exchange(ref _requestArrived, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

        if (!recorded.Authenticated)
        {
            context.Response.StatusCode = 401;
            context.Response.Headers.WWWAuthenticate =
                "Bearer authorization=\"https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47\", resource=\"https://vault.azure.net\"";
            return;
        }

        if (Volatile.Read(ref _requestHold) is { } held && held.Match(recorded))
        {
            await held.Gate.Task.WaitAsync(context.RequestAborted);
        }

        if (_faults.TryDequeue(out var fault))
        {
            switch (fault.Kind)
            {
                case FaultKind.Throttle:
                    context.Response.Headers.RetryAfter = fault.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    await ErrorAsync(context, 429, "Throttled", "Request was not processed because too many requests were received.");
                    return;
                case FaultKind.ServerError:
                    await ErrorAsync(context, 500, "InternalServerError", "The service encountered an internal error.");
                    return;
                case FaultKind.Slow:
                    await Task.Delay(fault.Delay, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                    break;
                case FaultKind.DropConnection:
                    context.Abort();
                    return;
            }
        }

        var path = request.Path.Value ?? "";
        if (SecretsPath().IsMatch(path) && request.Method == "GET")
        {
            await ListSecretsAsync(context);
        }
        else if (VersionsPath().Match(path) is { Success: true } versions && request.Method == "GET")
        {
            await ListVersionsAsync(context, versions.Groups["name"].Value);
        }
        else if (SecretPath().Match(path) is { Success: true } secret)
        {
            var name = secret.Groups["name"].Value;
            var version = secret.Groups["version"].Success ? secret.Groups["version"].Value : null;
            switch (request.Method)
            {
                case "PUT" or "PATCH" when recorded.Identity == VaultIdentity.Reader:
                    await ErrorAsync(context, 403, "Forbidden",
                        $"Caller is not authorized to perform action on resource. Action: 'Microsoft.KeyVault/vaults/secrets/{(request.Method == "PUT" ? "setSecret" : "update")}/action'",
                        inner: "ForbiddenByRbac");
                    break;
                case "PUT" when version is null:
                    await SetAsync(context, name);
                    break;
                case "PATCH" when version is not null:
                    await UpdateAsync(context, name, version);
                    break;
                case "GET" when recorded.Identity == VaultIdentity.Reader:
                    if (Volatile.Read(ref _valueReadHold) is { } hold)
                    {
                        await hold.Task.WaitAsync(context.RequestAborted);
                    }

                    BeforeReaderValueRead?.Invoke(recorded);
                    await GetAsync(context, name, version);
                    break;
                case "GET":
                    await ErrorAsync(context, 403, "Forbidden",
                        "Caller is not authorized to perform action on resource. Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'",
                        inner: "ForbiddenByRbac");
                    break;
                default:
                    await ErrorAsync(context, 405, "MethodNotAllowed", "Not supported by the fake.");
                    break;
            }
        }
        else
        {
            await ErrorAsync(context, 404, "NotFound", "No such route.");
        }
    }

    private async Task SetAsync(HttpContext context, string name)
    {
        if (!NameRule().IsMatch(name))
        {
            await ErrorAsync(context, 400, "BadParameter", "The secret name is invalid.");
            return;
        }

        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        var value = body["value"]?.GetValue<string>();
        if (value is null || System.Text.Encoding.UTF8.GetByteCount(value) > 25 * 1024)
        {
            await ErrorAsync(context, 400, "BadParameter", "The secret value is missing or over 25 KB.");
            return;
        }

        var now = _time.GetUtcNow();
        var attributes = body["attributes"] as JsonObject;
        var stored = new StoredVersion
        {
            Name = name,
            Version = NewVersionId?.Invoke() ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            Value = value,
            ContentType = body["contentType"]?.GetValue<string>(),
            Enabled = attributes?["enabled"]?.GetValue<bool>() ?? true,
            ExpiresOn = ReadTime(attributes?["exp"]),
            NotBefore = ReadTime(attributes?["nbf"]),
            Created = now,
            Updated = now,
            Tags = ReadTags(body["tags"]),
        };
        if (stored.Tags.Count > 15)
        {
            await ErrorAsync(context, 400, "BadParameter", "At most 15 tags.");
            return;
        }

        lock (_gate)
        {
            _secrets.GetOrAdd(name, _ => []).Add(stored);
        }

        await BundleAsync(context, stored, includeValue: true);
    }

    /// <summary>GET of the latest version (no version in the path) or of one version, with its value, as Key Vault answers a reader.</summary>
    private async Task GetAsync(HttpContext context, string name, string? version)
    {
        var versions = VersionsOf(name);
        var stored = version is null ? (versions.Count > 0 ? versions[^1] : null) : versions.FirstOrDefault(v => v.Version == version);
        if (stored is null)
        {
            await ErrorAsync(context, 404, "SecretNotFound",
                $"A secret with (name/id) {(version is null ? name : $"{name}/{version}")} was not found in this key vault.");
            return;
        }

        if (!stored.Enabled)
        {
            await ErrorAsync(context, 403, "Forbidden", "Operation get is not allowed on a disabled secret.", inner: "SecretDisabled");
            return;
        }

        await BundleAsync(context, stored, includeValue: true);
    }

    private async Task UpdateAsync(HttpContext context, string name, string version)
    {
        var stored = VersionsOf(name).FirstOrDefault(v => v.Version == version);
        if (stored is null)
        {
            await ErrorAsync(context, 404, "SecretNotFound", $"A secret with (name/id) {name}/{version} was not found in this key vault.");
            return;
        }

        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        lock (_gate)
        {
            if (body["attributes"] is JsonObject attributes)
            {
                stored.Enabled = attributes["enabled"]?.GetValue<bool>() ?? stored.Enabled;
                stored.ExpiresOn = attributes.ContainsKey("exp") ? ReadTime(attributes["exp"]) : stored.ExpiresOn;
            }

            stored.ContentType = body["contentType"]?.GetValue<string>() ?? stored.ContentType;
            if (body["tags"] is JsonObject)
            {
                stored.Tags = ReadTags(body["tags"]);
            }

            stored.Updated = _time.GetUtcNow();
        }

        await BundleAsync(context, stored, includeValue: false);
    }

    private async Task ListVersionsAsync(HttpContext context, string name)
    {
        if (!_secrets.ContainsKey(name))
        {
            await ErrorAsync(context, 404, "SecretNotFound", $"A secret with (name/id) {name} was not found in this key vault.");
            return;
        }

        IReadOnlyList<StoredVersion> versions = ListVersionsNewestFirst ? VersionsOf(name).Reverse().ToList() : VersionsOf(name);
        await PageAsync(context, versions, id: null, $"secrets/{name}/versions");
    }

    private async Task ListSecretsAsync(HttpContext context)
    {
        var latest = _secrets.Values.Select(l => l.LastOrDefault()).OfType<StoredVersion>().ToList();
        await PageAsync(context, latest, v => new Uri(VaultUri, $"secrets/{v.Name}").ToString(), "secrets");
    }

    /// <summary>
    /// One page of <paramref name="items"/>, written straight to JSON: only the page's own entries are rendered, so a
    /// long history costs each page its page (the benchmarks run this fake in the portal's process).
    /// </summary>
    private Task PageAsync(HttpContext context, IReadOnlyList<StoredVersion> items, Func<StoredVersion, string>? id, string relative)
    {
        var skip = int.TryParse(context.Request.Query["$skiptoken"], out var s) ? s : 0;
        return WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("value");
            foreach (var v in items.Skip(skip).Take(PageSize))
            {
                WriteBundle(w, v, includeValue: false, id?.Invoke(v));
            }

            w.WriteEndArray();
            if (skip + PageSize < items.Count)
            {
                w.WriteString("nextLink", $"{VaultUri}{relative}?api-version=7.6&$skiptoken={skip + PageSize}&maxresults={PageSize}");
            }
            else
            {
                w.WriteNull("nextLink");
            }

            w.WriteEndObject();
        });
    }

    private Task BundleAsync(HttpContext context, StoredVersion v, bool includeValue) =>
        WriteJsonAsync(context, w => WriteBundle(w, v, includeValue));

    /// <summary>A secret bundle as Key Vault answers it (the value only where the real service returns one).</summary>
    private void WriteBundle(Utf8JsonWriter w, StoredVersion v, bool includeValue, string? id = null)
    {
        w.WriteStartObject();
        w.WriteString("id", id ?? new Uri(VaultUri, $"secrets/{v.Name}/{v.Version}").ToString());
        w.WriteStartObject("attributes");
        w.WriteBoolean("enabled", v.Enabled);
        w.WriteNumber("created", v.Created.ToUnixTimeSeconds());
        w.WriteNumber("updated", v.Updated.ToUnixTimeSeconds());
        w.WriteString("recoveryLevel", "Recoverable+Purgeable");
        w.WriteNumber("recoverableDays", 90);
        if (v.ExpiresOn is { } exp)
        {
            w.WriteNumber("exp", exp.ToUnixTimeSeconds());
        }

        if (v.NotBefore is { } nbf)
        {
            w.WriteNumber("nbf", nbf.ToUnixTimeSeconds());
        }

        w.WriteEndObject();
        w.WriteStartObject("tags");
        foreach (var (key, value) in v.Tags)
        {
            w.WriteString(key, value);
        }

        w.WriteEndObject();
        if (v.ContentType is not null)
        {
            w.WriteString("contentType", v.ContentType);
        }

        if (includeValue)
        {
            w.WriteString("value", v.Value);
        }

        w.WriteEndObject();
    }

    private static async Task WriteJsonAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    private static DateTimeOffset? ReadTime(JsonNode? node) => node is null ? null : DateTimeOffset.FromUnixTimeSeconds(node.GetValue<long>());

    private static Dictionary<string, string> ReadTags(JsonNode? node) =>
        node is JsonObject tags ? tags.ToDictionary(t => t.Key, t => t.Value?.GetValue<string>() ?? "") : [];

    private static Task JsonAsync(HttpContext context, JsonNode body)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    private static Task ErrorAsync(HttpContext context, int status, string code, string message, string? inner = null)
    {
        context.Response.StatusCode = status;
        var error = new JsonObject { ["code"] = code, ["message"] = message };
        if (inner is not null)
        {
            error["innererror"] = new JsonObject { ["code"] = inner };
        }

        return JsonAsync(context, new JsonObject { ["error"] = error });
    }

    internal static X509Certificate2 CreateCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), password: null);
    }

    [GeneratedRegex("^/secrets/?$")]
    private static partial Regex SecretsPath();

    [GeneratedRegex("^/secrets/(?<name>[^/]+)/versions/?$")]
    private static partial Regex VersionsPath();

    [GeneratedRegex("^/secrets/(?<name>[^/]+)(/(?<version>[^/]+))?/?$")]
    private static partial Regex SecretPath();

    [GeneratedRegex("^[0-9a-zA-Z-]{1,127}$")]
    private static partial Regex NameRule();

    private sealed record Fault(FaultKind Kind, TimeSpan Delay, int RetryAfterSeconds);

    private const string PortalToken = "fake-access-token";
    internal const string ReaderToken = "fake-reader-access-token";

    private sealed class FakeTokenCredential(string token) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(token, DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }

    public sealed class StoredVersion
    {
        public required string Name { get; init; }

        public required string Version { get; init; }

        public required string Value { get; init; }

        public string? ContentType { get; set; }

        public bool Enabled { get; set; }

        public DateTimeOffset? ExpiresOn { get; set; }

        public DateTimeOffset? NotBefore { get; set; }

        public DateTimeOffset Created { get; init; }

        public DateTimeOffset Updated { get; set; }

        public Dictionary<string, string> Tags { get; set; } = [];
    }
}

internal sealed record RequestHold(Func<RecordedRequest, bool> Match)
{
    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

public enum FaultKind
{
    Throttle,
    ServerError,
    Slow,
    DropConnection,
}

/// <summary>Who made a request: no bearer token yet (the challenge round), the portal's identity, or the reader's.</summary>
public enum VaultIdentity
{
    Anonymous,
    Portal,
    Reader,
}

public sealed record RecordedRequest(string Method, string Path, string Query, bool Authenticated, VaultIdentity Identity = VaultIdentity.Anonymous)
{
    public bool IsValueRead => Method == "GET" && Path.StartsWith("/secrets/", StringComparison.Ordinal)
        && !Path.EndsWith("/versions", StringComparison.Ordinal) && !Path.EndsWith("/versions/", StringComparison.Ordinal);
}
