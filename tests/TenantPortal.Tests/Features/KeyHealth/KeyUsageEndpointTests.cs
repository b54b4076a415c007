using System.Net;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.Auth;
using TenantPortal.Tests.Features.ApiKeys.Api;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.KeyHealth;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Tests.Features.KeyHealth;

/// <summary>
/// <c>POST /api/v1/key-usage</c> through the real pipeline (Production, Microsoft.Identity.Web, the test issuer's
/// client-credential tokens): who may report, what a batch must look like, idempotent retries, what is stored.
/// </summary>
public sealed class KeyUsageEndpointTests(AutomationApiHost host) : IClassFixture<AutomationApiHost>
{
    private static readonly Guid HomeTenant = EntraSignInTests.HomeTenant;

    private async Task<HttpClient> BackendAsync(params string[] roles) =>
        await host.ClientAsAsync(TestApp.In(HomeTenant, roles.Length == 0 ? [PortalAppRoles.KeyUsageReport] : roles));

    /// <summary>A tenant with a stored key: its id and the version the store gave it.</summary>
    private async Task<(string TenantId, string Version, TestApp App)> TenantWithKeyAsync()
    {
        var (tenantId, _, app) = await host.OnboardAsync();
        using var automation = await host.ClientAsAsync(app);
        using var put = await automation.PutAsync($"/api/v1/tenants/{tenantId}/api-key", AutomationApiHost.Value("sk_live_" + Guid.NewGuid().ToString("N")));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return (tenantId, (await AutomationApiHost.BodyAsync(put))["version"]!.GetValue<string>(), app);
    }

    private static JsonObject Entry(string tenantId, string version, long uses = 0, DateTimeOffset? lastUsedAt = null, long rejections = 0,
        DateTimeOffset? firstRejectedAt = null, DateTimeOffset? lastRejectedAt = null)
    {
        var entry = new JsonObject { ["tenantId"] = tenantId, ["version"] = version, ["uses"] = uses, ["rejections"] = rejections };
        if (lastUsedAt is { } used)
        {
            entry["lastUsedAt"] = used;
        }

        if (firstRejectedAt is { } first)
        {
            entry["firstRejectedAt"] = first;
            entry["lastRejectedAt"] = lastRejectedAt ?? first;
        }

        return entry;
    }

    private static StringContent Batch(Guid batchId, params JsonObject[] entries) =>
        AutomationApiHost.Json(new JsonObject { ["batchId"] = batchId, ["droppedEntries"] = 0, ["entries"] = new JsonArray(entries) }.ToJsonString());

    private async Task<List<AuditEvent>> PlatformRowsAsync(string action)
    {
        await using var db = host.Portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        return await db.AuditEvents.AsNoTracking().Where(e => e.ChainId == AuditChains.Platform && e.Action == action).OrderBy(e => e.Id).ToListAsync();
    }

    private async Task<KeyUsage?> UsageAsync(string tenantId, string version)
    {
        await using var db = host.Portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        var id = await db.ApiKeyVersions.Where(v => v.TenantId == tenantId && v.StoreVersionId == version).Select(v => v.Id).SingleAsync();
        return await db.KeyUsages.AsNoTracking().SingleOrDefaultAsync(u => u.ApiKeyVersionId == id);
    }

