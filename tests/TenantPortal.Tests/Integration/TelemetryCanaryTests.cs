using System.Diagnostics;
using System.Net;
using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Platform;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Telemetry;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Integration;

/// <summary>
/// The portal's OpenTelemetry pipeline as configured for OTLP, with in-memory exporters beside it: HTTP requests, a
/// submit whose key goes to a verification probe and then to the Key Vault fake, a submit the vault fails, and every
/// span, metric point and log record searched for the values and their hints.
/// </summary>
public sealed class TelemetryCanaryTests : IAsyncLifetime
{
    private const string Stored = "sk_live_otel_canary_QvX7mK2pLw9Rt";
    private const string Refused = "sk_live_otel_canary_second_Jh4sYe";
    // Activity listeners are process-wide: other tests' hosts add spans while this one reads them.
    private readonly Exported<Activity> _spans = new();
    private readonly Exported<Metric> _metrics = new();
    private readonly Exported<LogRecord> _logs = new();
    private KeyVaultFake _vault = null!;
    private HttpsReceiver _provider = null!;
    private PortalAppFactory _factory = null!;

    public async Task InitializeAsync()
    {
        _vault = await KeyVaultFake.StartAsync(pageSize: 25);
        _provider = await HttpsReceiver.StartAsync("api.provider.example");
        var dns = new StaticDnsResolver().Map("api.provider.example", "127.0.0.1");
        _factory = new PortalAppFactory
        {
            ConfigureServices = services =>
            {
                services.AddSingleton<TokenCredential>(_vault.Credential);
                services.PostConfigure<SecretStoreOptions>(o => o.ConfigureClient = _vault.ConfigureClient);
                OutboundTestSeam.Use(services, dns, _provider);
                services.ConfigureOpenTelemetryTracerProvider(b => b.AddInMemoryExporter(_spans));
                services.ConfigureOpenTelemetryMeterProvider(b => b.AddInMemoryExporter(_metrics));
                services.ConfigureOpenTelemetryLoggerProvider(b => b.AddInMemoryExporter(_logs));
            },
        }
            .WithSetting("SecretStore:Provider", "AzureKeyVault")
            .WithSetting("SecretStore:VaultUri", _vault.VaultUri.ToString())
            .WithSetting("SecretStore:MaxRetries", "0")
            .WithSetting("Reconciliation:Enabled", "false")
            // Nothing listens there: the OTLP exporter's sends fail at once, the in-memory exporters get everything.
            .WithSetting(TelemetryServiceCollectionExtensions.OtlpEndpointKey, "http://127.0.0.1:9")
            .WithSetting("OTEL_EXPORTER_OTLP_TIMEOUT", "500");
        _factory.StartServer();

        using var scope = _factory.Services.CreateScope();
        var settings = await scope.ServiceProvider.GetRequiredService<PlatformSettingsService>().UpdateAsync(TestPersonas.PlatformAdmin,
            new PlatformSettingsInput(90, 365, [30, 14, 7, 1], 7, [$"https://api.provider.example:{_provider.Port}/v1"]), default);
        Assert.True(settings.Succeeded, settings.Problem);
        var probe = await scope.ServiceProvider.GetRequiredService<TenantService>().UpdateProbeAsync(TestPersonas.ContosoAdmin, "contoso", new VerificationProbe
        {
            Method = "GET", Url = _provider.Url("api.provider.example", "/v1/me").ToString(), HeaderName = "X-Api-Key", HeaderPrefix = "", ExpectedStatus = 200,
        }, default);
        Assert.True(probe.Succeeded, probe.Message);
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _provider.DisposeAsync();
        await _vault.DisposeAsync();
    }

