using TenantPortal.Tests.Infra;

namespace TenantPortal.Tests.Components.Localization;

/// <summary>
/// A resource file is found by its class's full name (IStringLocalizer&lt;T&gt;, or a ResourceManager over typeof(T)),
/// that is by the file's folder and name. Beside a .cs file, MSBuild names the compiled set after the file's first
/// type instead, so a record declared above the service would give the set that record's name and every lookup would
/// miss it at run time.
/// </summary>
public sealed class ResourceNamingTests
{
    [Fact]
    public void EveryEnglishResourceFile_IsCompiledUnderTheNameItsClassLooksFor()
    {
        var project = Path.Combine(BicepCli.RepositoryRoot, "src", "TenantPortal.Web");
        var expected = Directory.EnumerateFiles(project, "*.resx", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileNameWithoutExtension(f).Contains('.', StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => "TenantPortal.Web." + Path.ChangeExtension(Path.GetRelativePath(project, f), null).Replace(Path.DirectorySeparatorChar, '.'))
            .ToList();
        var compiled = ResourceParity.Neutral(typeof(Program).Assembly).Keys;

        Assert.Contains("TenantPortal.Web.Features.Platform.PlatformSettingsService", expected);
        Assert.Empty(expected.Except(compiled).Order(StringComparer.Ordinal));
        Assert.Empty(expected.Where(name => typeof(Program).Assembly.GetType(name) is null).Order(StringComparer.Ordinal));
    }
}
