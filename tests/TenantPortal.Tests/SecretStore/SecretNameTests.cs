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
}
