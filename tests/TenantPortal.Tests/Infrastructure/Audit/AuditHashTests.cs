using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Tests.Infrastructure.Audit;

/// <summary>The canonical form as docs/security-model.md publishes it, so a tenant's offline verifier and the portal agree.</summary>
public sealed class AuditHashTests
{
    private static AuditEvent Event(string? changes = null, string? channel = null) => new()
    {
        ChainId = "contoso", Sequence = 7, OccurredAt = new DateTimeOffset(2026, 12, 1, 9, 30, 0, TimeSpan.Zero),
        ActorTenantId = Guid.Parse("c0c0c0c0-0000-4000-8000-000000000002"), ActorObjectId = Guid.Parse("0b0b0b0b-0000-4000-8000-000000000001"),
        ActorName = "automation 5e1f", ActorRole = "ApiKeys.Rotate", TenantId = "contoso", Action = AuditActions.ApiKeySubmit,
        Outcome = AuditOutcome.Succeeded, SecretName = "tenant-contoso-api-key", KeyVersion = "abc", CorrelationId = "corr", ClientIp = "127.0.0.1",
        UserAgent = "curl/8", Changes = changes, Channel = channel, PreviousHash = AuditChains.Genesis,
    };

    private const string V1Fields =
        "2:v1;7:contoso;1:7;18:639317142000000000;36:c0c0c0c0-0000-4000-8000-000000000002;36:0b0b0b0b-0000-4000-8000-000000000001;" +
        "15:automation 5e1f;14:ApiKeys.Rotate;7:contoso;13:ApiKey.Submit;9:Succeeded;22:tenant-contoso-api-key;3:abc;~;4:corr;9:127.0.0.1;6:curl/8;";

    [Fact]
    public void Canonical_WithoutChangesOrChannel_IsTheV1Form()
    {
        Assert.Equal(V1Fields, AuditHash.Canonical(Event()));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(AuditChains.Genesis + V1Fields))), AuditHash.Compute(Event()));
        Assert.Equal(639317142000000000L.ToString(CultureInfo.InvariantCulture), Event().OccurredAt.UtcTicks.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Canonical_WithAChannel_CarriesTheChangesSlotThenTheChannel()
    {
        Assert.Equal(V1Fields + "~;3:api;", AuditHash.Canonical(Event(channel: AuditChannels.Api)));
        Assert.Equal(V1Fields + "5:x → y;3:api;", AuditHash.Canonical(Event("x → y", AuditChannels.Api)));
        Assert.Equal(V1Fields + "5:x → y;", AuditHash.Canonical(Event("x → y")));
    }

    [Fact]
    public void Canonical_AChannelAndAChangesTextAlike_NeverCollide()
    {
        Assert.NotEqual(AuditHash.Canonical(Event(changes: "api")), AuditHash.Canonical(Event(channel: "api")));
        Assert.NotEqual(AuditHash.Compute(Event(changes: "api")), AuditHash.Compute(Event(channel: "api")));
    }
}
