using System.Text.Json.Nodes;

namespace TenantPortal.Tests.Infra;

/// <summary>Every template and parameter file under infra/ builds and lints cleanly; the parameter files hold no secret.</summary>
[Collection(BicepCliRuns.Name)]
public sealed class BicepFilesTests(InfraBuild files)
{
    private static readonly string[] _environments = ["dev", "staging", "prod"];

    [Fact]
    public void Build_EveryTemplate_CompilesWithoutDiagnostics()
    {
        Assert.True(files.Build.ExitCode == 0 && files.Build.Diagnostics.Length == 0, files.Build.ToString());
        Assert.Equal(SourcesUnderInfra("*.bicep"), OutputsUnder(files.TemplatesOutput));
    }

    [Fact]
    public void BuildParams_EveryParameterFile_CompilesWithoutDiagnostics()
    {
        Assert.True(files.BuildParams.ExitCode == 0 && files.BuildParams.Diagnostics.Length == 0, files.BuildParams.ToString());
        Assert.Equal(SourcesUnderInfra("*.bicepparam"), OutputsUnder(files.ParametersOutput));
    }

    [Fact]
    public void Lint_EveryTemplateAndParameterFile_ReportsNothing()
    {
        // Warnings fail too: `bicep lint` exits 0 on them, so its output is the verdict.
        Assert.True(files.Lint.ExitCode == 0 && files.Lint.Diagnostics.Length == 0, files.Lint.ToString());
    }

    [Fact]
    public void BuildParams_EachEnvironment_HasItsOwnResourceNames()
    {
        var names = _environments.ToDictionary(e => e, e => ParameterValue(e, "resourceNames")!.AsObject());

        foreach (var resource in new[] { "keyVault", "sqlServer", "webApp", "logAnalyticsWorkspace", "appServicePlan" })
        {
            var perEnvironment = _environments.Select(e => names[e][resource]!.GetValue<string>()).ToList();
            Assert.Equal(perEnvironment.Count, perEnvironment.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        }

        Assert.All(_environments, e => Assert.Equal(e, ParameterValue(e, "environmentName")!.GetValue<string>()));
    }

    [Fact]
    public void BuildParams_ParameterFiles_HoldNoSecretAndNoKeyVaultReference()
    {
        foreach (var file in Directory.EnumerateFiles(files.ParametersOutput, "*.json", SearchOption.AllDirectories))
        {
            var parameters = JsonNode.Parse(File.ReadAllText(file))!["parameters"]!.AsObject();
            Assert.All(parameters, p =>
            {
                Assert.Null(p.Value!["reference"]);
                Assert.DoesNotMatch(CompiledTemplate.SecretLookingName, p.Key);
            });
        }
    }

    [Fact]
    public void BicepConfig_SecurityRules_AreErrors()
    {
        var rules = JsonNode.Parse(File.ReadAllText(Path.Combine(BicepCli.InfraFolder, "bicepconfig.json")))!["analyzers"]!["core"]!["rules"]!;

        Assert.All(
            [
                "secure-secrets-in-params", "outputs-should-not-contain-secrets", "use-secure-value-for-secure-inputs",
                "secure-parameter-default", "secure-params-in-nested-deploy", "protect-commandtoexecute-secrets",
                "adminusername-should-not-be-literal", "no-hardcoded-env-urls", "use-recent-api-versions",
                "no-unused-params", "no-unused-vars",
            ],
            rule => Assert.Equal("error", rules[rule]?["level"]?.GetValue<string>()));
    }

    [Fact]
    public void Sources_LinterSuppressions_OnlyExemptTheDiagnosticSettingsApiVersionAndTheEventWebhookUrl()
    {
        // diagnosticSettings has no GA version newer than the legacy 2016-09-01 one; Event Grid types every webhook URL
        // as secure (some carry a key), but the portal's carries none and a secure parameter would hide it from the
        // deployment's inputs. Nothing else may be silenced.
        var sources = Directory.EnumerateFiles(BicepCli.InfraFolder, "*.bicep*", SearchOption.AllDirectories);
        foreach (var file in sources)
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].Contains("#disable-", StringComparison.Ordinal))
                {
                    var where = $"{Path.GetRelativePath(BicepCli.RepositoryRoot, file)}:{i + 1}";
                    if (lines[i].TrimStart() == "#disable-next-line use-secure-value-for-secure-inputs")
                    {
                        Assert.EndsWith("key-vault-events.bicep", file, StringComparison.Ordinal);
                        Assert.Equal("endpointUrl: endpointUrl", lines[i + 1].Trim());
                        continue;
                    }

                    Assert.True(lines[i].TrimStart().StartsWith("#disable-next-line use-recent-api-versions ", StringComparison.Ordinal), where);
                    Assert.True(lines[i + 1].Contains("'Microsoft.Insights/diagnosticSettings@", StringComparison.Ordinal), where);
                }
            }
        }
    }

    private JsonNode? ParameterValue(string environment, string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(files.ParametersOutput, "environments", $"{environment}.json")))!["parameters"]![name]!["value"];

    private static List<string> SourcesUnderInfra(string pattern) =>
        [.. Directory.EnumerateFiles(BicepCli.InfraFolder, pattern, SearchOption.AllDirectories)
            .Select(f => Path.ChangeExtension(Path.GetRelativePath(BicepCli.InfraFolder, f), ".json"))
            .Order(StringComparer.Ordinal)];

    private static List<string> OutputsUnder(string folder) =>
        [.. Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f))
            .Order(StringComparer.Ordinal)];
}
