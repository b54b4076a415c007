using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Infrastructure.Text;

namespace TenantPortal.Tests.Infrastructure.Text;

public sealed class TextRulesTests
{
    [Theory]
    [InlineData('\u202A')]
    [InlineData('\u202B')]
    [InlineData('\u202C')]
    [InlineData('\u202D')]
    [InlineData('\u202E')]
    [InlineData('\u2066')]
    [InlineData('\u2067')]
    [InlineData('\u2068')]
    [InlineData('\u2069')]
    [InlineData('\u200E')]
    [InlineData('\u200F')]
    [InlineData('\u061C')]
    public void Check_EveryDirectionMark_IsRefusedByName(char mark)
    {
        Assert.Equal(
            $"The name contains an invisible character that changes the direction of text (U+{(int)mark:X4}), which can make it read differently than it is stored: remove it.",
            TextRules.Check($"a{mark}b", "The name", 100));
    }

    [Theory]
    [InlineData('\u0000')]
    [InlineData('\u0007')]
    [InlineData('\u001B')]
    [InlineData('\u007F')]
    [InlineData('\u0085')]
    [InlineData('\u009B')]
    public void Check_ControlCharacters_AreRefusedEvenWhereLineBreaksAreAllowed(char control)
    {
        Assert.Equal($"The reason contains a control character (U+{(int)control:X4}): remove it.", TextRules.Check($"a{control}b", "The reason", 100, lineBreaks: true));
    }

    [Fact]
    public void Check_LineBreaks_OnlyWhereAllowed()
    {
        Assert.Null(TextRules.Check("first line\r\nsecond\nthird", "The reason", 100, lineBreaks: true));
        Assert.Equal("The name contains a control character (U+000A): remove it.", TextRules.Check("first\nsecond", "The name", 100));
    }

    [Fact]
    public void Check_Length_IsStatedAndNeverCut()
    {
        Assert.Null(TextRules.Check(new string('a', 10), "The name", 10));
        Assert.Equal("The name can have at most 10 characters (11 given).", TextRules.Check(new string('a', 11), "The name", 10));
    }

    [Fact]
    public void Check_OrdinaryTextInAnyScript_Passes()
    {
        Assert.Null(TextRules.Check("株式会社コントソ · Société Générale · שלום · مرحبا · 👩‍💻", "The name", 200));
        Assert.Null(TextRules.Check(null, "The name", 10));
    }

    [Fact]
    public void CheckSearch_IsTrimmedAndBoundedBySearchMaxLength()
    {
        Assert.Null(TextRules.CheckSearch("  " + new string('a', TextRules.SearchMaxLength) + "  ", "The search"));
        Assert.Equal("The search can have at most 100 characters (101 given).", TextRules.CheckSearch(new string('a', 101), "The search"));
    }

    [Fact]
    public void Neutralize_ReplacesControlCharactersAndDirectionMarks_Visibly()
    {
        Assert.Equal("Mallory \uFFFDtxt.exe\uFFFD\uFFFD", TextRules.Neutralize("Mallory \u202Etxt.exe\r\n", 200));
        Assert.Equal("Keiko Tanaka", TextRules.Neutralize("Keiko Tanaka", 200));
    }

    [Fact]
    public void Neutralize_BoundsTheLength_WithAnEllipsis_NeverSplittingASurrogatePair()
    {
        Assert.Equal(new string('a', 9) + "…", TextRules.Neutralize(new string('a', 25), 10));
        Assert.Equal(new string('a', 8) + "…", TextRules.Neutralize(new string('a', 8) + "😀" + "bbbb", 10));
    }

    [Fact]
    public void Check_NamedSubjects_AreWordedInTheCallersLanguage()
    {
        Assert.Equal("The reason can have at most 5 characters (6 given).", TextRules.Check("abcdef", TextRules.Subjects.Reason, 5));
        Assert.Equal("The search contains a control character (U+0007): remove it.", TextRules.CheckSearch("a\u0007", TextRules.Subjects.Search));

        using var japanese = UiCulture.Use("ja");
        Assert.Equal("理由は5文字以内にしてください（6文字入力されています）。", TextRules.Check("abcdef", TextRules.Subjects.Reason, 5));
        Assert.Equal("検索語に制御文字（U+0007）が含まれています。削除してください。", TextRules.CheckSearch("a\u0007", TextRules.Subjects.Search));
        Assert.Equal("表示名に、文字の向きを変える見えない文字（U+202E）が含まれています。保存される内容と違って読めてしまうため、削除してください。",
            TextRules.Check("a\u202Eb", TextRules.Subjects.DisplayName, 100));
    }
}
