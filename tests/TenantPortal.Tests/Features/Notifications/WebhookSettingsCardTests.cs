using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth.Development;
using TenantPortal.Web.Features.Notifications;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Outbound;

namespace TenantPortal.Tests.Features.Notifications;

public sealed class WebhookSettingsCardTests : PortalComponentTestBase
{
    // The card's service resolves webhook hosts: give it a DNS that knows the test names (no network here).
    protected override void ConfigurePortal(IServiceCollection services) =>
        services.AddSingleton<IOutboundDnsResolver>(new StaticDnsResolver().Map("hooks.contoso.com", "20.50.60.70").Map("internal.contoso.com", "10.0.0.9"));

    [Fact]
    public void Render_TenantAdmin_ShowsTheFormAndAnEmptyLog()
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);

        var card = Render<WebhookSettingsCard>(p => p.Add(x => x.TenantId, "contoso"));

        card.WaitForAssertion(() => Assert.NotNull(card.Find("[data-testid=webhook-settings]")));
        Assert.Contains("not set", card.Find("[data-testid=signing-key-status]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Generate signing key", card.Find("[data-testid=generate-signing-key]").TextContent, StringComparison.Ordinal);
        Assert.Contains("No notifications have been sent yet.", card.Find("[data-testid=delivery-log]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveUrl_PublicHost_SavesAndSaysWhere()
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        var card = Render<WebhookSettingsCard>(p => p.Add(x => x.TenantId, "contoso"));

        Assert.Equal("Webhook URL: none", card.WaitForElement("[data-testid=webhook-url-current]").TextContent.Trim());
        Assert.Empty(card.FindAll("input[data-testid=webhook-url]"));
        card.Find("[data-testid=edit-webhook-url]").Click();
        card.WaitForElement("input[data-testid=webhook-url]").Change("https://hooks.contoso.com/portal");
        await CompletionOf(card.Find("[data-testid=save-webhook-url]").ClickAsync(new()));

        card.WaitForAssertion(() => Assert.Contains("notices will be sent to hooks.contoso.com",
            card.Find("[data-testid=webhook-message]").TextContent, StringComparison.Ordinal));
        // Saved: the address is text again, with a way to change or remove it.
        Assert.Equal("Webhook URL: https://hooks.contoso.com/portal", card.Find("[data-testid=webhook-url-current]").TextContent.Trim());
        card.WaitForAssertion(() => Assert.Equal("[data-testid=edit-webhook-url]",
            Assert.Single(JSInterop.Invocations, i => i.Identifier == "portalFocus").Arguments.Single()));
        Assert.Empty(card.FindAll("input[data-testid=webhook-url]"));
        Assert.NotEmpty(card.FindAll("[data-testid=clear-webhook-url]"));
        await using var db = Portal.CreateDbContext();
        Assert.Equal("https://hooks.contoso.com/portal", (await db.Tenants.SingleAsync(t => t.Id == "contoso")).WebhookUrl);
    }

    [Fact]
    public async Task SaveUrl_PrivateHost_ShowsWhyAndSavesNothing()
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        var card = Render<WebhookSettingsCard>(p => p.Add(x => x.TenantId, "contoso"));

        card.WaitForElement("[data-testid=edit-webhook-url]").Click();
        card.WaitForElement("input[data-testid=webhook-url]").Change("https://internal.contoso.com/portal");
        await CompletionOf(card.Find("[data-testid=save-webhook-url]").ClickAsync(new()));

        card.WaitForAssertion(() => Assert.Contains("private network address",
            card.Find("[data-testid=webhook-message]").TextContent, StringComparison.Ordinal));
        // Refused: the field keeps what was typed, to correct; cancelling leaves the address as it was.
        Assert.Equal("https://internal.contoso.com/portal", card.Find("input[data-testid=webhook-url]").GetAttribute("value"));
        card.Find("[data-testid=cancel-webhook-url]").Click();
        Assert.Empty(card.FindAll("input[data-testid=webhook-url]"));
        Assert.Equal("Webhook URL: none", card.Find("[data-testid=webhook-url-current]").TextContent.Trim());
        await using var db = Portal.CreateDbContext();
        Assert.Null((await db.Tenants.SingleAsync(t => t.Id == "contoso")).WebhookUrl);
    }

    [Fact]
    public async Task GenerateSigningKey_ShowsItOnceWithAWarning()
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        var card = Render<WebhookSettingsCard>(p => p.Add(x => x.TenantId, "contoso"));

        await CompletionOf(card.WaitForElement("[data-testid=generate-signing-key]").ClickAsync(new()));

        card.WaitForAssertion(() => Assert.StartsWith("whsec_", card.Find("input[data-testid=new-signing-key]").GetAttribute("value"), StringComparison.Ordinal));
        var key = card.Find("input[data-testid=new-signing-key]").GetAttribute("value")!;
        Assert.Contains("will not be shown again", card.Find("[data-testid=new-signing-key-warning]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Rotate signing key", card.Find("[data-testid=generate-signing-key]").TextContent, StringComparison.Ordinal);

        card.Find("[data-testid=copy-signing-key]").Click();
        Assert.Contains(JSInterop.Invocations, i => i.Identifier == "navigator.clipboard.writeText");

        card.Find("[data-testid=dismiss-signing-key]").Click();
        card.WaitForAssertion(() => Assert.Empty(card.FindAll("[data-testid=new-signing-key]")));
        Assert.DoesNotContain(key, card.Markup, StringComparison.Ordinal);

        // Rendered afresh (a reload), the key is gone for good.
        var again = Render<WebhookSettingsCard>(p => p.Add(x => x.TenantId, "contoso"));
        again.WaitForAssertion(() => Assert.Contains("set (it cannot be shown again)", again.Find("[data-testid=signing-key-status]").TextContent, StringComparison.Ordinal));
        Assert.DoesNotContain(key, again.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_WithDeliveries_ListsThemWithStatus()
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        await using (var db = Portal.CreateDbContext())
        {
            var tenant = await db.Tenants.Include(t => t.Contacts).SingleAsync(t => t.Id == "contoso");
            tenant.Contacts.Add(new TenantContact { TenantId = "contoso", Email = "ops@contoso.test" });
            var notice = new RotationNotice
            {
                TenantId = "contoso", StoreVersionId = "abcdef0123456789", Kind = RotationNoticeKind.Reminder, LeadDays = 7,
                CreatedAt = PortalServices.Start,
            };
            var deliveries = NotificationOutbox.Enqueue(db, tenant, notice, PortalServices.Start);
            deliveries[0].Status = NotificationDeliveryStatus.Failed;
            deliveries[0].Attempts = 2;
            deliveries[0].LastError = "The mail server refused the recipient (SMTP 550).";
            await db.SaveChangesAsync();
        }

        var card = Render<WebhookSettingsCard>(p => p.Add(x => x.TenantId, "contoso"));

        card.WaitForAssertion(() => Assert.Single(card.FindAll("[data-testid=delivery-log] tbody tr")));
        var row = card.Find("[data-testid=delivery-log] tbody tr").TextContent;
        Assert.Contains("Reminder (7 days)", row, StringComparison.Ordinal);
        Assert.Contains("abcdef01", row, StringComparison.Ordinal);
        Assert.Contains("ops@contoso.test", row, StringComparison.Ordinal);
        Assert.Contains("Failed", row, StringComparison.Ordinal);
        Assert.Contains("SMTP 550", row, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en", "hooks.contoso.test did not answer within 10 seconds. · next try 2026-11-25 09:05 UTC", "The mail server refused the recipient (SMTP 550).")]
    [InlineData("ja", "hooks.contoso.test が 10 秒以内に応答しませんでした。 · 次回の試行 2026年11月25日 09:05 (UTC)", "メール サーバーが宛先を拒否しました (SMTP 550)。")]
    public async Task Render_FailedDeliveries_WordsTheirProblemsInThePagesLanguage(string culture, string webhookResult, string emailResult)
    {
        SignInAs(DevelopmentPersonas.ContosoAdmin);
        await using (var db = Portal.CreateDbContext())
        {
            var tenant = await db.Tenants.Include(t => t.Contacts).SingleAsync(t => t.Id == "contoso");
            tenant.Contacts.Add(new TenantContact { TenantId = "contoso", Email = "ops@contoso.test" });
            tenant.WebhookUrl = "https://hooks.contoso.test/rotation";
            var notice = new RotationNotice
            {
                TenantId = "contoso", StoreVersionId = "abcdef0123456789", Kind = RotationNoticeKind.Reminder, LeadDays = 7,
                CreatedAt = PortalServices.Start,
            };
            var deliveries = NotificationOutbox.Enqueue(db, tenant, notice, PortalServices.Start);
            // As the dispatcher records them: the English for operators, the code for whoever reads the log.
            var timeout = DeliveryProblem.Outbound(OutboundProblem.TimedOut("hooks.contoso.test", TimeSpan.FromSeconds(10)));
            var refused = DeliveryProblem.Of("EmailRecipientRefused", 550);
            var webhook = deliveries.Single(d => d.Channel == NotificationChannel.Webhook);
            (webhook.Attempts, webhook.LastAttemptAt, webhook.NextAttemptAt) = (1, PortalServices.Start, PortalServices.Start.AddMinutes(5));
            (webhook.LastError, webhook.LastErrorCode) = (timeout.English, timeout.Code);
            var email = deliveries.Single(d => d.Channel == NotificationChannel.Email);
            (email.Status, email.Attempts, email.LastStatusCode) = (NotificationDeliveryStatus.Failed, 2, 550);
            (email.LastError, email.LastErrorCode) = (refused.English, refused.Code);
            await db.SaveChangesAsync();
        }

        using var language = UiCulture.Use(culture);
        var card = Render<WebhookSettingsCard>(p => p.Add(x => x.TenantId, "contoso"));

        card.WaitForAssertion(() => Assert.Equal(2, card.FindAll("[data-testid=delivery-log] tbody tr").Count));
        string LastResult(string target) => card.FindAll("[data-testid=delivery-log] tbody tr")
            .Single(r => r.Children[3].TextContent.Trim() == target).Children[6].TextContent.Trim();
        Assert.Equal(webhookResult, LastResult("hooks.contoso.test"));
        Assert.Equal(emailResult, LastResult("ops@contoso.test"));
    }

    [Fact]
    public void Render_SupportReader_SeesNoForm()
    {
        SignInAs(DevelopmentPersonas.SupportReader);

        var card = Render<WebhookSettingsCard>(p => p.Add(x => x.TenantId, "contoso"));

        card.WaitForAssertion(() => Assert.Contains("Webhook: none", card.Find("[data-testid=webhook-host]").TextContent, StringComparison.Ordinal));
        Assert.Empty(card.FindAll("[data-testid=webhook-url]"));
        Assert.Empty(card.FindAll("[data-testid=generate-signing-key]"));
    }

    [Fact]
    public void Render_AnotherTenantsAdmin_RendersNothing()
    {
        SignInAs(DevelopmentPersonas.FabrikamAdmin);

        var card = Render<WebhookSettingsCard>(p => p.Add(x => x.TenantId, "contoso"));

        card.WaitForAssertion(() => Assert.Empty(card.FindAll("[data-testid=webhook-settings]")));
        Assert.Equal("", card.Markup.Trim());
    }
}
