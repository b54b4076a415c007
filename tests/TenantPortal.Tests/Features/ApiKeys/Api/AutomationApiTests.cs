using System.Net;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.ApiKeys.Api;
using TenantPortal.Web.Infrastructure.Audit;
using static TenantPortal.Tests.Features.ApiKeys.Api.AutomationApiHost;

namespace TenantPortal.Tests.Features.ApiKeys.Api;

/// <summary>The automation API through the real HTTP pipeline, with app-only tokens from the test issuer.</summary>
public sealed class AutomationApiTests(AutomationApiHost host) : IClassFixture<AutomationApiHost>
{
    private static string Route(string tenantId, string tail = "") => $"/api/v1/tenants/{tenantId}/api-key{tail}";

    [Fact]
    public async Task Put_WithTheRotateRole_StoresTheKeyAndAnswers201WithItsMetadata()
    {
        var (tenant, directory, app) = await host.OnboardAsync();
        using var client = await host.ClientAsAsync(app);

        using var first = await client.PutAsync(Route(tenant), Value("sk_live_first_key_0000000000AAAA"));
        using var second = await client.PutAsync(Route(tenant), Value("sk_live_second_key_000000000BBBB"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(Route(tenant), second.Headers.Location!.OriginalString);
        var one = await BodyAsync(first);
        var two = await BodyAsync(second);
        var versions = await host.VersionsAsync(tenant);
        Assert.Equal(2, versions.Count);
        Assert.Equal(versions[0].StoreVersionId, (string?)one["version"]);
        Assert.Equal(versions[1].StoreVersionId, (string?)two["version"]);
        Assert.Null((string?)one["replacedVersion"]);
        Assert.Equal(versions[0].StoreVersionId, (string?)two["replacedVersion"]);
        Assert.Equal("••••BBBB", (string?)two["maskedHint"]);
        Assert.Equal(versions[1].Fingerprint, (string?)two["fingerprint"]);
        Assert.Equal(versions[1].ExpiresAt!.Value.ToUnixTimeMilliseconds(),
            DateTimeOffset.Parse((string)two["rotateBy"]!, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds());
        Assert.Equal([ApiKeyVersionStatus.Previous, ApiKeyVersionStatus.Current], versions.Select(v => v.Status));
        Assert.Equal($"automation {app.AppId}", versions[1].CreatedByName);
        Assert.Equal(directory, versions[1].CreatedByTenantId);
        Assert.Equal(app.ServicePrincipalId, versions[1].CreatedByObjectId);
    }

    [Fact]
    public async Task Put_IsAuditedWithTheClientAppAsActorAndTheApiAsChannel()
    {
        var (tenant, directory, app) = await host.OnboardAsync();
        using var client = await host.ClientAsAsync(app);

        using var response = await client.PutAsync(Route(tenant), Value("sk_live_audited_key_00000000CCCC"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var audit = (await host.AuditAsync(tenant)).Where(e => e.Action == AuditActions.ApiKeySubmit).ToList();
        Assert.Equal([AuditOutcome.Requested, AuditOutcome.Succeeded], audit.Select(e => e.Outcome));
        Assert.All(audit, e =>
        {
            Assert.Equal(directory, e.ActorTenantId);
            Assert.Equal(app.ServicePrincipalId, e.ActorObjectId);
            Assert.Equal($"automation {app.AppId}", e.ActorName);
            Assert.Equal("ApiKeys.Read,ApiKeys.Rotate", e.ActorRole);
            Assert.Equal(AuditChannels.Api, e.Channel);
        });
        Assert.Equal(audit[1].KeyVersion, (string?)(await BodyAsync(response))["version"]);
    }

    [Fact]
    public async Task Get_WithTheReadRole_AnswersStatusAndHistoryAsMetadataOnly()
    {
        var (tenant, _, app) = await host.OnboardAsync();
        using var client = await host.ClientAsAsync(app);
        using (await client.PutAsync(Route(tenant), Value("sk_live_history_one_0000000DDDD")))
        using (await client.PutAsync(Route(tenant), Value("sk_live_history_two_0000000EEEE")))
        {
        }

        using var response = await client.GetAsync(Route(tenant));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await BodyAsync(response);
        var versions = await host.VersionsAsync(tenant);
        Assert.Equal(tenant, (string?)body["tenantId"]);
        Assert.Equal("Ok", (string?)body["status"]);
        Assert.Equal(versions[1].StoreVersionId, (string?)body["current"]!["version"]);
        Assert.Equal("Current", (string?)body["current"]!["status"]);
        Assert.Equal(versions[0].StoreVersionId, (string?)body["previousInGrace"]!["version"]);
        Assert.Equal(["••••EEEE", "••••DDDD"], body["versions"]!.AsArray().Select(v => (string?)v!["maskedHint"]));
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("sk_live_history", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokeAndRestore_ChangeTheKeyAsOnThePage()
    {
        var (tenant, _, app) = await host.OnboardAsync();
        using var client = await host.ClientAsAsync(app);
        using (await client.PutAsync(Route(tenant), Value("sk_live_restore_one_000000FFFF")))
        using (await client.PutAsync(Route(tenant), Value("sk_live_restore_two_000000GGGG")))
        {
        }

        var before = await host.VersionsAsync(tenant);
        using var restore = await client.PostAsync(Route(tenant, "/restore-previous"), null);
        using var noReason = await client.PostAsync(Route(tenant, "/revoke"), Json("{}"));
        using var revoke = await client.PostAsync(Route(tenant, "/revoke"), Json("""{"reason":"Leaked in a CI log"}"""));
        using var again = await client.PostAsync(Route(tenant, "/revoke"), Json("""{"reason":"again"}"""));
        using var restoreNothing = await client.PostAsync(Route(tenant, "/restore-previous"), null);

        Assert.Equal(HttpStatusCode.OK, restore.StatusCode);
        Assert.Equal(before[0].StoreVersionId, (string?)(await BodyAsync(restore))["version"]);
        await AssertProblemAsync(noReason, HttpStatusCode.BadRequest, "invalid_reason", $"Give a reason for revoking (at most {ApiKeyService.RevokeReasonMaxLength} characters).");
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        await AssertProblemAsync(again, HttpStatusCode.Conflict, "conflict", "There is no current key to revoke.");
        await AssertProblemAsync(restoreNothing, HttpStatusCode.Conflict, "conflict",
            "There is no previous version to restore: it can be restored only while its grace period lasts. Submit a new key instead.");
        var after = await host.VersionsAsync(tenant);
        Assert.All(after, v => Assert.NotEqual(ApiKeyVersionStatus.Current, v.Status));
        Assert.Contains(after, v => v.Status == ApiKeyVersionStatus.Revoked && v.RevokeReason == "Leaked in a CI log");
        Assert.Contains(await host.AuditAsync(tenant), e => e.Action == AuditActions.ApiKeyRevoke && e.Outcome == AuditOutcome.Succeeded
            && e.Reason == "Leaked in a CI log" && e.Channel == AuditChannels.Api);
    }

    public static TheoryData<string, string, HttpStatusCode, string, string> BadBodies() => new()
    {
        { "empty value", """{"value":""}""", HttpStatusCode.BadRequest, "invalid_value", "Enter the API key." },
        { "whitespace", """{"value":"   \n  "}""", HttpStatusCode.BadRequest, "invalid_value", "The API key is blank: it contains only spaces or line breaks." },
        { "over 8 KB", $$"""{"value":"{{new string('k', ApiKeyValueRules.MaxBytes + 1)}}"}""", HttpStatusCode.BadRequest, "invalid_value",
            $"The API key is longer than the limit of 8 KB ({ApiKeyValueRules.MaxBytes:N0} bytes)." },
        { "control character", """{"value":"sk_live_ctrl\u0007_0000000000"}""", HttpStatusCode.BadRequest, "invalid_value",
            "The API key contains a line break, tab or other control character. API keys never do: check what was pasted." },
        { "malformed JSON", """{"value":"sk_live_unterminated""", HttpStatusCode.BadRequest, "malformed_json",
            "The body is not valid JSON (line 1, byte 31). Send {\"value\": \"<the API key>\"}." },
        { "no value", """{}""", HttpStatusCode.BadRequest, "value_missing", "The body has no \"value\": send {\"value\": \"<the API key>\"}." },
        { "value not a string", """{"value":12345}""", HttpStatusCode.BadRequest, "property_not_string", "\"value\" must be a JSON string." },
        { "not an object", """["sk_live_in_an_array_000000"]""", HttpStatusCode.BadRequest, "body_not_object", "The body must be a JSON object: {\"value\": \"<the API key>\"}." },
        { "unknown property", """{"sk_live_as_a_name_0000":"x"}""", HttpStatusCode.BadRequest, "unknown_property",
            "The body has a property this operation does not take (not named here: it could be a pasted key); it takes \"value\"." },
        { "over 64 KB", $$"""{"value":"{{new string('k', ApiJsonBody.MaxBytes)}}"}""", HttpStatusCode.RequestEntityTooLarge, "body_too_large",
            "The request body is larger than 64 KB. An API key is at most 8 KB." },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Put_WithBadInput_AnswersASpecificProblemAndWritesNothing(string why, string body, HttpStatusCode status, string code, string detail)
    {
        var (tenant, _, app) = await host.OnboardAsync();
        using var client = await host.ClientAsAsync(app);

        using var response = await client.PutAsync(Route(tenant), Json(body));

        await AssertProblemAsync(response, status, code, detail);
        Assert.Empty(await host.VersionsAsync(tenant));
        Assert.Equal(0, await host.StoreVersionCountAsync(tenant));
        Assert.DoesNotContain(await host.AuditAsync(tenant), e => e.Outcome is AuditOutcome.Requested or AuditOutcome.Succeeded);
        Assert.NotNull(why);
    }

    [Fact]
    public async Task Put_AskingForJapanese_AnswersTheRefusalInJapanese_AndWithoutAskingInEnglish()
    {
        var (tenant, _, app) = await host.OnboardAsync();
        using var client = await host.ClientAsAsync(app);
        using var japanese = new HttpRequestMessage(HttpMethod.Put, Route(tenant)) { Content = Json("""{"value":""}""") };
        japanese.Headers.AcceptLanguage.ParseAdd("ja-JP");

        using var inJapanese = await client.SendAsync(japanese);
        using var inEnglish = await client.PutAsync(Route(tenant), Json("""{"value":""}"""));

        await AssertProblemAsync(inJapanese, HttpStatusCode.BadRequest, "invalid_value", "APIキーを入力してください。");
        await AssertProblemAsync(inEnglish, HttpStatusCode.BadRequest, "invalid_value", "Enter the API key.");
        Assert.Empty(await host.VersionsAsync(tenant));
    }

    [Fact]
    public async Task Put_AsFormData_Answers415()
    {
        var (tenant, _, app) = await host.OnboardAsync();
        using var client = await host.ClientAsAsync(app);

        using var response = await client.PutAsync(Route(tenant), new FormUrlEncodedContent(new Dictionary<string, string> { ["value"] = "sk_live_form_000000000000" }));

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type", "Send the body as application/json: {\"value\": \"<the API key>\"}.");
        Assert.Empty(await host.VersionsAsync(tenant));
    }

    [Fact]
    public async Task Put_RetriedWithTheSameIdempotencyKeyAndValue_ReturnsTheFirstResultAndStoresOneVersion()
    {
        var (tenant, _, app) = await host.OnboardAsync();
        using var client = await host.ClientAsAsync(app);
        var key = Guid.NewGuid().ToString();

        using var first = await SendAsync(client, tenant, "sk_live_idempotent_000000HHHH", key);
        using var retry = await SendAsync(client, tenant, "sk_live_idempotent_000000HHHH", key);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Equal("true", Assert.Single(retry.Headers.GetValues(ApiKeyEndpoints.ReplayedHeader)));
        Assert.False(first.Headers.Contains(ApiKeyEndpoints.ReplayedHeader));
        Assert.Single(await host.VersionsAsync(tenant));
        Assert.Equal(1, await host.StoreVersionCountAsync(tenant));
        Assert.Single(await host.AuditAsync(tenant), e => e.Action == AuditActions.ApiKeySubmit && e.Outcome == AuditOutcome.Requested);
    }

    [Fact]
    public async Task Put_WithAnIdempotencyKeyUsedForAnotherValue_Answers409AndStoresNothing()
    {
        var (tenant, _, app) = await host.OnboardAsync();
        using var client = await host.ClientAsAsync(app);
        var key = Guid.NewGuid().ToString();

        using var first = await SendAsync(client, tenant, "sk_live_first_value_0000000III", key);
        using var other = await SendAsync(client, tenant, "sk_live_other_value_0000000JJJ", key);
        using var fresh = await SendAsync(client, tenant, "sk_live_other_value_0000000JJJ", Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        await AssertProblemAsync(other, HttpStatusCode.Conflict, "idempotency_key_reused",
            "This Idempotency-Key was sent with another value in the last 24 hours. Use a new key for a new value; nothing was changed.");
        Assert.Equal(HttpStatusCode.Created, fresh.StatusCode);
        Assert.Equal(2, (await host.VersionsAsync(tenant)).Count);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef-")]
    [InlineData("ключ")]
    public async Task Put_WithAnInvalidIdempotencyKey_Answers400(string key)
    {
        var (tenant, _, app) = await host.OnboardAsync();
        using var client = await host.ClientAsAsync(app);
        using var request = new HttpRequestMessage(HttpMethod.Put, Route(tenant)) { Content = Value("sk_live_bad_idem_key_00000LLLL") };
        request.Headers.TryAddWithoutValidation(ApiKeyEndpoints.IdempotencyKeyHeader, key);

        using var response = await client.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "idempotency_key_invalid",
            "The Idempotency-Key header must be sent once, with 1 to 255 visible ASCII characters (a UUID is a good choice).");
        Assert.Empty(await host.VersionsAsync(tenant));
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheFourOperationsAndTheBearerScheme()
    {
        using var client = host.Client();

        using var response = await client.GetAsync(ApiServiceCollectionExtensions.OpenApiDocumentPath);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await BodyAsync(response);
        var paths = document["paths"]!.AsObject();
        Assert.Equal(["/api/v1/key-usage", "/api/v1/tenants/{tenantId}/api-key", "/api/v1/tenants/{tenantId}/api-key/restore-previous", "/api/v1/tenants/{tenantId}/api-key/revoke"],
            paths.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["post"], paths["/api/v1/key-usage"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["get", "put"], paths["/api/v1/tenants/{tenantId}/api-key"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("bearer", (string?)document["components"]!["securitySchemes"]!["Bearer"]!["scheme"]);
    }

    [Theory]
    [InlineData("/api/v1/tenants/{0}/api-keys")]
    [InlineData("/api/v2/tenants/{0}/api-key")]
    [InlineData("/api/v1/tenants/{0}%20/api-key")]
    [InlineData("/api/v1/tenants/{0}%2e/api-key")]
    public async Task UnknownPathsAndTenantIdSpellings_AnswerA404Problem_NotThePortalsPage(string path)
    {
        var (tenant, _, app) = await host.OnboardAsync();
        using var client = await host.ClientAsAsync(app);

        using var response = await client.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, path, tenant));

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "not_found",
            "There is no such endpoint (tenant ids are letters, digits and hyphens); the API is described at /openapi/v1.json.");
    }

    [Fact]
    public async Task Forbidden_IsAuditedOnThePlatformChainWithTheApp()
    {
        var (tenant, directory, _) = await host.OnboardAsync();
        var reader = TestApp.In(directory, Web.Auth.PortalAppRoles.ApiKeysRead);
        using var client = await host.ClientAsAsync(reader);

        using var response = await client.PutAsync(Route(tenant), Value("sk_live_forbidden_write_0000MMMM"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var denial = Assert.Single(await host.AuditAsync(tenant), e => e.Action == AuditActions.ApiRoleMissing);
        Assert.Equal(AuditOutcome.Denied, denial.Outcome);
        Assert.Equal(AuditChains.Platform, denial.ChainId);
        Assert.Equal(reader.ServicePrincipalId, denial.ActorObjectId);
        Assert.Equal(AuditChannels.Api, denial.Channel);
        Assert.Equal("The token lacks the application role ApiKeys.Rotate", denial.Reason);
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code, string detail)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = System.Text.Json.Nodes.JsonNode.Parse(text)!;
        Assert.Equal(code, (string?)problem["code"]);
        Assert.Equal(detail, (string?)problem["detail"]);
        Assert.Equal((int)status, (int?)problem["status"]);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string tenant, string value, string idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, Route(tenant)) { Content = Value(value) };
        request.Headers.Add(ApiKeyEndpoints.IdempotencyKeyHeader, idempotencyKey);
        return client.SendAsync(request);
    }
}
