using System.Diagnostics;

namespace TenantPortal.Tests.Infra;

/// <summary>The Bicep CLI from the Azure.Bicep.CommandLine.linux-x64 package (a PackageDownload of this project).</summary>
public static class BicepCli
{
    // Keep in step with the PackageDownload in TenantPortal.Tests.csproj.
    private const string PackageVersion = "0.49.2";
    private static readonly TimeSpan _timeout = TimeSpan.FromMinutes(2);

    /// <summary>Non-secret stand-ins for the tenant-specific ids the parameter files read from the environment.</summary>
    public static readonly IReadOnlyDictionary<string, string> ParameterEnvironment = new Dictionary<string, string>
    {
        ["TENANTPORTAL_ENTRA_CLIENT_ID"] = "11111111-1111-1111-1111-111111111111",
        ["TENANTPORTAL_SQL_ADMIN_GROUP_ID"] = "22222222-2222-2222-2222-222222222222",
        ["TENANTPORTAL_SQL_ADMIN_GROUP_NAME"] = "sg-tenantportal-sql-admins",
        ["TENANTPORTAL_BACKEND_PRINCIPAL_ID"] = "33333333-3333-3333-3333-333333333333",
        ["TENANTPORTAL_PRIVATE_ENDPOINT_SUBNET_ID"] = Subnet("private-endpoints"),
        ["TENANTPORTAL_APP_SUBNET_ID"] = Subnet("app"),
        ["TENANTPORTAL_KEY_VAULT_DNS_ZONE_ID"] = DnsZone("privatelink.vaultcore.azure.net"),
        ["TENANTPORTAL_SQL_DNS_ZONE_ID"] = DnsZone("privatelink.database.windows.net"),
    };

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string InfraFolder { get; } = Path.Combine(RepositoryRoot, "infra");

    public static string ExecutablePath { get; } = FindExecutable();

    public static async Task<BicepResult> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(ExecutablePath)
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in ParameterEnvironment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {ExecutablePath}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(_timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {_timeout}.");
        }

        return new BicepResult(string.Join(' ', arguments), process.ExitCode, await output, await error);
    }

    private static string FindExecutable()
    {
        var nugetRoot = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrWhiteSpace(nugetRoot))
        {
            nugetRoot = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        }

        var path = Path.Combine(nugetRoot, "azure.bicep.commandline.linux-x64", PackageVersion, "tools", "bicep");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The Bicep CLI is not at {path}. Restore tests/TenantPortal.Tests (its PackageDownload of Azure.Bicep.CommandLine.linux-x64 {PackageVersion}).", path);
        }

        // NuGet does not always keep the executable bit.
        if (!OperatingSystem.IsWindows() && !File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute))
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
        }

        return path;
    }

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "TenantPortal.sln")))
            {
                return folder.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No TenantPortal.sln above {AppContext.BaseDirectory}.");
    }

    private static string Subnet(string name) =>
        $"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-tenantportal/subnets/{name}";

    private static string DnsZone(string name) =>
        $"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network/providers/Microsoft.Network/privateDnsZones/{name}";
}

public sealed record BicepResult(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Every diagnostic the CLI printed (it prints them on standard error), errors and warnings alike.</summary>
    public string Diagnostics => StandardError.Trim();

    public override string ToString() =>
        $"bicep {Command} exited with {ExitCode}:{Environment.NewLine}{StandardError}{StandardOutput}".TrimEnd();
}
