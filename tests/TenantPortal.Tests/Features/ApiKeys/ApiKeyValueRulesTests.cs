using Microsoft.Extensions.Localization;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Features.ApiKeys;

public class ApiKeyValueRulesTests
{
    private static readonly IStringLocalizer<ApiKeyService> Messages = Localizers.For<ApiKeyService>();

    [Theory]
    [InlineData("", "Enter the API key.")]
    [InlineData("   ", "blank")]
    [InlineData("\t\n", "blank")]
    [InlineData(" sk_live_abcdefghijklmnop", "starts or ends with a space")]
    [InlineData("sk_live_abcdefghijklmnop\n", "starts or ends with a space")]
    [InlineData("sk_live_abc\ndefghijklmnop", "line break")]
    [InlineData("sk_live_abc\u0007defghijklmnop", "control character")]
    public void Validate_BadValue_SaysWhatIsWrong(string value, string expected)
    {
        var message = ApiKeyValueRules.Validate(new SecretValue(value), Messages);

        Assert.NotNull(message);
        Assert.Contains(expected, message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Validate_Over8KB_NamesTheLimit()
    {
        var message = ApiKeyValueRules.Validate(new SecretValue(new string('a', 8 * 1024 + 1)), Messages);

        Assert.Equal("The API key is longer than the limit of 8 KB (8,192 bytes).", message);
    }

    [Fact]
    public void Validate_InJapanese_SaysWhatIsWrongInJapanese_WithTheNumberFormattedForJapan()
    {
        using var japanese = UiCulture.Use("ja");

        Assert.Equal("APIキーが上限の 8 KB（8,192 バイト）を超えています。", ApiKeyValueRules.Validate(new SecretValue(new string('a', 8 * 1024 + 1)), Messages));
        Assert.Equal("APIキーの先頭または末尾にスペースか改行があります。多くの場合、コピー＆ペースト時の誤りです。取り除いてからもう一度登録してください。",
            ApiKeyValueRules.Validate(new SecretValue("sk_live_abcdefghijklmnop\n"), Messages));
    }

    [Fact]
    public void Validate_Exactly8KB_IsAccepted() =>
        Assert.Null(ApiKeyValueRules.Validate(new SecretValue(new string('a', 8 * 1024)), Messages));

    [Fact]
    public void Validate_MultiByteCharacters_CountsBytesNotCharacters() =>
        Assert.NotNull(ApiKeyValueRules.Validate(new SecretValue(new string('é', 4097)), Messages));

    [Theory]
    [InlineData("sk_live_0123456789a9F2", "••••a9F2")]
    [InlineData("0123456789abcdef", "••••cdef")]
    [InlineData("0123456789abcde", "••••")]
    [InlineData("short", "••••")]
    public void MaskedHint_ShowsLastFourOnlyForLongKeys(string value, string expected) =>
        Assert.Equal(expected, ApiKeyValueRules.MaskedHint(new SecretValue(value)));

    [Fact]
    public void SecretValue_ToString_IsRedacted() =>
        Assert.Equal("[redacted]", new SecretValue("sk_live_canary").ToString());
}
