using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Audit;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Integration;

public sealed class AuditExportTests : IAsyncLifetime, IDisposable
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private readonly PortalAppFactory _factory = new();

    public async Task InitializeAsync()
    {
        using var scope = _factory.Services.CreateScope();
        var keys = scope.ServiceProvider.GetRequiredService<ApiKeyService>();
        await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue("sk_live_export_contoso_01"), default);
        await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue("sk_live_export_contoso_02"), default);
        await keys.SubmitApiKeyAsync(TestPersonas.FabrikamAdmin, "fabrikam", new SecretValue("sk_live_export_fabrikam_1"), default);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task ExportJson_TenantAdmin_GetsOwnRowsWithHashesThatVerifyOffline()
    {
        using var client = _factory.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, "contoso-admin");

        var response = await client.GetAsync("/audit/export.json");
        var rows = JsonSerializer.Deserialize<List<AuditRow>>(await response.Content.ReadAsStringAsync(), Web)!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Equal("contoso", r.TenantId));
        // Offline verification, as the README describes it: recompute each hash from the previous one and the row.
        var previous = AuditChains.Genesis;
        foreach (var row in rows.Where(r => r.ChainId == "contoso").OrderBy(r => r.Sequence))
        {
            Assert.Equal(previous, row.PreviousHash);
            Assert.Equal(row.Hash, AuditHash.Compute(previous, AuditHash.Canonical(ToEvent(row))));
            previous = row.Hash;
        }
    }

    [Fact]
    public async Task ExportCsv_HasAHeaderAndOneLinePerRow_AndIsAudited()
    {
        using var client = _factory.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, "support");

        var response = await client.GetAsync("/audit/export.csv?tenant=fabrikam");
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.StartsWith("OccurredAt,TenantId,Action,Outcome", lines[0], StringComparison.Ordinal);
        Assert.Contains("Hash", lines[0], StringComparison.Ordinal);
        Assert.True(lines.Length >= 3);
        Assert.All(lines.Skip(1), l => Assert.Contains(",fabrikam,", l, StringComparison.Ordinal));

        using var check = _factory.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(check, "support");
        var audit = await check.GetStringAsync("/audit/export.json?action=Audit.Exported");
        Assert.Contains("csv; filter tenant=fabrikam", audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_FilterBeyondItsLimit_AnswersBadRequestWithTheReason()
    {
        using var client = _factory.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, "support");

        var response = await client.GetAsync($"/audit/export.csv?actor={new string('a', 101)}");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("The actor filter can have at most 100 characters (101 given).", problem.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Export_AnotherTenantOrAnonymous_IsRefused()
    {
        using var fabrikam = _factory.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(fabrikam, "fabrikam-admin");
        using var anonymous = _factory.CreateBrowserLikeClient();

        var anonymousExport = await anonymous.GetAsync("/audit/export.json");

        Assert.Equal(HttpStatusCode.NotFound, (await fabrikam.GetAsync("/audit/export.csv?tenant=contoso")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fabrikam.GetAsync("/audit/verify?chain=contoso")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, anonymousExport.StatusCode);
        Assert.Equal("/dev/sign-in?ReturnUrl=%2Faudit%2Fexport.json", anonymousExport.Headers.Location!.PathAndQuery);
    }

    [Theory]
    [InlineData(null, "audit-all.csv")]
    [InlineData("fabrikam", "audit-fabrikam.csv")]
    [InlineData("no-such-tenant", "audit-no-such-tenant.csv")]
    [InlineData("fabrikam\"; filename=\"evil.exe", "audit.csv")]
    [InlineData("fabrikam;evil", "audit.csv")]
    [InlineData("fäbrikam", "audit.csv")]
    [InlineData("ファブリカム", "audit.csv")]
    [InlineData("Fabrikam", "audit.csv")]
    [InlineData("../fabrikam", "audit.csv")]
    public async Task Export_AnyTenantFilter_NamesTheDownloadFromAValidTenantIdOnly(string? tenant, string fileName)
    {
        using var client = _factory.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, "support");

        var response = await client.GetAsync(tenant is null ? "/audit/export.csv" : $"/audit/export.csv?tenant={Uri.EscapeDataString(tenant)}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"attachment; filename=\"{fileName}\"", Assert.Single(response.Content.Headers.GetValues("Content-Disposition")));
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task Verify_OwnChain_ReportsIntact()
    {
        using var client = _factory.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, "contoso-admin");

        var result = JsonSerializer.Deserialize<JsonElement>(await client.GetStringAsync("/audit/verify?chain=contoso"));

        Assert.True(result.GetProperty("isIntact").GetBoolean());
        Assert.True(result.GetProperty("eventsChecked").GetInt64() >= 4);
    }

    private static AuditEvent ToEvent(AuditRow r) => new()
    {
        OccurredAt = r.OccurredAt, TenantId = r.TenantId, Action = r.Action, Outcome = r.Outcome, ActorName = r.ActorName,
        ActorRole = r.ActorRole, ActorTenantId = r.ActorTenantId, ActorObjectId = r.ActorObjectId, SecretName = r.SecretName,
        KeyVersion = r.KeyVersion, Reason = r.Reason, Changes = r.Changes, ClientIp = r.ClientIp, UserAgent = r.UserAgent, Channel = r.Channel,
        CorrelationId = r.CorrelationId,
        ChainId = r.ChainId, Sequence = r.Sequence, PreviousHash = r.PreviousHash, Hash = r.Hash,
    };
}
