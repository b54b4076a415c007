using TenantPortal.KeyReader;

namespace TenantPortal.Tests.KeyReader;

public sealed class CacheEntryTests
{
    [Fact]
    public void Resolve_Value_TheKey()
    {
        var key = new TenantApiKey("contoso", "00000000000000000000000000000001", "sk_live_entry");

        Assert.Same(key, CacheEntry.ForValue(key, readAt: 0, freshUntil: 300, latestDisabled: false).Resolve("contoso", "tenant-contoso-api-key"));
    }

    [Fact]
    public void Resolve_NotFound_ThrowsNotFoundNamingTheSecret()
    {
        var ex = Assert.Throws<TenantApiKeyNotFoundException>(() => Answer(StoreRead.NotFound).Resolve("contoso", "tenant-contoso-api-key"));

        Assert.Equal("contoso", ex.TenantId);
        Assert.Equal("No API key is stored for tenant 'contoso' (secret tenant-contoso-api-key does not exist).", ex.Message);
    }

    [Fact]
    public void Resolve_Disabled_ThrowsDisabledNamingTheSecret()
    {
        var ex = Assert.Throws<TenantApiKeyDisabledException>(() => Answer(StoreRead.Disabled).Resolve("contoso", "tenant-contoso-api-key"));

        Assert.Equal("contoso", ex.TenantId);
        Assert.Equal("The API key of tenant 'contoso' is disabled (revoked): secret tenant-contoso-api-key has no enabled version.", ex.Message);
    }

    [Fact]
    public void Resolve_Refused_ThrowsUnavailableNotTransient()
    {
        var error = new InvalidOperationException("403");

        var ex = Assert.Throws<TenantApiKeyUnavailableException>(() => Answer(StoreRead.Refused("access denied", error)).Resolve("contoso", "tenant-contoso-api-key"));

        Assert.False(ex.IsTransient);
        Assert.Equal("The API key of tenant 'contoso' cannot be read: access denied", ex.Message);
        Assert.Same(error, ex.InnerException);
    }

    [Fact]
    public void Resolve_Failed_ThrowsUnavailableTransient()
    {
        var error = new TimeoutException();

        var ex = Assert.Throws<TenantApiKeyUnavailableException>(() => Answer(StoreRead.Failed("HTTP 503", error)).Resolve("contoso", "tenant-contoso-api-key"));

        Assert.True(ex.IsTransient);
        Assert.Equal("The API key of tenant 'contoso' cannot be read now and no cached value may be served: HTTP 503", ex.Message);
        Assert.Same(error, ex.InnerException);
    }

    private static CacheEntry Answer(StoreRead answer) => CacheEntry.ForAnswer(answer, readAt: 0, freshUntil: 30);
}
