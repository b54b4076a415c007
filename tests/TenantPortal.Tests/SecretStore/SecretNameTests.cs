using TenantPortal.Tests.TestHost;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.SecretStore;

public class SecretNameTests
{
    [Fact]
    public void ForTenant_BuildsKeyVaultName() =>
        Assert.Equal("tenant-contoso-01-api-key", SecretName.ForTenant("contoso-01").Value);

    [Theory]
    [InlineData("")]
    [InlineData("contoso_01")]
    [InlineData("contoso.com")]
    [InlineData("con toso")]
    [InlineData("contosö")]
    public void IsValidTenantId_CharactersOutsideKeyVaultRules_AreRefused(string id)
    {
        Assert.False(SecretName.IsValidTenantId(id, out var error));
        Assert.NotEmpty(error!);
        Assert.Throws<ArgumentException>(() => SecretName.ForTenant(id));
    }

    [Fact]
    public void IsValidTenantId_WholeNameLimitOf127_IsEnforced()
    {
        Assert.True(SecretName.IsValidTenantId(new string('a', 112), out _));
        Assert.Equal(127, SecretName.ForTenant(new string('a', 112)).Value.Length);
        Assert.False(SecretName.IsValidTenantId(new string('a', 113), out var error));
        Assert.Contains("127", error);
    }

    [Fact]
    public void IsValidTenantId_InJapanese_SaysWhyInJapanese_WhileTheExceptionStaysEnglish()
    {
        using var japanese = UiCulture.Use("ja");

        Assert.False(SecretName.IsValidTenantId("contoso_01", out var error));

        Assert.Equal("テナント ID に使えるのは英字 a-z と A-Z、数字 0-9、ハイフンだけです。", error);
        var thrown = Assert.Throws<ArgumentException>(() => SecretName.ForTenant("contoso_01"));
        Assert.StartsWith("A tenant id can contain only letters a-z and A-Z, digits 0-9 and hyphens.", thrown.Message);
    }
}
