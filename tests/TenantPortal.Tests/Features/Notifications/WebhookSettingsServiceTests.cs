using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.Notifications;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Tests.Features.Notifications;

public sealed class WebhookSettingsServiceTests : IAsyncLifetime
{
    private readonly StaticDnsResolver _dns = new StaticDnsResolver()
        .Map("hooks.contoso.com", "20.50.60.70")
        .Map("internal.contoso.com", "10.20.30.40")
        .Map("metadata.contoso.com", "169.254.169.254");

    private PortalServices _portal = null!;

    private WebhookSettingsService Service => _portal.Get<WebhookSettingsService>();

    public async Task InitializeAsync() => _portal = await PortalServices.StartAsync(s =>
        s.AddSingleton<Web.Infrastructure.Outbound.IOutboundDnsResolver>(_dns));

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task SetUrlAsync_PublicHttpsUrl_SavesItAndAuditsTheHostOnly()
    {
        var result = await Service.SetUrlAsync(TestPersonas.ContosoAdmin, "contoso", "https://hooks.contoso.com/portal/T0KEN-in-path?sig=abc", default);

        Assert.Equal(WebhookChangeOutcome.Saved, result.Outcome);
        Assert.Equal("Webhook saved: notices will be sent to hooks.contoso.com.", result.Message);
        await using var db = _portal.CreateDbContext();
        Assert.Equal("https://hooks.contoso.com/portal/T0KEN-in-path?sig=abc", (await db.Tenants.SingleAsync(t => t.Id == "contoso")).WebhookUrl);
        var audited = await db.AuditEvents.SingleAsync(e => e.Action == NotificationAuditActions.WebhookUrlSet);
        Assert.Equal(AuditOutcome.Succeeded, audited.Outcome);
        Assert.Equal("Webhook host hooks.contoso.com", audited.Reason);
        Assert.Equal("Adele Vance", audited.ActorName);
    }

    [Theory]
    [InlineData("http://hooks.contoso.com/x", "must use https://")]
    [InlineData("hooks.contoso.com/x", "absolute URL")]
    [InlineData("https://user:pw@hooks.contoso.com/x", "user name or password")]
    [InlineData("https://internal.contoso.com/x", "private network address")]
    [InlineData("https://metadata.contoso.com/x", "cloud metadata")]
    [InlineData("https://127.0.0.1/x", "loopback")]
    [InlineData("https://[::ffff:10.0.0.1]/x", "private network")]
    [InlineData("https://unknown.contoso.com/x", "could not be resolved")]
    public async Task SetUrlAsync_RefusedUrl_SaysWhyAndChangesNothing(string url, string expected)
    {
        var result = await Service.SetUrlAsync(TestPersonas.ContosoAdmin, "contoso", url, default);

        Assert.Equal(WebhookChangeOutcome.Invalid, result.Outcome);
        Assert.Contains(expected, result.Message, StringComparison.Ordinal);
        await using var db = _portal.CreateDbContext();
        Assert.Null((await db.Tenants.SingleAsync(t => t.Id == "contoso")).WebhookUrl);
        Assert.False(await db.AuditEvents.AnyAsync(e => e.Action == NotificationAuditActions.WebhookUrlSet));
    }

    [Theory]
    [InlineData("en", "https://internal.contoso.com/x", "internal.contoso.com resolves to a private network address, which the portal never calls. Webhooks are sent to public addresses only.")]
    [InlineData("ja", "https://internal.contoso.com/x", "internal.contoso.com は プライベート ネットワーク のアドレスに解決されるため、ポータルからは呼び出しません。Webhook はパブリック アドレスにのみ送信されます。")]
    [InlineData("ja", "https://metadata.contoso.com/x", "metadata.contoso.com は リンク ローカル (クラウドのメタデータ サービス) のアドレスに解決されるため、ポータルからは呼び出しません。Webhook はパブリック アドレスにのみ送信されます。")]
    [InlineData("ja", "https://unknown.contoso.com/x", "ホスト名 unknown.contoso.com を解決できませんでした。Webhook はパブリック アドレスにのみ送信されます。")]
    public async Task SetUrlAsync_HostRefused_SaysWhyInTheCallersLanguage(string culture, string url, string expected)
    {
        using var language = UiCulture.Use(culture);

        var result = await Service.SetUrlAsync(TestPersonas.ContosoAdmin, "contoso", url, default);

        Assert.Equal(WebhookChangeOutcome.Invalid, result.Outcome);
        Assert.Equal(expected, result.Message);
    }