    private async Task<bool> BatchStoredAsync(Guid batchId)
    {
        await using var db = host.Portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        return await db.KeyUsageBatches.AnyAsync(b => b.BatchId == batchId);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code, string detail)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await AutomationApiHost.BodyAsync(response);
        Assert.Equal(code, body["code"]!.GetValue<string>());
        Assert.Equal(detail, body["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Post_FromTheProvidersBackend_AddsToEachKnownVersion_CountsAndNamesTheUnknown()
    {
        var (tenantId, version, _) = await TenantWithKeyAsync();
        using var backend = await BackendAsync();
        var t = new DateTimeOffset(2026, 11, 30, 9, 12, 0, TimeSpan.Zero);
        var batchId = Guid.NewGuid();

        using var response = await backend.PostAsync(KeyUsageEndpoint.Route, Batch(batchId,
            Entry(tenantId, version, uses: 5, lastUsedAt: t.AddMinutes(3), rejections: 2, firstRejectedAt: t, lastRejectedAt: t.AddMinutes(2)),
            Entry(tenantId.ToUpperInvariant(), version, uses: 1, lastUsedAt: t.AddMinutes(4)),
            Entry(tenantId, "0123456789abcdef0123456789abcdef", uses: 7, lastUsedAt: t),
            Entry("no-such-tenant", version, rejections: 1, firstRejectedAt: t)));
        using var second = await backend.PostAsync(KeyUsageEndpoint.Route, Batch(Guid.NewGuid(),
            Entry(tenantId, version, uses: 2, lastUsedAt: t.AddMinutes(1), rejections: 1, firstRejectedAt: t.AddMinutes(-5), lastRejectedAt: t.AddMinutes(-5))));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await AutomationApiHost.BodyAsync(response);
        Assert.Equal(batchId, body["batchId"]!.GetValue<Guid>());
        Assert.Equal((3, 1, 2, false), (body["entries"]!.GetValue<int>(), body["accepted"]!.GetValue<int>(), body["unknown"]!.GetValue<int>(), body["replayed"]!.GetValue<bool>()));
        Assert.Equal(
            [$"{tenantId}/0123456789abcdef0123456789abcdef", $"no-such-tenant/{version}"],
            body["unknownEntries"]!.AsArray().Select(e => $"{e!["tenantId"]}/{e["version"]}"));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var usage = await UsageAsync(tenantId, version);
        Assert.NotNull(usage);
        Assert.Equal((8L, t.AddMinutes(4), 3L, t.AddMinutes(-5), t.AddMinutes(2)),
            (usage.Uses, usage.LastUsedAt!.Value, usage.Rejections, usage.FirstRejectedAt!.Value, usage.LastRejectedAt!.Value));
        var audit = (await PlatformRowsAsync(KeyHealthAuditActions.UsageReported)).Single(e => e.Reason!.StartsWith($"Batch {batchId}:", StringComparison.Ordinal));
        Assert.Equal($"Batch {batchId}: 3 entries, 1 accepted, 2 unknown; 0 dropped by the reader before it", audit.Reason);
        Assert.Equal((AuditOutcome.Succeeded, AuditChannels.Api, HomeTenant, (string?)null), (audit.Outcome, audit.Channel, audit.ActorTenantId, audit.TenantId));
    }

    [Fact]
    public async Task Post_SameBatchIdAgain_AnsweredAsTheFirstTime_NothingAddedTwice()
    {
        var (tenantId, version, _) = await TenantWithKeyAsync();
        using var backend = await BackendAsync();
        var batchId = Guid.NewGuid();
        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        string Body() => new JsonObject
        {
            ["batchId"] = batchId, ["droppedEntries"] = 3,
            ["entries"] = new JsonArray(Entry(tenantId, version, uses: 4, lastUsedAt: at), Entry("nobody", version, uses: 1, lastUsedAt: at)),
        }.ToJsonString();

        using var first = await backend.PostAsync(KeyUsageEndpoint.Route, AutomationApiHost.Json(Body()));
        using var retry = await backend.PostAsync(KeyUsageEndpoint.Route, AutomationApiHost.Json(Body()));
        using var otherApp = await BackendAsync();
        using var stolen = await otherApp.PostAsync(KeyUsageEndpoint.Route, AutomationApiHost.Json(Body()));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        var replay = await AutomationApiHost.BodyAsync(retry);
        Assert.Equal((2, 1, 1, true, 0), (replay["entries"]!.GetValue<int>(), replay["accepted"]!.GetValue<int>(), replay["unknown"]!.GetValue<int>(),
            replay["replayed"]!.GetValue<bool>(), replay["unknownEntries"]!.AsArray().Count));
        await AssertProblemAsync(stolen, HttpStatusCode.Conflict, "batch_id_taken",
            "Another client app sent a batch with this batchId; send a new UUID for each batch (and the same one only for its retries).");
        Assert.Equal(4, (await UsageAsync(tenantId, version))!.Uses);
        var audit = (await PlatformRowsAsync(KeyHealthAuditActions.UsageReported)).Where(e => e.Reason!.Contains(batchId.ToString(), StringComparison.Ordinal)).ToList();
        Assert.Equal($"Batch {batchId}: 2 entries, 1 accepted, 1 unknown; 3 dropped by the reader before it", Assert.Single(audit).Reason);
    }

    [Fact]
    public async Task Post_CustomersTokenWithTheRole_Refused403HomeTenantOnly_AuditedOnThePlatformChain_NothingStored()
    {
        var (tenantId, version, app) = await TenantWithKeyAsync();
        var customer = app with { Roles = [PortalAppRoles.KeyUsageReport, PortalAppRoles.ApiKeysRead] };
        using var client = await host.ClientAsAsync(customer);
        var batchId = Guid.NewGuid();

        using var response = await client.PostAsync(KeyUsageEndpoint.Route, Batch(batchId, Entry(tenantId, version, rejections: 99, firstRejectedAt: DateTimeOffset.UtcNow)));

        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "home_tenant_only",
            $"Key usage reports are taken only from the SaaS provider's own backend, with a token from the provider's Entra tenant; this token was issued by the Entra tenant {app.TenantId}.");
        Assert.Null(await UsageAsync(tenantId, version));
        Assert.False(await BatchStoredAsync(batchId));
        var denial = (await PlatformRowsAsync(KeyHealthAuditActions.UsageReported)).Single(e => e.Reason!.EndsWith(batchId.ToString(), StringComparison.Ordinal));
        Assert.Equal((AuditOutcome.Denied, app.TenantId, (string?)null), (denial.Outcome, denial.ActorTenantId, denial.TenantId));
        Assert.Empty(await host.AuditAsync(tenantId).ContinueWith(t => t.Result.Where(e => e.Action == KeyHealthAuditActions.UsageReported).ToList()));
    }

    [Fact]
    public async Task Post_Anonymous_Refused401TokenMissing()
    {
        using var client = host.Client();

        using var response = await client.PostAsync(KeyUsageEndpoint.Route, Batch(Guid.NewGuid(), Entry("contoso", "abc", uses: 1, lastUsedAt: DateTimeOffset.UtcNow)));

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "token_missing",
            "This API needs an app-only access token from Microsoft Entra ID in the Authorization header (Bearer).");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Post_HomeTenantTokenWithoutTheRole_Refused403NamingTheRole()
    {
        using var client = await BackendAsync(PortalAppRoles.ApiKeysRead);

        using var response = await client.PostAsync(KeyUsageEndpoint.Route, Batch(Guid.NewGuid(), Entry("contoso", "abc", uses: 1, lastUsedAt: DateTimeOffset.UtcNow)));

        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "role_missing",
            "The token does not carry the application role KeyUsage.Report, which this operation needs. Your Entra admin grants it to the automation app (docs/automation.md).");
    }

