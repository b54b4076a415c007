using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace TenantPortal.Web.Features.Notifications;

/// <summary>SMTP settings for notification e-mail (<c>Notifications:Smtp</c>).</summary>
public sealed class SmtpOptions
{
    public const string SectionName = "Notifications:Smtp";

    /// <summary>The SMTP server. Empty: in Development, messages are written as .eml files to <see cref="PickupDirectory"/>; elsewhere e-mail deliveries fail.</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    /// <summary>Require STARTTLS. Off only for a relay on a trusted network (or port 465, which uses TLS from the start).</summary>
    public bool UseStartTls { get; set; } = true;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>The sender, e.g. <c>TenantPortal &lt;no-reply@example.com&gt;</c>.</summary>
    public string From { get; set; } = "TenantPortal <no-reply@tenantportal.invalid>";

    /// <summary>The longest one SMTP operation (connect, each command) may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Where Development writes messages when no host is set; filled from <c>AppData:Path/mail-pickup</c>, never bound.</summary>
    internal string? PickupDirectory { get; set; }
}

internal sealed class SmtpOptionsValidator : IValidateOptions<SmtpOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpOptions options)
    {
        var failures = new List<string>();
        if (options.Port is < 1 or > 65535)
        {
            failures.Add("Notifications:Smtp:Port must be between 1 and 65535.");
        }

        if (!MailboxAddress.TryParse(options.From, out var from) || from.Domain is not { Length: > 0 })
        {
            failures.Add("Notifications:Smtp:From must be an e-mail address, e.g. \"TenantPortal <no-reply@example.com>\".");
        }

        if (!string.IsNullOrEmpty(options.UserName) && !options.UseStartTls && options.Port != 465)
        {
            failures.Add("Notifications:Smtp:UserName is set but the connection is not encrypted: set UseStartTls=true or use port 465, so that the password is not sent in the clear.");
        }

        if (options.Timeout < TimeSpan.FromSeconds(1) || options.Timeout > TimeSpan.FromMinutes(5))
        {
            failures.Add("Notifications:Smtp:Timeout must be between 1 second and 5 minutes.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Sends a notice to one contact by e-mail with MailKit, in the contact's language.</summary>
public sealed partial class EmailSender(IOptions<SmtpOptions> options, ILogger<EmailSender> logger) : INotificationSender
{
    public NotificationChannel Channel => NotificationChannel.Email;

    public static MimeMessage Compose(OutgoingNotification notification, string from)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var (delivery, notice) = (notification.Delivery, notification.Notice);
        var text = NotificationTexts.Compose(notice.Kind, delivery.Language, notification.TenantDisplayName, notice.StoreVersionId, notice.DueAt, notice.LeadDays);
        var body = new TextPart("plain") { Text = text.Body };
        // Content-* headers belong to the body part in MIME, not to the message.
        body.Headers.Add(HeaderId.ContentLanguage, delivery.Language);
        var message = new MimeMessage
        {
            Subject = text.Subject,
            Body = body,
            Date = notice.CreatedAt,
        };
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(delivery.Target));
        message.Headers.Add("X-TenantPortal-Delivery", delivery.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return message;
    }

    public async Task<DeliveryAttempt> SendAsync(OutgoingNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var settings = options.Value;
        MimeMessage message;
        try
        {
            message = Compose(notification, settings.From);
        }
        catch (ParseException)
        {
            return DeliveryAttempt.Permanent(DeliveryProblem.Of("EmailInvalidAddress"));
        }

        using (message)
        {
            if (string.IsNullOrWhiteSpace(settings.Host))
            {
                if (settings.PickupDirectory is { } pickup)
                {
                    return await WriteToPickupAsync(message, pickup, notification.Delivery.Id, cancellationToken);
                }

                LogNotConfigured(logger, notification.Delivery.Id);
                return DeliveryAttempt.Permanent(DeliveryProblem.Of("EmailNoSmtp"));
            }

            return await SendSmtpAsync(message, settings.Host, settings, notification.Delivery.Id, cancellationToken);
        }
    }

    private async Task<DeliveryAttempt> SendSmtpAsync(MimeMessage message, string host, SmtpOptions settings, long deliveryId, CancellationToken cancellationToken)
    {
        using var client = new SmtpClient { Timeout = (int)settings.Timeout.TotalMilliseconds };
        try
        {
            var security = settings.UseStartTls ? SecureSocketOptions.StartTls
                : settings.Port == 465 ? SecureSocketOptions.SslOnConnect
                : SecureSocketOptions.None;
            await client.ConnectAsync(host, settings.Port, security, cancellationToken);
            if (!string.IsNullOrEmpty(settings.UserName))
            {
                await client.AuthenticateAsync(settings.UserName, settings.Password ?? "", cancellationToken);
            }

            var reply = await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
            LogSent(logger, host, deliveryId);
            return DeliveryAttempt.Delivered(ReplyCode(reply) ?? 250);
        }
        catch (SmtpCommandException ex)
        {
            var code = (int)ex.StatusCode;
            LogRefused(logger, host, code, ex.ErrorCode);
            return ex.ErrorCode switch
            {
                SmtpErrorCode.RecipientNotAccepted when code >= 500 => DeliveryAttempt.Rejected(DeliveryProblem.Of("EmailRecipientRefused", code), code),
                SmtpErrorCode.SenderNotAccepted => DeliveryAttempt.Retry(DeliveryProblem.Of("EmailSenderRefused", code), code),
                _ when code >= 500 => DeliveryAttempt.Rejected(DeliveryProblem.Of("EmailMessageRefused", code), code),
                _ => DeliveryAttempt.Retry(DeliveryProblem.Of("EmailTryLater", code), code),
            };
        }
        catch (AuthenticationException ex)
        {
            LogFailed(logger, ex, host);
            return DeliveryAttempt.Retry(DeliveryProblem.Of("EmailCredentialsRefused"));
        }
        catch (SslHandshakeException ex)
        {
            LogFailed(logger, ex, host);
            return DeliveryAttempt.Retry(DeliveryProblem.Of("EmailTlsFailed"));
        }
        catch (Exception ex) when (ex is SmtpProtocolException or IOException or SocketException or ServiceNotConnectedException or TimeoutException)
        {
            LogFailed(logger, ex, host);
            return DeliveryAttempt.Retry(DeliveryProblem.Of("EmailUnreachable"));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DeliveryAttempt.Retry(DeliveryProblem.Of("EmailTimeout"));
        }
    }

    private static int? ReplyCode(string reply) =>
        reply is { Length: >= 3 } && int.TryParse(reply.AsSpan(0, 3), System.Globalization.CultureInfo.InvariantCulture, out var code) ? code : null;

    private async Task<DeliveryAttempt> WriteToPickupAsync(MimeMessage message, string directory, long deliveryId, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, $"delivery-{deliveryId}-{Guid.NewGuid():N}.eml");
        await message.WriteToAsync(file, cancellationToken);
        LogPickedUp(logger, file);
        return DeliveryAttempt.Delivered();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification e-mail (delivery {DeliveryId}) handed to {SmtpHost}")]
    private static partial void LogSent(ILogger logger, string smtpHost, long deliveryId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mail server {SmtpHost} refused a notification e-mail: {StatusCode} ({ErrorCode})")]
    private static partial void LogRefused(ILogger logger, string smtpHost, int statusCode, SmtpErrorCode errorCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not send a notification e-mail through {SmtpHost}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string smtpHost);

    [LoggerMessage(Level = LogLevel.Error, Message = "Notification e-mail (delivery {DeliveryId}) not sent: Notifications:Smtp:Host is not configured")]
    private static partial void LogNotConfigured(ILogger logger, long deliveryId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Development: notification e-mail written to {File} (no SMTP host configured)")]
    private static partial void LogPickedUp(ILogger logger, string file);
}
