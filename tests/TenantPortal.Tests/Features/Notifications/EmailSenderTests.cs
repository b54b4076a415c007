using Microsoft.Extensions.Options;
using MimeKit;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.Notifications;
using TenantPortal.Web.Features.Rotation;

namespace TenantPortal.Tests.Features.Notifications;

public sealed class EmailSenderTests
{
    [Fact]
    public async Task Development_NoSmtpHost_WritesTheMessageToThePickupFolder()
    {
        await using var bed = await NotificationTestBed.StartAsync(withWebhook: false, settings: new Dictionary<string, string?>
        {
            ["Notifications:Smtp:Host"] = "",
        });
        await bed.EnqueueAsync(RotationNoticeKind.Overdue);

        var report = await bed.Dispatcher.DispatchDueAsync(default);

        Assert.Equal(2, report.Delivered);
        Assert.Empty(bed.Smtp.Messages);
        var files = Directory.GetFiles(Path.Combine(bed.Portal.DataDirectory, "mail-pickup"), "*.eml");
        Assert.Equal(2, files.Length);
        var subjects = new List<string>();
        foreach (var file in files)
        {
            using var message = await MimeMessage.LoadAsync(file);
            subjects.Add(message.Subject ?? "");
        }

        Assert.Contains("[TenantPortal] Contoso Ltd: your API key is overdue for rotation", subjects);
        Assert.Contains("[TenantPortal] Contoso Ltd: APIキーのローテーション期限を過ぎています", subjects);
    }

    [Fact]
    public async Task OutsideDevelopment_NoSmtpHost_FailsTheDeliverySayingSo()
    {
        var sender = new EmailSender(Options.Create(new SmtpOptions()), Microsoft.Extensions.Logging.Abstractions.NullLogger<EmailSender>.Instance);

        var result = await sender.SendAsync(Notification("ops@contoso.test"), default);

        Assert.Equal(DeliveryAttemptOutcome.Permanent, result.Outcome);
        Assert.Contains("Notifications:Smtp:Host", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MailServerDown_IsRetried()
    {
        await using var smtp = await SmtpSink.StartAsync();
        var port = smtp.Port;
        await smtp.DisposeAsync();
        var sender = new EmailSender(Options.Create(new SmtpOptions { Host = "127.0.0.1", Port = port, UseStartTls = false }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<EmailSender>.Instance);

        var result = await sender.SendAsync(Notification("ops@contoso.test"), default);

        Assert.Equal(DeliveryAttemptOutcome.Retry, result.Outcome);
        Assert.Equal("Could not reach the mail server, or it closed the connection.", result.Error);
    }

    [Fact]
    public async Task InvalidContactAddress_FailsAtOnce()
    {
        var sender = new EmailSender(Options.Create(new SmtpOptions { Host = "127.0.0.1" }), Microsoft.Extensions.Logging.Abstractions.NullLogger<EmailSender>.Instance);

        var result = await sender.SendAsync(Notification("not an address"), default);

        Assert.Equal(DeliveryAttemptOutcome.Permanent, result.Outcome);
    }

    [Theory]
    [InlineData("From", "nobody", "Notifications:Smtp:From")]
    [InlineData("Port", "0", "Notifications:Smtp:Port")]
    [InlineData("UserName", "relay-user", "sent in the clear")]
    public void Validator_BadSetting_NamesIt(string setting, string value, string expected)
    {
        var options = new SmtpOptions { Host = "smtp.example.com", UseStartTls = setting != "UserName" };
        switch (setting)
        {
            case "From": options.From = value; break;
            case "Port": options.Port = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "UserName": options.UserName = value; break;
        }

        var result = new SmtpOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartUp_InvalidSmtpSetting_FailsTheBootNamingIt()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => PortalServices.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Notifications:Smtp:From"] = "not-an-address",
        }));

        Assert.Contains("Notifications:Smtp:From", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_ReminderForOneDay_SaysDayNotDays()
    {
        var text = NotificationTexts.Compose(RotationNoticeKind.Reminder, "en", "Contoso Ltd", "abcdef0123456789", PortalServices.Start, 1);

        Assert.Equal("[TenantPortal] Contoso Ltd: rotate your API key within 1 day", text.Subject);
        Assert.Contains("version abcdef01", text.Body, StringComparison.Ordinal);
        Assert.Contains("25 November 2026 (UTC)", text.Body, StringComparison.Ordinal);
    }

    private static OutgoingNotification Notification(string to) => new(
        new NotificationDelivery { Id = 7, TenantId = "contoso", Channel = NotificationChannel.Email, Target = to, Language = "en" },
        new RotationNotice { Id = 3, TenantId = "contoso", StoreVersionId = "abcdef0123456789", Kind = RotationNoticeKind.Revoked, CreatedAt = PortalServices.Start },
        "Contoso Ltd", null, null);
}