    [Fact]
    public async Task SetUrlAsync_Blank_ClearsTheWebhook()
    {
        await Service.SetUrlAsync(TestPersonas.ContosoAdmin, "contoso", "https://hooks.contoso.com/x", default);

        var result = await Service.SetUrlAsync(TestPersonas.ContosoAdmin, "contoso", " ", default);

        Assert.Equal(WebhookChangeOutcome.Saved, result.Outcome);
        await using var db = _portal.CreateDbContext();
        Assert.Null((await db.Tenants.SingleAsync(t => t.Id == "contoso")).WebhookUrl);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == NotificationAuditActions.WebhookUrlCleared && e.Outcome == AuditOutcome.Succeeded));
    }

    [Fact]
    public async Task GenerateSigningKeyAsync_ReturnsTheKeyOnceAndStoresItProtected()
    {
        var first = await Service.GenerateSigningKeyAsync(TestPersonas.ContosoAdmin, "contoso", default);
        var second = await Service.GenerateSigningKeyAsync(TestPersonas.ContosoAdmin, "contoso", default);

        Assert.Equal(WebhookChangeOutcome.Saved, first.Outcome);
        Assert.StartsWith("whsec_", first.SigningKey, StringComparison.Ordinal);
        Assert.True(first.SigningKey!.Length >= 40);
        Assert.NotEqual(first.SigningKey, second.SigningKey);
        Assert.DoesNotContain(first.SigningKey, first.ToString(), StringComparison.Ordinal);

        await using var db = _portal.CreateDbContext();
        var stored = (await db.Tenants.SingleAsync(t => t.Id == "contoso")).WebhookSigningKeyProtected!;
        Assert.DoesNotContain(second.SigningKey!, stored, StringComparison.Ordinal);
        Assert.Equal(second.SigningKey, _portal.Get<IDataProtectionProvider>().CreateProtector(WebhookSigningKeys.Purpose, "contoso").Unprotect(stored));
        var audited = await db.AuditEvents.Where(e => e.Action == NotificationAuditActions.WebhookSigningKeyGenerated).OrderBy(e => e.Id).ToListAsync();
        Assert.Equal(["Signing key created", "Signing key rotated"], audited.Select(e => e.Reason));
        Assert.All(audited, e => Assert.DoesNotContain("whsec_", e.Reason, StringComparison.Ordinal));

        var view = await Service.GetAsync(TestPersonas.ContosoAdmin, "contoso", default);
        Assert.True(view!.HasSigningKey);
        Assert.DoesNotContain(second.SigningKey!, view.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryOperation_AnotherTenantsAdmin_AnswersNotFoundAndAuditsTheDenial()
    {
        await Service.SetUrlAsync(TestPersonas.ContosoAdmin, "contoso", "https://hooks.contoso.com/x", default);

        Assert.Null(await Service.GetAsync(TestPersonas.FabrikamAdmin, "contoso", default));
        Assert.Equal(WebhookChangeOutcome.NotFound, (await Service.SetUrlAsync(TestPersonas.FabrikamAdmin, "contoso", "https://hooks.contoso.com/y", default)).Outcome);
        Assert.Equal(WebhookChangeOutcome.NotFound, (await Service.SetUrlAsync(TestPersonas.FabrikamAdmin, "contoso", null, default)).Outcome);
        var key = await Service.GenerateSigningKeyAsync(TestPersonas.FabrikamAdmin, "contoso", default);
        Assert.Equal(WebhookChangeOutcome.NotFound, key.Outcome);
        Assert.Null(key.SigningKey);
        Assert.Equal(WebhookChangeOutcome.NotFound, (await Service.SetUrlAsync(TestPersonas.FabrikamAdmin, "no-such-tenant", "https://hooks.contoso.com/y", default)).Outcome);

        await using var db = _portal.CreateDbContext();
        var tenant = await db.Tenants.SingleAsync(t => t.Id == "contoso");
        Assert.Equal("https://hooks.contoso.com/x", tenant.WebhookUrl);
        Assert.Null(tenant.WebhookSigningKeyProtected);
        var denied = await db.AuditEvents.Where(e => e.Outcome == AuditOutcome.Denied).ToListAsync();
        Assert.Equal(5, denied.Count);
        Assert.Contains(denied, e => e.Action == NotificationAuditActions.WebhookSigningKeyGenerated && e.Reason == "Not permitted: ManageWebhook");
        Assert.Contains(denied, e => e.Action == NotificationAuditActions.WebhookView && e.Reason == "Not permitted: ViewDeliveries");
        Assert.Contains(denied, e => e.TenantId == "no-such-tenant" && e.Reason == "No such tenant" && e.ChainId == AuditChains.Platform);
    }

    [Fact]
    public async Task SupportReader_SeesTheHostAndLogButCannotChangeAnything()
    {
        await Service.SetUrlAsync(TestPersonas.ContosoAdmin, "contoso", "https://hooks.contoso.com/secret-path", default);

        var view = await Service.GetAsync(TestPersonas.SupportReader, "contoso", default);
        var change = await Service.SetUrlAsync(TestPersonas.SupportReader, "contoso", null, default);

        Assert.NotNull(view);
        Assert.False(view.CanManage);
        Assert.Null(view.Url);
        Assert.Equal("hooks.contoso.com", view.Host);
        Assert.Equal(WebhookChangeOutcome.NotFound, change.Outcome);
    }

    [Fact]
    public async Task GetAsync_ListsTheLastTwentyDeliveriesNewestFirst()
    {
        await using (var db = _portal.CreateDbContext())
        {
            var tenant = await db.Tenants.Include(t => t.Contacts).SingleAsync(t => t.Id == "contoso");
            tenant.Contacts.Add(new Web.Features.Tenants.TenantContact { TenantId = "contoso", Email = "ops@contoso.test" });
            for (var i = 0; i < 25; i++)
            {
                var notice = new Web.Features.Rotation.RotationNotice
                {
                    TenantId = "contoso", StoreVersionId = $"version{i:00}abcdef", Kind = Web.Features.Rotation.RotationNoticeKind.Reminder,
                    LeadDays = i + 1, CreatedAt = PortalServices.Start.AddMinutes(i),
                };
                NotificationOutbox.Enqueue(db, tenant, notice, PortalServices.Start.AddMinutes(i));
            }

            await db.SaveChangesAsync();
        }

        var view = await Service.GetAsync(TestPersonas.ContosoAdmin, "contoso", default);

        Assert.Equal(WebhookSettingsService.DeliveryLogSize, view!.Deliveries.Count);
        Assert.Equal(25, view.Deliveries[0].LeadDays);
        Assert.Equal("version2", view.Deliveries[0].ShortVersion);
        Assert.Equal(6, view.Deliveries[^1].LeadDays);
        Assert.Empty((await Service.GetAsync(TestPersonas.FabrikamAdmin, "fabrikam", default))!.Deliveries);
    }
}