    [Fact]
    public async Task IngestAsync_TrackedRowsAsOnSqlServer_AddUpExactlyAsTheSqliteStatement()
    {
        var (tenantA, versionA, _) = await TenantWithKeyAsync();
        var (tenantB, versionB, _) = await TenantWithKeyAsync();
        var t = new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
        var backend = new ClaimsPrincipal(new ClaimsIdentity(
            [
                new Claim(PortalClaimTypes.TenantId, HomeTenant.ToString()), new Claim(PortalClaimTypes.ObjectId, Guid.NewGuid().ToString()),
                new Claim(PortalClaimTypes.AuthorizedParty, Guid.NewGuid().ToString()), new Claim(PortalClaimTypes.Roles, PortalAppRoles.KeyUsageReport),
            ],
            AppTokenAuthentication.AuthenticationType));
        KeyUsageEntry[] Reports(string tenantId, string version) =>
        [
            new(tenantId, version, 3, t.AddMinutes(2), 1, t.AddMinutes(1), t.AddMinutes(1)),
            new(tenantId, version, 0, null, 2, t, t.AddMinutes(5)),
            new(tenantId, version, 4, t.AddMinutes(1), 0, null, null),
        ];

        async Task<KeyUsage?> IngestAsync(bool inSql, string tenantId, string version)
        {
            foreach (var entry in Reports(tenantId, version))
            {
                using var scope = host.Portal.Services.CreateScope();
                var ingestion = scope.ServiceProvider.GetRequiredService<KeyUsageIngestion>();
                ingestion.AddInSql = inSql;
                var outcome = await ingestion.IngestAsync(backend, new KeyUsageBatchReport(Guid.NewGuid(), 0, [entry]), default);
                Assert.Equal(1, Assert.IsType<KeyUsageIngestOutcome.Applied>(outcome).Response.Accepted);
            }

            return await UsageAsync(tenantId, version);
        }

        var inSql = await IngestAsync(inSql: true, tenantA, versionA);
        var tracked = await IngestAsync(inSql: false, tenantB, versionB);

        Assert.NotNull(inSql);
        Assert.NotNull(tracked);
        var expected = (7L, t.AddMinutes(2), 3L, t, t.AddMinutes(5), 3L);
        Assert.Equal(expected, (inSql.Uses, inSql.LastUsedAt!.Value, inSql.Rejections, inSql.FirstRejectedAt!.Value, inSql.LastRejectedAt!.Value, inSql.Revision));
        Assert.Equal(expected, (tracked.Uses, tracked.LastUsedAt!.Value, tracked.Rejections, tracked.FirstRejectedAt!.Value, tracked.LastRejectedAt!.Value, tracked.Revision));
        Assert.True(inSql.LastReportedAt <= tracked.LastReportedAt);
    }

