namespace TenantPortal.Web.SecretStore;

/// <summary>
/// Keeps values out of logs whatever the configured levels: at Debug and Trace, SignalR and the Blazor Server
/// circuit log every hub message with its arguments, and a browser event carries what the user typed.
/// The rules are added after all configuration, for every provider named there, so no setting can lower them.
/// </summary>
public static class SecretLoggingGuard
{
    public static readonly string[] PayloadLoggingCategories =
    [
        "Microsoft.AspNetCore.SignalR",
        "Microsoft.AspNetCore.Http.Connections",
        "Microsoft.AspNetCore.Components.Server",
        "Microsoft.AspNetCore.Components.RenderTree",
        "Microsoft.AspNetCore.Components.Web",
        // Logs each key's XML as it reads the ring at Debug: the key material itself where no certificate encrypts it.
        "Microsoft.AspNetCore.DataProtection.EntityFrameworkCore",
    ];

    public static ILoggingBuilder AddSecretLoggingGuard(this ILoggingBuilder logging)
    {
        logging.Services.PostConfigure<LoggerFilterOptions>(options =>
        {
            var providers = options.Rules.Select(r => r.ProviderName).Append(null).Distinct().ToList();
            foreach (var provider in providers)
            {
                foreach (var category in PayloadLoggingCategories)
                {
                    options.Rules.Add(new LoggerFilterRule(provider, category, LogLevel.Information, filter: null));
                }
            }
        });
        return logging;
    }
}
