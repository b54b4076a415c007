using System.Net;
using System.Text;
using TenantPortal.Web.Features.ApiKeys.Api;
using static TenantPortal.Tests.Features.ApiKeys.Api.AutomationApiHost;

namespace TenantPortal.Tests.Features.ApiKeys.Api;

/// <summary>A unique value sent through the API every way it can be (stored, refused, malformed, to another tenant, idempotently), then looked for where it must never be.</summary>
public sealed class AutomationApiCanaryTests(AutomationApiHost host) : IClassFixture<AutomationApiHost>
{
    [Fact]
    public async Task CanaryValue_SentThroughTheApi_AppearsInNoResponseLogOrDatabaseRow()
    {
        var canary = $"sk_live_CANARY_{Guid.NewGuid():N}";
        var (tenant, _, app) = await host.OnboardAsync();
        var (foreign, _, _) = await host.OnboardAsync();
        using var client = await host.ClientAsAsync(app);
        var route = $"/api/v1/tenants/{tenant}/api-key";

        var responses = new List<string>();
        foreach (var body in new[]
        {
            Value(canary),
            Value(canary + " "),
            Value(canary + "\u0001"),
            Json($$"""{"value":"{{canary}}""" ),
            Json($$"""{"{{canary}}":"x"}"""),
            Json($$"""{"value":"{{canary}}","value":"{{canary}}"}"""),
        })
        {
            using var response = await client.PutAsync(route, body);
            responses.Add(await response.Content.ReadAsStringAsync());
            responses.Add(response.Headers.ToString());
        }

        using (var stranger = await client.PutAsync($"/api/v1/tenants/{foreign}/api-key", Value(canary)))
        {
            responses.Add(await stranger.Content.ReadAsStringAsync());
        }

        using (var request = new HttpRequestMessage(HttpMethod.Put, route) { Content = Value(canary) })
        {
            request.Headers.Add(ApiKeyEndpoints.IdempotencyKeyHeader, "canary-test");
            using var idempotent = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Created, idempotent.StatusCode);
            responses.Add(await idempotent.Content.ReadAsStringAsync());
        }

        using (var read = await client.GetAsync(route))
        {
            responses.Add(await read.Content.ReadAsStringAsync());
        }

        Assert.All(responses, r => Assert.DoesNotContain(canary, r, StringComparison.Ordinal));
        Assert.Contains(responses, r => r.Contains(canary[^4..], StringComparison.Ordinal)); // the hint, and only the hint
        Assert.DoesNotContain(host.Portal.AllLogText(), t => t.Contains(canary, StringComparison.Ordinal));
        Assert.DoesNotContain(await host.AuditAsync(tenant), e => string.Join('|', e.Reason, e.Changes, e.ActorName, e.UserAgent).Contains(canary, StringComparison.Ordinal));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(host.Portal.DataDirectory, "tenantportal.db*"))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(canary)), $"{file} holds the canary (UTF-8)");
            Assert.False(Contains(bytes, Encoding.Unicode.GetBytes(canary)), $"{file} holds the canary (UTF-16)");
        }
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
