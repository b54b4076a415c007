using System.Text.Json.Nodes;
using TenantPortal.Tests.TestHost;

namespace TenantPortal.Tests.Infra;

/// <summary>Every template and parameter file under infra/ built and linted once, as CI does.</summary>
public sealed class InfraBuild : IAsyncLifetime
{
    private CompiledTemplate? _mainTemplate;

    public string TemplatesOutput { get; } = TempDirectory.Create();

    public string ParametersOutput { get; } = TempDirectory.Create();

    public BicepResult Build { get; private set; } = null!;

    public BicepResult BuildParams { get; private set; } = null!;

    public BicepResult Lint { get; private set; } = null!;

    /// <summary>infra/main.bicep compiled to ARM JSON, its modules' templates nested in it.</summary>
    public CompiledTemplate MainTemplate => _mainTemplate ?? throw new InvalidOperationException(Build.ToString());

    public async Task InitializeAsync()
    {
        var build = BicepCli.RunAsync("build", "--pattern", "infra/**/*.bicep", "--outdir", TemplatesOutput);
        var buildParams = BicepCli.RunAsync("build-params", "--pattern", "infra/**/*.bicepparam", "--outdir", ParametersOutput);
        var lint = BicepCli.RunAsync("lint", "--pattern", "infra/**/*.bicep*");
        Build = await build;
        BuildParams = await buildParams;
        Lint = await lint;

        var main = Path.Combine(TemplatesOutput, "main.json");
        if (Build.ExitCode == 0 && File.Exists(main))
        {
            _mainTemplate = new CompiledTemplate(JsonNode.Parse(await File.ReadAllTextAsync(main))!.AsObject());
        }
    }

    public Task DisposeAsync()
    {
        TempDirectory.Delete(TemplatesOutput);
        TempDirectory.Delete(ParametersOutput);
        return Task.CompletedTask;
    }
}
