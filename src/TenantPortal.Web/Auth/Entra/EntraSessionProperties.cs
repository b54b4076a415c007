using System.Globalization;
using Microsoft.AspNetCore.Authentication;

namespace TenantPortal.Web.Auth.Entra;

/// <summary>
/// Where a session's Entra side lives: in the sign-in cookie's authentication properties, which the cookie handler
/// encrypts with Data Protection (never in a claim, so never in a component's reach, the rendered HTML or a log).
/// </summary>
public static class EntraSessionProperties
{
    private const string ConfirmedAtKey = "portal.entra_confirmed_at";

    public static EntraSession Read(AuthenticationProperties properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var confirmedAt = properties.Items.TryGetValue(ConfirmedAtKey, out var value)
            && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : DateTimeOffset.MinValue;
        return new EntraSession(properties.GetTokenValue(EntraSessionCheck.RefreshTokenName), confirmedAt);
    }

    public static void Write(AuthenticationProperties properties, EntraSession session)
    {
        ArgumentNullException.ThrowIfNull(properties);
        ArgumentNullException.ThrowIfNull(session);
        if (session.RefreshToken is { } refreshToken)
        {
            properties.StoreTokens([new AuthenticationToken { Name = EntraSessionCheck.RefreshTokenName, Value = refreshToken }]);
        }

        properties.Items[ConfirmedAtKey] = session.ConfirmedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
    }
}
