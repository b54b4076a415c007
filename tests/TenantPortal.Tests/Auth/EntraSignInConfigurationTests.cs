using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.Tenants;

namespace TenantPortal.Tests.Auth;

/// <summary>The AzureAd and Authentication settings, checked at start-up with messages naming the setting.</summary>
public class EntraSignInConfigurationTests
{
    private static readonly Dictionary<string, string?> Valid = new()
    {
        ["AzureAd:Instance"] = "https://login.microsoftonline.com/",
        ["AzureAd:TenantId"] = "organizations",
        ["AzureAd:ClientId"] = "11111111-2222-3333-4444-555555555555",
        ["AzureAd:ClientSecret"] = "development-only-secret",
        ["Authentication:HomeTenantId"] = "9e7b0a4c-0000-4000-8000-000000000001",
        ["Database:MigrateAtStartup"] = "true",
    };

    [Theory]
    [InlineData("AzureAd:Instance", null, "AzureAd:Instance must be set")]
    [InlineData("AzureAd:Instance", "http://login.example.com/", "AzureAd:Instance must be an absolute https URI")]
    [InlineData("AzureAd:ClientId", null, "AzureAd:ClientId must be set")]
    [InlineData("AzureAd:TenantId", null, "AzureAd:TenantId must be set")]
    [InlineData("AzureAd:ClientSecret", null, "set AzureAd:ClientCredentials")]
    [InlineData("Authentication:HomeTenantId", null, "Authentication:HomeTenantId must be set")]
    [InlineData("Authentication:RevalidationInterval", "00:10:00", "Authentication:RevalidationInterval must be between")]
    public void WrongSetting_FailsStartupNamingIt(string key, string? value, string message)
    {
        using var factory = Production(new Dictionary<string, string?>(Valid) { [key] = value });

        var ex = factory.StartupFailure();

        Assert.Contains(message, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void CertificateCredential_IsRefusedAtStartup()
    {
        using var factory = Production(new Dictionary<string, string?>(Valid)
        {
            ["AzureAd:ClientSecret"] = null,
            ["AzureAd:ClientCredentials:0:SourceType"] = "StoreWithThumbprint",
        });

        var ex = factory.StartupFailure();

        Assert.Contains("source type StoreWithThumbprint is not supported", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManagedIdentityCredential_AsDeployed_Starts()
    {
        using var factory = Production(new Dictionary<string, string?>(Valid)
        {
            ["AzureAd:ClientSecret"] = null,
            ["AzureAd:ClientCredentials:0:SourceType"] = "SignedAssertionFromManagedIdentity",
        });

        using var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost") });

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task SignedAssertionCredential_RedeemsTheCodeWithTheAssertion_AndNoSecret()
    {
        await using var issuer = await TestOidcIssuer.StartAsync();
        var assertion = FederatedAssertion();
        var file = Path.Combine(Path.GetTempPath(), $"tenantportal-assertion-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(file, assertion);
        issuer.AcceptedClientAssertion = assertion;
        try
        {
            using var portal = EntraSignInTests.CreatePortal(issuer, new Dictionary<string, string?>
            {
                ["AzureAd:ClientSecret"] = null,
                ["AzureAd:ClientCredentials:0:SourceType"] = "SignedAssertionFilePath",
                ["AzureAd:ClientCredentials:0:SignedAssertionFileDiskPath"] = file,
            });
            using var browser = EntraSignInFlow.Browser(portal);

            var callback = await EntraSignInFlow.SignInAsync(issuer, browser, TestUser.In(EntraSignInTests.HomeTenant, PortalRoles.SupportReader), "/support/rotation-status");

            Assert.Equal("/support/rotation-status", callback.Headers.Location!.OriginalString);
            var request = Assert.Single(issuer.TokenRequests);
            Assert.Equal(assertion, request.ClientAssertion);
            Assert.Equal("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", request.ClientAssertionType);
            Assert.False(request.HadClientSecret);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task SignedAssertionCredential_TheIssuerRefuses_FailsTheSignInAndAuditsIt()
    {
        await using var issuer = await TestOidcIssuer.StartAsync();
        var file = Path.Combine(Path.GetTempPath(), $"tenantportal-assertion-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(file, FederatedAssertion());
        issuer.AcceptedClientAssertion = "another-assertion";
        try
        {
            using var portal = EntraSignInTests.CreatePortal(issuer, new Dictionary<string, string?>
            {
                ["AzureAd:ClientSecret"] = null,
                ["AzureAd:ClientCredentials:0:SourceType"] = "SignedAssertionFilePath",
                ["AzureAd:ClientCredentials:0:SignedAssertionFileDiskPath"] = file,
            });
            await using (var db = portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext())
            {
                db.Tenants.Add(new Tenant { Id = "contoso", DisplayName = "Contoso", Directories = [new TenantDirectory { EntraTenantId = Guid.Parse("c0c0c0c0-0000-4000-8000-00000000b002"), TenantId = "contoso" }] });
                await db.SaveChangesAsync();
            }

            using var browser = EntraSignInFlow.Browser(portal);

            var callback = await EntraSignInFlow.SignInAsync(issuer, browser,
                TestUser.In(Guid.Parse("c0c0c0c0-0000-4000-8000-00000000b002"), PortalRoles.TenantAdmin), "/");

            Assert.Equal(SignInRefusal.FailedPath, callback.Headers.Location!.OriginalString);
            await using var check = portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
            var audited = await check.AuditEvents.SingleAsync(e => e.Action == TenantPortal.Web.Infrastructure.Audit.AuditActions.SignIn);
            Assert.Equal(TenantPortal.Web.Infrastructure.Audit.AuditOutcome.Failed, audited.Outcome);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>A token-shaped assertion as a workload identity file holds it (the loader reads its expiry).</summary>
    private static string FederatedAssertion()
    {
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var header = Base64UrlEncoder.Encode("""{"alg":"RS256","typ":"JWT"}""");
        var payload = Base64UrlEncoder.Encode($$"""{"aud":"api://AzureADTokenExchange","exp":{{exp}},"sub":"{{Guid.NewGuid()}}"}""");
        return $"{header}.{payload}.{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes("signature"))}";
    }

    private static PortalAppFactory Production(Dictionary<string, string?> settings)
    {
        var factory = new PortalAppFactory { Environment = "Production" };
        foreach (var (key, value) in settings)
        {
            factory.WithSetting(key, value);
        }

        return factory;
    }
}
