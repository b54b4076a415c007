using System.Net;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Web.Features.Audit;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Tests.Integration;

/// <summary>The sign-in paths and the audit exports answer 429 with Retry-After beyond their budget a minute, and do nothing else.</summary>
public sealed class RateLimitTests : IDisposable
{
    private readonly PortalAppFactory _factory = new PortalAppFactory()
        .WithSetting("RateLimits:SignInPerMinute", "3")
        .WithSetting("RateLimits:ExportsPerMinute", "2");

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task SignIn_BeyondItsBudget_Answers429WithRetryAfter_AndOtherPathsStillAnswer()
    {
        using var client = _factory.CreateBrowserLikeClient();
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add((await client.GetAsync($"{AuthServiceCollectionExtensions.SignInPath}?returnUrl=%2F")).StatusCode);
        }

        using var refused = await client.GetAsync($"{AuthServiceCollectionExtensions.SignInPath}?returnUrl=%2F");
        using var callback = await client.PostAsync("/signin-oidc", new FormUrlEncodedContent(new Dictionary<string, string> { ["state"] = "x" }));
        using var health = await client.GetAsync("/health/live");

        Assert.Equal([HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.Redirect], answers);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(int.Parse(Assert.Single(refused.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal(HttpStatusCode.TooManyRequests, callback.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task AuditExport_BeyondItsBudget_Answers429_AndIsNotAudited()
    {
        using var client = _factory.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, "support");
        using var first = await client.GetAsync(AuditEndpoints.ExportJsonPath);
        using var second = await client.GetAsync(AuditEndpoints.ExportJsonPath);
        using var third = await client.GetAsync(AuditEndpoints.ExportCsvPath);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.True(third.Headers.Contains("Retry-After"));
        await using var db = _factory.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<TenantPortal.Web.Data.PortalDbContext>>().CreateDbContext();
        Assert.Equal(2, db.AuditEvents.Count(e => e.Action == AuditActions.AuditExported));
    }
}
