using System.Security.Claims;
using TenantPortal.Web.Auth;

namespace TenantPortal.Tests.Auth;

/// <summary>The display name comes from the user's own directory, whose admin can set it to anything; staff read it.</summary>
public sealed class PortalActorTests
{
    private static readonly Guid Tid = Guid.Parse("c0c0c0c0-0000-4000-8000-00000000c001");
    private static readonly Guid Oid = Guid.Parse("0b0b0b0b-0000-4000-8000-00000000c002");

    [Fact]
    public void From_ANameClaimWithDirectionMarksAndControlCharacters_IsNeutralizedVisibly()
    {
        var actor = PortalActor.From(Principal("Mallory \u202Enimda\u202C\u0007"));

        Assert.Equal("Mallory \uFFFDnimda\uFFFD\uFFFD", actor!.DisplayName);
    }

    [Fact]
    public void From_ANameClaimLongerThanTheAuditKeeps_IsBoundedWithAnEllipsis()
    {
        var actor = PortalActor.From(Principal(new string('n', 300)));

        Assert.Equal(new string('n', PortalActor.DisplayNameMaxLength - 1) + "…", actor!.DisplayName);
    }

    [Fact]
    public void From_AnOrdinaryName_IsKeptAsItIs()
    {
        Assert.Equal("田中 恵子 (Keiko Tanaka)", PortalActor.From(Principal("田中 恵子 (Keiko Tanaka)"))!.DisplayName);
    }

    private static ClaimsPrincipal Principal(string name) => new(new ClaimsIdentity(
        [
            new Claim(PortalClaimTypes.TenantId, Tid.ToString()),
            new Claim(PortalClaimTypes.ObjectId, Oid.ToString()),
            new Claim(PortalClaimTypes.Name, name),
        ],
        "Entra", PortalClaimTypes.Name, PortalClaimTypes.Roles));
}
