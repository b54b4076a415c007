namespace TenantPortal.Web.Auth;

/// <summary>Pages that explain a refused sign-in or page; they need no sign-in and render as static HTML.</summary>
public static class SignInRefusal
{
    public const string NotOnboardedPath = "/authentication/not-onboarded";
    public const string NoAccessPath = "/authentication/no-access";
    public const string FailedPath = "/authentication/sign-in-failed";
    public const string AccessDeniedPath = "/authentication/access-denied";
}