    public static TheoryData<string, string, string> BadBatches => new()
    {
        { """{"droppedEntries":0,"entries":[]}""", "batch_id_missing", "The batch has no batchId: send a new UUID for each batch, and the same one when retrying it." },
        { """{"batchId":"00000000-0000-0000-0000-000000000000","entries":[]}""", "batch_id_missing", "The batch has no batchId: send a new UUID for each batch, and the same one when retrying it." },
        { """{"batchId":"4d2c7a51-6c0e-4d43-9d0f-2f0d9e3a0b11"}""", "entries_missing", "The batch has no \"entries\" array (it may be empty)." },
        { """{"batchId":"4d2c7a51-6c0e-4d43-9d0f-2f0d9e3a0b11","entries":[{"tenantId":"contoso","version":"abc","uses":-1,"rejections":0}]}""", "entry_invalid", "entries[0]: uses and rejections must be whole numbers, 0 or more." },
        { """{"batchId":"4d2c7a51-6c0e-4d43-9d0f-2f0d9e3a0b11","entries":[{"tenantId":"contoso","version":"abc","uses":1,"rejections":0,"lastUsedAt":"2026-11-30T09:00:00Z"},{"tenantId":"contoso","version":"abc","uses":2,"rejections":0}]}""", "entry_invalid", "entries[1]: lastUsedAt is required when uses is more than 0, and only then." },
        { """{"batchId":"4d2c7a51-6c0e-4d43-9d0f-2f0d9e3a0b11","entries":[{"tenantId":"contoso","version":"abc","uses":0,"rejections":0}]}""", "entry_invalid", "entries[0]: the entry reports neither a use nor a rejection." },
        { """{"batchId":"4d2c7a51-6c0e-4d43-9d0f-2f0d9e3a0b11","entries":[{"tenantId":"contoso","version":"abc","uses":0,"rejections":1,"firstRejectedAt":"2026-11-30T09:05:00Z","lastRejectedAt":"2026-11-30T09:00:00Z"}]}""", "entry_invalid", "entries[0]: firstRejectedAt is after lastRejectedAt." },
        { """{"batchId":"4d2c7a51-6c0e-4d43-9d0f-2f0d9e3a0b11","entries":[{"tenantId":"contoso","version":"abc","uses":1,"rejections":0,"lastUsedAt":"2099-01-01T00:00:00Z"}]}""", "entry_invalid", "entries[0]: a time is in the future (more than 5 minutes ahead of the portal's clock)." },
        { """{"batchId":"4d2c7a51-6c0e-4d43-9d0f-2f0d9e3a0b11","entries":[{"tenantId":"con toso","version":"abc","uses":1,"rejections":0,"lastUsedAt":"2026-11-30T09:00:00Z"}]}""", "entry_invalid", "entries[0]: tenantId must be a tenant id: 1–112 letters, digits and hyphens." },
        { """{"batchId":"4d2c7a51-6c0e-4d43-9d0f-2f0d9e3a0b11","entries":[{"tenantId":"contoso","version":"sk_live_CANARY","uses":1,"rejections":0,"lastUsedAt":"2026-11-30T09:00:00Z"}]}""", "entry_invalid", "entries[0]: version must be the store's version id: 1–64 letters, digits and hyphens." },
        { """{"batchId":"4d2c7a51-6c0e-4d43-9d0f-2f0d9e3a0b11","entries":[{"tenantId":"contoso","version":"abc","uses":"many","rejections":0}]}""", "malformed_batch", "The body is not a key usage batch: $.entries[0].uses (line 1, byte 113) is not what {\"batchId\": \"<uuid>\", \"droppedEntries\": 0, \"entries\": [{\"tenantId\", \"version\", \"uses\", \"lastUsedAt\", \"rejections\", \"firstRejectedAt\", \"lastRejectedAt\"}]} allows." },
        { """{"batchId":"4d2c7a51-6c0e-4d43-9d0f-2f0d9e3a0b11","entries":[{"tenantId":"contoso","sk_live_CANARY":1}]}""", "malformed_batch", "The body is not a key usage batch: $.entries[0].<a property the batch does not have> (line 1, byte 101) is not what {\"batchId\": \"<uuid>\", \"droppedEntries\": 0, \"entries\": [{\"tenantId\", \"version\", \"uses\", \"lastUsedAt\", \"rejections\", \"firstRejectedAt\", \"lastRejectedAt\"}]} allows." },
        { """{"batchId":"4d2c7a51-6c0e-4d43-9d0f-2f0d9e3a0b11","entries":[],"sk_live_CANARY":true}""", "malformed_batch", "The body is not a key usage batch: $.<a property the batch does not have> (line 1, byte 81) is not what {\"batchId\": \"<uuid>\", \"droppedEntries\": 0, \"entries\": [{\"tenantId\", \"version\", \"uses\", \"lastUsedAt\", \"rejections\", \"firstRejectedAt\", \"lastRejectedAt\"}]} allows." },
        { "[1,2]", "malformed_batch", "The body is not a key usage batch: $ (line 1, byte 2) is not what {\"batchId\": \"<uuid>\", \"droppedEntries\": 0, \"entries\": [{\"tenantId\", \"version\", \"uses\", \"lastUsedAt\", \"rejections\", \"firstRejectedAt\", \"lastRejectedAt\"}]} allows." },
    };

