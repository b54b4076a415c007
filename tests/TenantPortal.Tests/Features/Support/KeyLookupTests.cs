using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Support;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.Support;

public sealed class KeyLookupTests : IAsyncLifetime
{
    private const string Alpha1 = "sk_live_lookup_alpha_first_0001";
    private const string Alpha2 = "sk_live_lookup_alpha_second_002";
    private const string Beta = "sk_live_lookup_beta_only_000001";
    private PortalServices _portal = null!;
    private SupportTestBed _bed = null!;
    private string _alpha1 = "";
    private string _alpha2 = "";
    private string _beta = "";

    private SupportService Service => _portal.Get<SupportService>();

    public async Task InitializeAsync()
    {
        _portal = await PortalServices.StartAsync();
        _bed = new SupportTestBed(_portal);
        await _bed.OnboardAsync("alpha", "Alpha Corp");
        await _bed.OnboardAsync("beta", "Beta Corp");
        _alpha1 = await _bed.SubmitAsync("alpha", Alpha1);
        _portal.Time.Advance(TimeSpan.FromDays(1));
        _alpha2 = await _bed.SubmitAsync("alpha", Alpha2);
        _beta = await _bed.SubmitAsync("beta", Beta);
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task LookUpKeyAsync_FindsTheTenantAndVersion_WithStatuses()
    {
        var current = await Service.LookUpKeyAsync(TestPersonas.SupportReader, new SecretValue(Beta), default);
        var rotatedOut = await Service.LookUpKeyAsync(TestPersonas.PlatformAdmin, new SecretValue(Alpha1), default);

        var match = Assert.Single(current!.Matches);
        Assert.Equal(("beta", "Beta Corp", _beta, ApiKeyVersionStatus.Current, TenantKeyStatus.Active, false),
            (match.TenantId, match.TenantName, match.Version, match.VersionStatus, match.TenantStatus, match.Legacy));
        Assert.StartsWith(ApiKeyFingerprints.Prefix, current.Fingerprint, StringComparison.Ordinal);
        var old = Assert.Single(rotatedOut!.Matches);
        Assert.Equal(("alpha", _alpha1, ApiKeyVersionStatus.Previous), (old.TenantId, old.Version, old.VersionStatus));
        Assert.NotEqual(current.Fingerprint, rotatedOut.Fingerprint);
    }

    [Fact]
    public async Task LookUpKeyAsync_KeyCopiedWithItsLineBreak_IsFoundAsPasted()
    {
        var result = await Service.LookUpKeyAsync(TestPersonas.SupportReader, new SecretValue($"  {Alpha2}\r\n"), default);

        Assert.Equal(_alpha2, Assert.Single(result!.Matches).Version);
    }

    [Fact]
    public async Task LookUpKeyAsync_UnknownKey_FindsNothing_AndIsAuditedOnThePlatformChainWithTheFingerprintOnly()
    {
        const string unknown = "sk_live_nobody_has_this_key_01";

        var result = await Service.LookUpKeyAsync(TestPersonas.SupportReader, new SecretValue(unknown), default);

        Assert.Empty(result!.Matches);
        Assert.Null(result.Problem);
        await using var db = _portal.CreateDbContext();
        var row = await db.AuditEvents.SingleAsync(e => e.Action == SupportAuditActions.KeyLookup);
        Assert.Equal((AuditOutcome.Succeeded, AuditChains.Platform, (string?)null, "Sam Support"), (row.Outcome, row.ChainId, row.TenantId, row.ActorName));
        Assert.Equal($"Fingerprint {result.Fingerprint}: no tenant's key version has it", row.Reason);
        Assert.DoesNotContain(unknown, System.Text.Json.JsonSerializer.Serialize(row), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LookUpKeyAsync_Match_IsAuditedOnTheMatchedTenantsChain_WithVersionAndFingerprintOnly()
    {
        var result = await Service.LookUpKeyAsync(TestPersonas.SupportReader, new SecretValue(Beta), default);

        await using var db = _portal.CreateDbContext();
        var row = await db.AuditEvents.SingleAsync(e => e.Action == SupportAuditActions.KeyLookup);
        Assert.Equal(("beta", "beta", _beta, SecretName.ForTenant("beta").Value), (row.TenantId, row.ChainId, row.KeyVersion, row.SecretName));
        Assert.Equal($"Fingerprint {result!.Fingerprint} is version {_beta[..8]}'s (Current)", row.Reason);
        Assert.DoesNotContain(Beta, System.Text.Json.JsonSerializer.Serialize(row), StringComparison.Ordinal);
        Assert.True((await _portal.Get<AuditVerifier>().VerifyAsync("beta", default)).IsIntact);
    }

    [Fact]
    public async Task LookUpKeyAsync_SameKeyStoredForTwoTenants_NamesBoth()
    {
        await _bed.OnboardAsync("gamma", "Gamma Corp");
        var gamma = await _bed.SubmitAsync("gamma", Beta);

        var result = await Service.LookUpKeyAsync(TestPersonas.SupportReader, new SecretValue(Beta), default);

        Assert.Equal([("beta", _beta), ("gamma", gamma)], result!.Matches.Select(m => (m.TenantId, m.Version)));
        await using var db = _portal.CreateDbContext();
        Assert.Equal(["beta", "gamma"], await db.AuditEvents.Where(e => e.Action == SupportAuditActions.KeyLookup).OrderBy(e => e.TenantId).Select(e => e.ChainId).ToListAsync());
    }

    [Fact]
    public async Task LookUpKeyAsync_VersionWithALegacyFingerprint_IsFound_AndOnlyTheKeyedFingerprintIsRecorded()
    {
        var legacy = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Alpha2)).AsSpan(0, 8));
        await using (var db = _portal.CreateDbContext())
        {
            await db.ApiKeyVersions.Where(v => v.StoreVersionId == _alpha2).ExecuteUpdateAsync(s => s.SetProperty(v => v.Fingerprint, legacy));
        }

        var result = await Service.LookUpKeyAsync(TestPersonas.SupportReader, new SecretValue(Alpha2), default);

        var match = Assert.Single(result!.Matches);
        Assert.Equal((_alpha2, true), (match.Version, match.Legacy));
        await using var check = _portal.CreateDbContext();
        var row = await check.AuditEvents.SingleAsync(e => e.Action == SupportAuditActions.KeyLookup);
        Assert.Equal($"Fingerprint {result.Fingerprint} is version {_alpha2[..8]}'s (Current, legacy fingerprint)", row.Reason);
        Assert.DoesNotContain(legacy, row.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "Paste the key to look up.")]
    [InlineData(" \r\n ", "Paste the key to look up.")]
    [InlineData("sk_live_two\nlines_00000000", "The pasted text has a line break, tab or other control character inside it, which no stored key has: check what was pasted.")]
    public async Task LookUpKeyAsync_TextNoKeyCanBe_IsRefusedWithTheReason_AndNothingIsRecorded(string pasted, string problem)
    {
        var result = await Service.LookUpKeyAsync(TestPersonas.SupportReader, new SecretValue(pasted), default);

        Assert.Equal(problem, result!.Problem);
        Assert.Null(result.Fingerprint);
        await using var db = _portal.CreateDbContext();
        Assert.False(await db.AuditEvents.AnyAsync(e => e.Action == SupportAuditActions.KeyLookup));
    }

    [Fact]
    public async Task LookUpKeyAsync_LongerThanAnyStoredKey_IsRefused()
    {
        var result = await Service.LookUpKeyAsync(TestPersonas.SupportReader, new SecretValue(new string('k', ApiKeyValueRules.MaxBytes + 1)), default);

        Assert.Equal("The pasted text is longer than any stored key can be (8,192 bytes): check what was pasted.", result!.Problem);
    }
}
