namespace TenantPortal.Web.Features.KeyHealth;

/// <summary>The support key health list's address: <c>/support/key-health?problem=rejected|stale|previous</c>.</summary>
public static class KeyHealthLinks
{
    public const string ListPath = "/support/key-health";

    public static string Name(KeyHealthProblem problem) => problem switch
    {
        KeyHealthProblem.Rejected => "rejected",
        KeyHealthProblem.Stale => "stale",
        _ => "previous",
    };

    public static KeyHealthProblem? Parse(string? name) => name switch
    {
        null or "" or "rejected" => KeyHealthProblem.Rejected,
        "stale" => KeyHealthProblem.Stale,
        "previous" => KeyHealthProblem.PreviousUsedAfterGrace,
        _ => null,
    };

    public static string List(KeyHealthProblem problem) => $"{ListPath}?problem={Name(problem)}";
}
