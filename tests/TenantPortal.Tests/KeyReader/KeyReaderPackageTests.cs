using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using TenantPortal.KeyReader;
using TenantPortal.Tests.TestHost;

namespace TenantPortal.Tests.KeyReader;

/// <summary>
/// A backend references a package, not a path: <c>dotnet pack</c> makes TenantPortal.KeyReader a NuGet package (its own
/// version, README, XML docs), and a small sample backend restores it from a local folder feed and builds, offline:
/// the feed is its only source, the machine's NuGet cache a fallback folder for the dependencies, and the package is
/// extracted into a folder of the test's own, so what builds is the package just packed.
/// </summary>
public sealed class KeyReaderPackageTests : IDisposable
{
    private readonly string _work = TempDirectory.Create();

    public void Dispose() => TempDirectory.Delete(_work);

    [Fact]
    public async Task Pack_RestoredFromALocalFeed_SampleBackendBuildsAndRuns()
    {
        var repo = RepositoryRoot();
        var project = Path.Combine(repo, "src", "TenantPortal.KeyReader", "TenantPortal.KeyReader.csproj");
        var version = XDocument.Load(project).Descendants("Version").Single().Value;
        var configuration = typeof(ITenantApiKeyProvider).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var feed = Path.Combine(_work, "feed");
        var packages = Path.Combine(_work, "packages");
        var machineCache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

        // The library this test run built, packed as it is (the test project's build made it).
        var pack = await DotnetAsync(repo, "pack", project, "--no-build", "-c", configuration, "-o", feed);
        var nupkg = Path.Combine(feed, $"TenantPortal.KeyReader.{version}.nupkg");

        Assert.True(pack.ExitCode == 0, pack.Output);
        Assert.True(File.Exists(nupkg), $"{nupkg} was not made:\n{pack.Output}");
        using (var archive = ZipFile.OpenRead(nupkg))
        {
            var names = archive.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("lib/net10.0/TenantPortal.KeyReader.dll", names);
            Assert.Contains("README.md", names);
            using var docs = new StreamReader(archive.GetEntry("lib/net10.0/TenantPortal.KeyReader.xml")!.Open());
            var xml = await docs.ReadToEndAsync();
            Assert.Contains("M:TenantPortal.KeyReader.ITenantApiKeyProvider.ReportRejected(System.String,System.String)", xml, StringComparison.Ordinal);
            using var nuspecStream = archive.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
            var nuspec = XDocument.Load(nuspecStream);
            XNamespace ns = nuspec.Root!.Name.Namespace;
            var metadata = nuspec.Root.Element(ns + "metadata")!;
            Assert.Equal(("TenantPortal.KeyReader", version, "README.md"),
                (metadata.Element(ns + "id")!.Value, metadata.Element(ns + "version")!.Value, metadata.Element(ns + "readme")!.Value));
            var dependencies = metadata.Descendants(ns + "dependency").Select(d => d.Attribute("id")!.Value).ToList();
            Assert.Contains("Azure.Identity", dependencies);
            Assert.DoesNotContain(dependencies, d => d.StartsWith("TenantPortal", StringComparison.Ordinal));
        }

        var sample = Path.Combine(_work, "sample");
        Directory.CreateDirectory(sample);
        await File.WriteAllTextAsync(Path.Combine(_work, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{packages}" />
              </config>
              <packageSources>
                <clear />
                <add key="feed" value="{feed}" />
              </packageSources>
              <fallbackPackageFolders>
                <clear />
                <add key="machine" value="{machineCache}" />
              </fallbackPackageFolders>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(sample, "SampleBackend.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <GenerateDocumentationFile>true</GenerateDocumentationFile>
                <NuGetAudit>false</NuGetAudit>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="TenantPortal.KeyReader" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(sample, "Program.cs"), """
            using System.Net;
            using Microsoft.Extensions.DependencyInjection;
            using TenantPortal.KeyReader;

            var services = new ServiceCollection();
            services.AddTenantApiKeyReader(o =>
            {
                o.VaultUri = new Uri("https://contoso-portal-prod.vault.azure.net/");
                o.UsageReporting.PortalUri = new Uri("https://portal.contoso.com/");
                o.UsageReporting.PortalAppIdUri = "api://tenantportal-prod";
            });
            await using var provider = services.BuildServiceProvider();
            var keys = provider.GetRequiredService<ITenantApiKeyProvider>();
            if (args.Length == 1)
            {
                var key = await keys.GetApiKeyAsync(args[0]);
                var status = HttpStatusCode.Unauthorized; // the third-party API's answer
                if (status == HttpStatusCode.Unauthorized)
                {
                    keys.ReportRejected(args[0], key.Version);
                    keys.Invalidate(args[0]);
                }
            }

            Console.WriteLine("sample backend ready: " + keys.GetType().Name);
            """);

        var build = await DotnetAsync(sample, "build", "-c", "Release");
        var assets = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(sample, "obj", "project.assets.json")))!;
        var run = await DotnetAsync(sample, Path.Combine(sample, "bin", "Release", "net10.0", "SampleBackend.dll"));

        Assert.True(build.ExitCode == 0, build.Output);
        Assert.NotNull(assets["libraries"]![$"TenantPortal.KeyReader/{version}"]);
        // Extracted from this feed into this test's folder: the package just packed, not one cached earlier.
        var extracted = Path.Combine(packages, "tenantportal.keyreader", version);
        Assert.Equal(Convert.ToBase64String(SHA512.HashData(await File.ReadAllBytesAsync(nupkg))),
            (await File.ReadAllTextAsync(Path.Combine(extracted, $"tenantportal.keyreader.{version}.nupkg.sha512"))).Trim());
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("sample backend ready: TenantApiKeyProvider", run.Output, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> DotnetAsync(string workingDirectory, params string[] arguments)
    {
        // The SDK host running this test (dotnet test sets DOTNET_HOST_PATH), else the one on the PATH.
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (arguments[0] is "pack" or "build")
        {
            // No build servers left behind, and no node reuse with the run that started this test.
            start.ArgumentList.Add("-nodeReuse:false");
            start.ArgumentList.Add("-p:UseSharedCompilation=false");
        }

        // The test run's MSBuild and NuGet settings are not the sample's: its nuget.config decides where packages come from.
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly", "NUGET_PACKAGES", "NUGET_FALLBACK_PACKAGES" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, $"dotnet {string.Join(' ', arguments)} → {process.ExitCode}\n{await output}\n{await error}");
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "TenantPortal.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("TenantPortal.sln not found above the test output.");
    }
}
