using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace TenantPortal.Tests.Architecture;

/// <summary>
/// Dependencies point one way: features → Auth → Infrastructure, and features → Infrastructure. Read from the
/// source the way the compiler applies it: a file's own using directives, the project's global usings (in code and
/// in the project file) and, for a Razor file, the directives of every <c>_Imports.razor</c> from the project root
/// down to its folder.
/// </summary>
public sealed partial class DependencyDirectionTests
{
    private const string Features = "TenantPortal.Web.Features";
    private const string Auth = "TenantPortal.Web.Auth";

    private static readonly string ProjectRoot = Path.Combine(FindRepositoryRoot(), "src", "TenantPortal.Web");

    /// <summary>Global usings anywhere in the project's code, and the project file's <c>Using</c> items: they apply to every file.</summary>
    private static readonly Lazy<IReadOnlyList<string>> GlobalUsings = new(() =>
    {
        var inCode = Directory.EnumerateFiles(ProjectRoot, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => GlobalUsing().Matches(File.ReadAllText(f)).Select(m => m.Groups["name"].Value));
        var inProject = XDocument.Load(Path.Combine(ProjectRoot, "TenantPortal.Web.csproj")).Descendants("Using")
            .Select(u => (string?)u.Attribute("Include")).OfType<string>();
        return inCode.Concat(inProject).ToList();
    });

    [Theory]
    [InlineData("Infrastructure", Features)]
    [InlineData("Infrastructure", Auth)]
    [InlineData("Auth", Features)]
    public void Usings_UnderFolder_NeverImportTheNamespaceItMustNotDependOn(string folder, string forbidden)
    {
        var offending = SourceFiles(folder)
            .SelectMany(file => ImportsOf(file).Where(n => n == forbidden || n.StartsWith(forbidden + ".", StringComparison.Ordinal))
                .Select(n => $"{Path.GetRelativePath(ProjectRoot, file)} imports {n}"))
            .ToList();

        Assert.True(offending.Count == 0,
            $"{folder}/ must not import {forbidden}: dependencies point features → Auth → Infrastructure.\n{string.Join('\n', offending)}");
    }

    [Fact]
    public void SourceFiles_GuardedFolders_HoldCodeAndRazorFiles()
    {
        Assert.Contains(SourceFiles("Infrastructure"), f => f.EndsWith(".cs", StringComparison.Ordinal));
        Assert.Contains(SourceFiles("Auth"), f => f.EndsWith(".cs", StringComparison.Ordinal));
        Assert.Contains(SourceFiles("Auth"), f => f.EndsWith(".razor", StringComparison.Ordinal));
    }

    [Fact]
    public void ImportsOf_RazorFile_IncludesTheImportsFilesAboveIt()
    {
        var page = SourceFiles("Auth").First(f => f.EndsWith(".razor", StringComparison.Ordinal));

        Assert.Contains("MudBlazor", ImportsOf(page)); // from the project root's _Imports.razor
    }

    [Fact]
    public void ReadUsings_EveryFormOfTheDirective_IsRead()
    {
        const string code = """
            using System.Net;
            global using TenantPortal.Web.Features.A;
            using static TenantPortal.Web.Features.B.Rules;
            using Probe = TenantPortal.Web.Features.C.VerificationProbe;
            using global::TenantPortal.Web.Features.D;
              using TenantPortal.Web.Features.E ;

            namespace TenantPortal.Web.Auth;

            public sealed class Sample
            {
                public async Task RunAsync()
                {
                    using var db = Open();
                    await using var other = Open();
                    // using TenantPortal.Web.Features.Commented;
                }
            }
            """;
        const string razor = """
            @page "/sample"
            @using TenantPortal.Web.Features.F
            @using (var scope = Begin()) { }
            """;

        string[] inCode =
        [
            "System.Net", "TenantPortal.Web.Features.A", "TenantPortal.Web.Features.B.Rules",
            "TenantPortal.Web.Features.C.VerificationProbe", "TenantPortal.Web.Features.D", "TenantPortal.Web.Features.E",
        ];
        string[] inRazor = ["TenantPortal.Web.Features.F"];

        Assert.Equal(inCode, ReadUsings(code, razor: false));
        Assert.Equal(inRazor, ReadUsings(razor, razor: true));
    }

    /// <summary>The namespaces (or, for <c>using static</c> and aliases, types) a using directive in <paramref name="text"/> names.</summary>
    private static List<string> ReadUsings(string text, bool razor) =>
        (razor ? RazorUsing() : CodeUsing()).Matches(text).Select(m => m.Groups["name"].Value).ToList();

    private static List<string> SourceFiles(string folder) =>
        Directory.EnumerateFiles(Path.Combine(ProjectRoot, folder), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static IEnumerable<string> ImportsOf(string file)
    {
        var own = ReadUsings(File.ReadAllText(file), razor: file.EndsWith(".razor", StringComparison.Ordinal));
        var imports = file.EndsWith(".razor", StringComparison.Ordinal) ? RazorImportsAbove(file) : [];
        return own.Concat(imports).Concat(GlobalUsings.Value).Distinct(StringComparer.Ordinal);
    }

    private static IEnumerable<string> RazorImportsAbove(string file)
    {
        for (var folder = new DirectoryInfo(Path.GetDirectoryName(file)!); folder is not null; folder = folder.Parent)
        {
            var imports = Path.Combine(folder.FullName, "_Imports.razor");
            if (File.Exists(imports))
            {
                foreach (var name in ReadUsings(File.ReadAllText(imports), razor: true))
                {
                    yield return name;
                }
            }

            if (string.Equals(folder.FullName.TrimEnd(Path.DirectorySeparatorChar), ProjectRoot, StringComparison.Ordinal))
            {
                yield break;
            }
        }
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

    // using X; global using X; using static X.T; using A = X.T; using global::X; but not "using var x = ...;".
    [GeneratedRegex(@"^[ \t]*(?:global[ \t]+)?using[ \t]+(?:static[ \t]+)?(?:\w+[ \t]*=[ \t]*)?(?:global::)?(?<name>[A-Za-z_][\w.]*)[ \t]*(?:<[^;\r\n]*>)?[ \t]*;", RegexOptions.Multiline)]
    private static partial Regex CodeUsing();

    [GeneratedRegex(@"^[ \t]*global[ \t]+using[ \t]+(?:static[ \t]+)?(?:\w+[ \t]*=[ \t]*)?(?:global::)?(?<name>[A-Za-z_][\w.]*)", RegexOptions.Multiline)]
    private static partial Regex GlobalUsing();

    [GeneratedRegex(@"^[ \t]*@using[ \t]+(?:static[ \t]+)?(?:\w+[ \t]*=[ \t]*)?(?:global::)?(?<name>[A-Za-z_][\w.]*)", RegexOptions.Multiline)]
    private static partial Regex RazorUsing();
}
