using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Support;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.Support;

/// <summary>The support console over the portal's HTTP pipeline: the CSV export, the pages' access, and the lookup's canary.</summary>
public sealed class SupportHttpTests : IAsyncLifetime, IDisposable
{
    private readonly PortalAppFactory _factory = new();

    public async Task InitializeAsync()
    {
        using var scope = _factory.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<ApiKeyService>().SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue("sk_live_http_export_000001"), default);
        await _factory.OnboardAsync("formula", "=HYPERLINK(\"https://evil.example\",\"Click\")", Guid.NewGuid());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _factory.Dispose();

    private PortalDbContext Db() => _factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();

    [Fact]
    public async Task ExportCsv_Support_GetsTheFilteredListInItsOrder_FormulasEscaped_AndTheExportIsAudited()
    {
        using var client = _factory.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, "support");

        var all = await client.GetAsync("/support/rotation-status/export.csv?sort=Name");
        var notSet = await client.GetAsync("/support/rotation-status/export.csv?status=NotSet&sort=Name&desc=true");

        Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        Assert.Equal("text/csv; charset=utf-8", all.Content.Headers.ContentType!.ToString());
        Assert.Equal("attachment; filename=\"rotation-status.csv\"", all.Content.Headers.ContentDisposition!.ToString());
        var lines = (await all.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("TenantId,TenantName,Status,DueAt,LastRotatedAt,KeyAgeDays,Versions,StoreDrift,OffboardedAt", lines[0]);
        Assert.Equal(5, lines.Length);
        Assert.StartsWith("formula,\"'=HYPERLINK(", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("contoso,Contoso Ltd,Active,", lines[2], StringComparison.Ordinal);
        Assert.Equal(["northwind", "fabrikam", "formula"],
            (await notSet.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')[0]));
        Assert.Equal("attachment; filename=\"rotation-status-notset.csv\"", notSet.Content.Headers.ContentDisposition!.ToString());
        await using var db = Db();
        Assert.Equal(["csv; sort=Name", "csv; sort=Name desc; status=NotSet"],
            await db.AuditEvents.Where(e => e.Action == SupportAuditActions.Exported).OrderBy(e => e.Id).Select(e => e.Reason!).ToListAsync());
    }

    [Fact]
    public async Task ExportCsv_TenantAdmin_IsNotFound_AndTheRefusalIsAudited()
    {
        using var client = _factory.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, "contoso-admin");

        var response = await client.GetAsync("/support/rotation-status/export.csv");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("TenantId,TenantName", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var db = Db();
        var denial = await db.AuditEvents.SingleAsync(e => e.Action == SupportAuditActions.Exported);
        Assert.Equal((AuditOutcome.Denied, "Not permitted: rotation status export", "Adele Vance"), (denial.Outcome, denial.Reason, denial.ActorName));
    }

    [Theory]
    [InlineData("status=Late", "There is no status \"Late\": use one of Active, DueSoon, Overdue, Revoked, NotSet, Offboarded.")]
    [InlineData("dueFrom=yesterday", "dueFrom is not a date or time (\"yesterday\"): write it as 2026-12-01 or 2026-12-01T09:00:00Z.")]
    [InlineData("status=NotSet&dueFrom=2026-12-01", "Not set tenants have no due date, so a due window finds none of them: clear one of the two filters.")]
    public async Task ExportCsv_FilterThatCannotRun_IsABadRequestWithTheReason(string query, string problem)
    {
        using var client = _factory.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, "support");

        var response = await client.GetAsync($"/support/rotation-status/export.csv?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(problem, body.RootElement.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("/support/rotation-status/export.csv?status=Overdue")]
    [InlineData("/support/key-lookup")]
    [InlineData("/support/tenants/contoso/timeline")]
    public async Task SupportRoutes_Anonymous_AreSentToSignIn(string path)
    {
        using var client = _factory.CreateBrowserLikeClient();

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"{TenantPortal.Web.Auth.Development.DevelopmentSignIn.SignInPath}?ReturnUrl={Uri.EscapeDataString(path)}", response.Headers.Location!.PathAndQuery);
    }

    [Theory]
    [InlineData("/support/key-lookup")]
    [InlineData("/support/tenants/contoso/timeline")]
    [InlineData("/support/rotation-status?status=Overdue")]
    public async Task SupportPages_TenantAdmin_IsSentToAccessDenied(string path)
    {
        using var client = _factory.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, "contoso-admin");

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/authentication/access-denied?ReturnUrl={Uri.EscapeDataString(path)}", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task Home_Support_IsTheDashboard_TenantAdmin_IsTheirKeysStatus()
    {
        using var support = _factory.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(support, "support");
        using var admin = _factory.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(admin, "contoso-admin");

        var supportHome = WebUtility.HtmlDecode(await support.GetStringAsync("/"));
        var adminHome = WebUtility.HtmlDecode(await admin.GetStringAsync("/"));

        Assert.Contains("href=\"/support/rotation-status?status=Overdue\"", supportHome, StringComparison.Ordinal);
        Assert.Contains("Support dashboard", supportHome, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"key-card-contoso\"", adminHome, StringComparison.Ordinal);
        Assert.Contains("Nothing to do now. The next rotation is due on", adminHome, StringComparison.Ordinal);
        Assert.DoesNotContain("status-cards", adminHome, StringComparison.Ordinal);
    }

    /// <summary>A leaked key pasted into the lookup, matched or not, leaves no trace: files, audit rows, logs, the answer.</summary>
    [Fact]
    public async Task LookUpKeyAsync_LeavesNoTraceOfTheValue()
    {
        var stored = $"sk_live_CANARY_lookup_{Guid.NewGuid():N}";
        var unknown = $"sk_live_CANARY_unknown_{Guid.NewGuid():N}";
        KeyLookupResult matched;
        KeyLookupResult missed;
        using (var scope = _factory.Services.CreateScope())
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<ApiKeyService>()
                .SubmitApiKeyAsync(TestPersonas.FabrikamAdmin, "fabrikam", new SecretValue(stored), default)).Succeeded);
            var support = scope.ServiceProvider.GetRequiredService<SupportService>();
            matched = (await support.LookUpKeyAsync(TestPersonas.SupportReader, new SecretValue(stored + "\n"), default))!;
            missed = (await support.LookUpKeyAsync(TestPersonas.SupportReader, new SecretValue(unknown), default))!;
            var refused = await support.LookUpKeyAsync(TestPersonas.FabrikamAdmin, new SecretValue(unknown), default);
            Assert.Null(refused);
        }

        Assert.Equal("fabrikam", Assert.Single(matched.Matches).TenantId);
        Assert.Empty(missed.Matches);
        string[] canaries = [stored, unknown];
        string[] answers = [System.Text.Json.JsonSerializer.Serialize(matched), System.Text.Json.JsonSerializer.Serialize(missed)];
        Assert.DoesNotContain(answers, a => canaries.Any(c => a.Contains(c, StringComparison.Ordinal) || a.Contains(c[^8..], StringComparison.Ordinal)));

        // The unknown key was never stored, so it may appear nowhere at all; the stored one only encrypted in the store.
        var files = Directory.GetFiles(_factory.DataDirectory, "*", SearchOption.AllDirectories)
            .OrderBy(f => f.EndsWith("tenantportal.db", StringComparison.Ordinal)).ToList();
        foreach (var file in files)
        {
            byte[] bytes;
            try
            {
                await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer);
                bytes = buffer.ToArray();
            }
            catch (FileNotFoundException)
            {
                continue;
            }

            foreach (var canary in canaries)
            {
                Assert.False(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(canary)) >= 0, $"{file} holds a pasted key in UTF-8");
                Assert.False(bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(canary)) >= 0, $"{file} holds a pasted key in UTF-16");
            }
        }

        await using (var db = Db())
        {
            var lookups = await db.AuditEvents.AsNoTracking().Where(e => e.Action == SupportAuditActions.KeyLookup).ToListAsync();
            Assert.Equal(3, lookups.Count);
            Assert.Equal([$"Fingerprint {matched.Fingerprint} is version {matched.Matches[0].ShortVersion}'s (Current)",
                $"Fingerprint {missed.Fingerprint}: no tenant's key version has it", "Not permitted: key lookup"], lookups.Select(e => e.Reason));
            Assert.DoesNotContain(lookups, e => canaries.Any(c => System.Text.Json.JsonSerializer.Serialize(e).Contains(c, StringComparison.Ordinal)));
        }

        Assert.DoesNotContain(_factory.AllLogText(), line => canaries.Any(c => line.Contains(c, StringComparison.Ordinal)));
    }
}