    [Theory]
    [MemberData(nameof(BadBatches))]
    public async Task Post_BadBatch_Refused400WithTheExactProblem_NothingStored(string json, string code, string detail)
    {
        using var backend = await BackendAsync();

        using var response = await backend.PostAsync(KeyUsageEndpoint.Route, AutomationApiHost.Json(json));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, code, detail);
        Assert.False(await BatchStoredAsync(Guid.Parse("4d2c7a51-6c0e-4d43-9d0f-2f0d9e3a0b11")));
        Assert.DoesNotContain(host.Portal.AllLogText(), l => l.Contains("sk_live_CANARY", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Post_TooManyEntriesOrNotJson_RefusedWithTheExactProblem()
    {
        using var backend = await BackendAsync();
        var entries = new JsonArray(Enumerable.Range(0, KeyUsageEndpoint.MaxEntries + 1)
            .Select(i => (JsonNode?)Entry("t" + i, "abc", uses: 1, lastUsedAt: new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero))).ToArray());

        using var tooMany = await backend.PostAsync(KeyUsageEndpoint.Route,
            AutomationApiHost.Json(new JsonObject { ["batchId"] = Guid.NewGuid(), ["entries"] = entries }.ToJsonString()));
        using var text = await backend.PostAsync(KeyUsageEndpoint.Route, new StringContent("uses=1"));

        await AssertProblemAsync(tooMany, HttpStatusCode.BadRequest, "too_many_entries",
            "A batch holds at most 10,000 entries; this one has 10,001. Send the rest in another batch.");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        Assert.Equal("unsupported_media_type", (await AutomationApiHost.BodyAsync(text))["code"]!.GetValue<string>());
    }
}
