namespace TenantPortal.Tests.Components.Localization;

/// <summary>
/// One Japanese term per concept across every compiled Japanese resource: a reader who sees a key "失効" on the status
/// chip must not be asked to "取り消す" it in the dialog. The rejected variants are listed with the term chosen instead.
/// </summary>
public sealed class JapaneseTermTests
{
    // Variant → the term the resources use for that concept.
    public static TheoryData<string, string> RejectedVariants => new()
    {
        { "取り消", "失効 (revoke, revoked)" },
        { "前バージョン", "以前のバージョン / 以前 (previous version)" },
        { "現在のキー", "現行のキー (current key)" },
        { "現在のバージョン", "現行バージョン (current version)" },
        { "API キー", "APIキー" },
        { "ウェブフック", "Webhook" },
        { "猶予時間", "猶予期間 (grace period)" },
        { "ローテート", "ローテーション (rotation, rotate)" },
        { "コンタクト", "連絡先 (contact)" },
        { "版", "バージョン (version)" },
        { "テナント様", "テナント (tenant)" },
    };

    [Theory]
    [MemberData(nameof(RejectedVariants))]
    public void JapaneseResources_UseOneTermPerConcept(string variant, string chosen)
    {
        var texts = ResourceParity.Translated(typeof(Program).Assembly, "ja");

        var offending = texts.SelectMany(set => set.Value
                .Where(text => text.Value.Contains(variant, StringComparison.Ordinal))
                .Select(text => $"{set.Key}.{text.Key}"))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(texts.Count > 50, "the Japanese resources were not found");
        Assert.True(offending.Count == 0, $"'{variant}' in {string.Join(", ", offending)}: use {chosen}.");
    }
}
