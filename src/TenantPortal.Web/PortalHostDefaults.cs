namespace TenantPortal.Web;

/// <summary>What every portal host starts with (the app itself, and test and benchmark hosts of its services).</summary>
public static class PortalHostDefaults
{
    /// <summary>
    /// Settings are read at start (App Service restarts the app when they change). Without this the host watches the
    /// whole content root for settings edits, and the embedded SQLite database lives below it: every write woke the
    /// watcher.
    /// </summary>
    public static string[] Args(string[] args) => [.. args, "--hostBuilder:reloadConfigOnChange=false"];
}
