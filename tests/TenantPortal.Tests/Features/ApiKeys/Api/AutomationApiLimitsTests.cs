using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys.Api;
using static TenantPortal.Tests.Features.ApiKeys.Api.AutomationApiHost;
using static TenantPortal.Tests.Features.ApiKeys.Api.AutomationApiTests;

namespace TenantPortal.Tests.Features.ApiKeys.Api;

/// <summary>The API's rate limits, and a retry racing its first attempt.</summary>
public sealed class AutomationApiLimitsTests : IAsyncLifetime
{
    private readonly AutomationApiHost _host = new()
    {
        Settings = new Dictionary<string, string?>
        {
            ["Api:RateLimits:WritesPerTenantPerMinute"] = "3",
            ["Api:RateLimits:RequestsPerClientPerMinute"] = "6",
        },
        ConfigureServices = BlockingSecretStore.Install,
    };

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Writes_BeyondTheTenantsBudget_Answer429WithRetryAfter_AndRequestsBeyondTheAppsBudgetToo()
    {
        var (tenant, _, app) = await _host.OnboardAsync();
        var (otherTenant, _, otherApp) = await _host.OnboardAsync();
        using var client = await _host.ClientAsAsync(app);
        using var other = await _host.ClientAsAsync(otherApp);
        var route = $"/api/v1/tenants/{tenant}/api-key";

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var stored = await client.PutAsync(route, Value($"sk_live_rate_limited_{i}_000000RRRR"));
            statuses.Add(stored.StatusCode);
        }

        using var fourth = await client.PutAsync(route, Value("sk_live_rate_limited_4_000000RRRR"));
        using var read5 = await client.GetAsync(route);
        using var read6 = await client.GetAsync(route);
        using var read7 = await client.GetAsync(route);
        using var elsewhere = await other.PutAsync($"/api/v1/tenants/{otherTenant}/api-key", Value("sk_live_other_tenant_0000000SSSS"));

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created], statuses);
        await AssertProblemAsync(fourth, HttpStatusCode.TooManyRequests, "rate_limited",
            $"This tenant's key has had the most changes allowed in a minute through the API. Retry in {RetryAfter(fourth)} s; nothing was changed.");
        Assert.InRange(RetryAfter(fourth), 1, 60);
        Assert.Equal(HttpStatusCode.OK, read5.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read6.StatusCode);
        await AssertProblemAsync(read7, HttpStatusCode.TooManyRequests, "rate_limited",
            $"This client app has made the most requests allowed in a minute. Retry in {RetryAfter(read7)} s; nothing was changed.");
        Assert.Equal(HttpStatusCode.Created, elsewhere.StatusCode);
        Assert.Equal(3, (await _host.VersionsAsync(tenant)).Count);
    }

    [Fact]
    public async Task Put_RetriedWhileTheFirstAttemptIsStillWriting_Answers409ThenReplaysTheFirstResult()
    {
        var (tenant, _, app) = await _host.OnboardAsync();
        using var client = await _host.ClientAsAsync(app);
        var store = _host.Portal.Services.GetRequiredService<BlockingSecretStore>();
        var key = Guid.NewGuid().ToString();
        var gate = store.BlockNext(StorePoint.BeforeSet);

        var first = PutAsync(client, tenant, key);
        await gate.Reached;
        using var duringFirst = await PutAsync(client, tenant, key);
        gate.Release();
        using var firstResponse = await first;
        using var afterFirst = await PutAsync(client, tenant, key);

        await AssertProblemAsync(duringFirst, HttpStatusCode.Conflict, "idempotency_in_progress",
            "The first request with this Idempotency-Key is still running. Retry shortly to get its answer.");
        Assert.Equal("1", duringFirst.Headers.RetryAfter?.ToString());
        Assert.Equal(HttpStatusCode.Created, firstResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Created, afterFirst.StatusCode);
        Assert.Equal(await firstResponse.Content.ReadAsStringAsync(), await afterFirst.Content.ReadAsStringAsync());
        Assert.Single(await _host.VersionsAsync(tenant));
        Assert.Equal(1, await _host.StoreVersionCountAsync(tenant));
    }

    private static int RetryAfter(HttpResponseMessage response) => (int)response.Headers.RetryAfter!.Delta!.Value.TotalSeconds;

    private static Task<HttpResponseMessage> PutAsync(HttpClient client, string tenant, string idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/tenants/{tenant}/api-key") { Content = Value("sk_live_racing_retry_0000000TTTT") };
        request.Headers.Add(ApiKeyEndpoints.IdempotencyKeyHeader, idempotencyKey);
        return client.SendAsync(request);
    }
}
