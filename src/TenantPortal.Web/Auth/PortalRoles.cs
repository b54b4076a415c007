namespace TenantPortal.Web.Auth;

/// <summary>Entra app roles, as they arrive in the <c>roles</c> claim.</summary>
public static class PortalRoles
{
    public const string TenantAdmin = "Tenant.Admin";
    public const string SupportReader = "Support.Reader";
    public const string PlatformAdmin = "Platform.Admin";
}

/// <summary>
/// Entra application roles on app-only tokens (<c>/api/v1</c>): <see cref="ApiKeysRotate"/> and <see cref="ApiKeysRead"/>
/// a customer's admin grants to their own automation app; <see cref="KeyUsageReport"/> the provider grants to its own
/// backend, and it counts only on a token from the provider's home tenant. They mean nothing on a person's sign-in, and a
/// person's roles mean nothing on an app-only token.
/// </summary>
public static class PortalAppRoles
{
    public const string ApiKeysRotate = "ApiKeys.Rotate";
    public const string ApiKeysRead = "ApiKeys.Read";

    /// <summary>The SaaS backend's key usage reports (<c>POST /api/v1/key-usage</c>); home tenant only, checked by the ingestion.</summary>
    public const string KeyUsageReport = "KeyUsage.Report";

    public static IReadOnlyList<string> All { get; } = [ApiKeysRotate, ApiKeysRead, KeyUsageReport];

    /// <summary>
    /// The role the provider's own directory assigns to Azure Event Grid's service principal so that it may deliver Key
    /// Vault events to the portal (Entra-protected webhook delivery); the name is the one Event Grid's documentation uses.
    /// </summary>
    public const string EventGridSubscriber = "AzureEventGridSecureWebhookSubscriber";

    /// <summary>Every application role an app-only token may carry into the portal.</summary>
    public static IReadOnlyList<string> Accepted { get; } = [.. All, EventGridSubscriber];
}

/// <summary>Claim types as Entra issues them (Microsoft.Identity.Web keeps these short names).</summary>
public static class PortalClaimTypes
{
    public const string TenantId = "tid";
    public const string ObjectId = "oid";
    public const string Name = "name";
    public const string Roles = "roles";

    /// <summary>The client application of an access token (v2.0; v1.0 tokens call it <c>appid</c>).</summary>
    public const string AuthorizedParty = "azp";
    public const string AppId = "appid";

    /// <summary>Delegated scopes: present on a token issued to a user, absent on an app-only token.</summary>
    public const string Scope = "scp";

    /// <summary>When the portal signed the user in (Unix seconds), added by the portal itself, never taken from a token.</summary>
    public const string SignedInAt = "portal_signed_in_at";
}
