using System.Diagnostics;
using System.Text.Json.Nodes;

namespace TenantPortal.Tests.Infra;

/// <summary>
/// What `dotnet publish` (and so `azd deploy`) makes of the portal: ReadyToRun for App Service's linux-x64, framework-
/// dependent, so a new instance starts listening sooner; a build (the tests, `dotnet run`) stays as it was.
/// </summary>
public sealed class PublishSettingsTests
{
    private static readonly string Project = Path.Combine(BicepCli.RepositoryRoot, "src", "TenantPortal.Web", "TenantPortal.Web.csproj");

    [Fact]
    public async Task Publish_CompilesReadyToRunForLinuxX64_FrameworkDependent()
    {
        var properties = await EvaluateAsync("-p:_IsPublishing=true");

        Assert.Equal("true", properties["PublishReadyToRun"]);
        Assert.Equal("linux-x64", properties["RuntimeIdentifier"]);
        Assert.Equal("false", properties["SelfContained"]);
    }

    [Fact]
    public async Task Build_KeepsTheJit_AndNoRuntimeIdentifier()
    {
        var properties = await EvaluateAsync();

        Assert.NotEqual("true", properties["PublishReadyToRun"]);
        Assert.Equal("", properties["RuntimeIdentifier"]);
    }

    /// <summary>The project's properties as MSBuild evaluates them for a Release build, with <paramref name="extra"/>.</summary>
    private static async Task<Dictionary<string, string>> EvaluateAsync(params string[] extra)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = BicepCli.RepositoryRoot,
        };
        foreach (var argument in (string[])["msbuild", Project, "-nologo", "-p:Configuration=Release",
                     "-getProperty:PublishReadyToRun", "-getProperty:RuntimeIdentifier", "-getProperty:SelfContained", .. extra])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"dotnet msbuild exited with {process.ExitCode}: {await error}{await output}");
        var json = JsonNode.Parse(await output)!["Properties"]!.AsObject();
        return json.ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? "");
    }
}