    [Fact]
    public async Task Submits_LeaveNoValueOrHintInAnySpanMetricOrLog_WhileRequestsDatabaseVaultAndProbeAreTraced()
    {
        using var client = _factory.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, "contoso-admin");
        using (var scope = _factory.Services.CreateScope())
        {
            var keys = scope.ServiceProvider.GetRequiredService<ApiKeyService>();
            Assert.True((await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Stored), default)).Succeeded);
            _vault.Enqueue(FaultKind.ServerError, times: 5);
            Assert.Equal(KeyChangeOutcome.Failed, (await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(Refused), default)).Outcome);
            _vault.ClearFaults();
        }

        var page = await client.GetAsync("/tenants/contoso/api-key");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("••••" + Stored[^4..], WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Flush();

        // What the pipeline records: requests, EF Core commands, Key Vault calls, the probe's outbound call.
        var spans = _spans.Snapshot();
        Assert.Contains(spans, s => s.Kind == ActivityKind.Server && Equals(s.GetTagItem("url.path"), "/tenants/contoso/api-key"));
        Assert.Contains(spans, s => s.Source.Name == "OpenTelemetry.Instrumentation.EntityFrameworkCore");
        Assert.Contains(spans, s => s.Source.Name.StartsWith("Azure.Security.KeyVault.Secrets", StringComparison.Ordinal) && s.DisplayName.Contains("SetSecret", StringComparison.Ordinal));
        Assert.Contains(spans, s => s.Kind == ActivityKind.Client && Equals(s.GetTagItem("server.address"), "api.provider.example"));

        var points = MetricPoints();
        Assert.Contains(points, p => p.Name == "tenantportal.apikey.submits" && p.Tags.Contains("outcome=stored"));
        Assert.Contains(points, p => p.Name == "tenantportal.apikey.submits" && p.Tags.Contains("outcome=failed"));
        Assert.Contains(points, p => p.Name == "tenantportal.vault.duration" && p.Tags.Contains("http.response.status_code=500"));
        Assert.Contains(points, p => p.Name == "tenantportal.audit.append.duration");
        Assert.NotEmpty(_logs.Snapshot());

        var recorded = Everything();
        // The search reaches attributes: the vault call's URL names the secret (its name is no secret).
        Assert.Contains(recorded, r => r.Contains("/secrets/tenant-contoso-api-key", StringComparison.Ordinal));
        foreach (var value in new[] { Stored, Refused })
        {
            string[] forbidden = [value, value[8..20], "••••" + value[^4..], "•••" + value[^4..], value[^6..]];
            foreach (var text in forbidden)
            {
                Assert.DoesNotContain(recorded, r => r.Contains(text, StringComparison.Ordinal));
            }
        }
    }

    /// <summary>Pushes everything recorded to the exporters; the OTLP one fails (nothing listens), so the results are not asserted.</summary>
    private void Flush()
    {
        _factory.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000);
        _factory.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000);
        _factory.Services.GetRequiredService<LoggerProvider>().ForceFlush(10_000);
    }

    private List<(string Name, List<string> Tags)> MetricPoints()
    {
        var points = new List<(string, List<string>)>();
        foreach (var metric in _metrics.Snapshot())
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var tags = new List<string>();
                foreach (var tag in point.Tags)
                {
                    tags.Add($"{tag.Key}={tag.Value}");
                }

                points.Add((metric.Name, tags));
            }
        }

        return points;
    }

    /// <summary>Every text a span, a metric point or a log record carries: names, tags, events, links, status, messages, exceptions.</summary>
    private List<string> Everything()
    {
        var texts = new List<string>();
        foreach (var span in _spans.Snapshot())
        {
            texts.Add(span.DisplayName);
            texts.Add(span.OperationName);
            texts.Add(span.StatusDescription ?? "");
            texts.AddRange(span.TagObjects.Select(t => $"{t.Key}={t.Value}"));
            texts.AddRange(span.Baggage.Select(b => $"{b.Key}={b.Value}"));
            texts.AddRange(span.Events.SelectMany(e => e.Tags.Select(t => $"{t.Key}={t.Value}").Append(e.Name)));
            texts.AddRange(span.Links.SelectMany(l => l.Tags?.Select(t => $"{t.Key}={t.Value}") ?? []));
        }

        texts.AddRange(MetricPoints().SelectMany(p => p.Tags.Append(p.Name)));
        foreach (var log in _logs.Snapshot())
        {
            texts.Add(log.FormattedMessage ?? "");
            texts.Add(log.Body ?? "");
            texts.Add(log.CategoryName ?? "");
            texts.Add(log.Exception?.ToString() ?? "");
            texts.AddRange(log.Attributes?.Select(a => $"{a.Key}={a.Value}") ?? []);
        }

        return texts;
    }

    /// <summary>What an in-memory exporter adds to, read as a snapshot while exporters may still be adding.</summary>
    private sealed class Exported<T> : System.Collections.ObjectModel.Collection<T>
    {
        private readonly Lock _gate = new();

        public T[] Snapshot()
        {
            lock (_gate)
            {
                return [.. Items];
            }
        }

        protected override void InsertItem(int index, T item)
        {
            lock (_gate)
            {
                base.InsertItem(index, item);
            }
        }

        protected override void ClearItems()
        {
            lock (_gate)
            {
                base.ClearItems();
            }
        }
    }
}
