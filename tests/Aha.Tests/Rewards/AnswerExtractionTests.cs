using Aha.Rewards;

namespace Aha.Tests.Rewards;

public sealed class AnswerExtractionTests
{
    // completion → expected normalised answer (null: none found)
    [Theory]
    [InlineData("<think>hmm</think><answer>42</answer>", "42")]
    [InlineData("<answer>1</answer> then <answer>2</answer>", "2")]                 // two tags: last wins
    [InlineData("<answer> 7 </answer>", "7")]
    [InlineData("<answer>5</answer> later <answer>6", "5")]                         // unclosed last tag ignored
    [InlineData("The result is \\boxed{\\frac{1}{2}}.", "\\frac{1}{2}")]            // nested braces
    [InlineData("\\boxed{1} and finally \\boxed{2}", "2")]
    [InlineData("\\boxed{\\sqrt{\\frac{3}{4}}}", "\\sqrt{\\frac{3}{4}}")]
    [InlineData("so $\\boxed{-0.5}$", "-0.5")]
    [InlineData("\\fbox{9}", "9")]
    [InlineData("\\boxed 5 is it", "5")]
    [InlineData("\\boxed{unclosed", null)]
    [InlineData("Natalia sold 48 clips.\n#### 72", "72")]
    [InlineData("#### 1,000", "1000")]
    [InlineData("#### $18.", "18")]
    [InlineData("So the answer is 12.", "12")]
    [InlineData("The final answer is: 3/4. Done.", "3/4")]
    [InlineData("THE ANSWER IS 3.5", "3.5")]
    [InlineData("<answer>$1,234,567$</answer>", "1234567")]
    [InlineData("<answer>\\boxed{8}</answer>", "8")]
    [InlineData("<answer>10 dollars.</answer>", "10 dollars")]
    [InlineData("<answer></answer>", "")]
    [InlineData("no answer here at all", null)]
    [InlineData("", null)]
    [InlineData("<answer>−3</answer>", "-3")]                                       // unicode minus
    public void Extract_FindsTheFinalAnswer(string completion, string? expected)
    {
        var got = AnswerExtractor.Extract(completion);
        Assert.Equal(expected, got?.Text);
    }

    [Fact]
    public void Extract_PrefersTheAnswerTagOverBoxed()
    {
        var got = AnswerExtractor.Extract("\\boxed{1} <answer>2</answer>")!;
        Assert.Equal("2", got.Text);
        Assert.Equal(AnswerSources.AnswerTag, got.Source);
    }

    [Fact]
    public void Extract_RestrictedToTags_IgnoresBoxed()
    {
        Assert.Null(AnswerExtractor.Extract("\\boxed{1}", AnswerSources.AnswerTag));
    }

    // predicted, truth, equivalent?
    [Theory]
    [InlineData("3/4", "0.75", true)]
    [InlineData("0.75", "3/4", true)]
    [InlineData("\\frac{3}{4}", "0.75", true)]
    [InlineData("\\dfrac{3}{4}", "3/4", true)]
    [InlineData("\\frac12", "0.5", true)]
    [InlineData("-0.5", "-1/2", true)]
    [InlineData("-\\frac{1}{2}", "-0.5", true)]
    [InlineData("1,000", "1000", true)]
    [InlineData("1000.0", "1000", true)]
    [InlineData("1e3", "1000", true)]
    [InlineData("007", "7", true)]
    [InlineData("+7", "7", true)]
    [InlineData("$18", "18", true)]
    [InlineData("18 dollars", "18", true)]
    [InlineData("5 cm", "5", true)]
    [InlineData("50\\%", "50", true)]
    [InlineData("90^\\circ", "90", true)]
    [InlineData("x = 4", "4", true)]
    [InlineData("\\text{14 apples}", "14", true)]
    [InlineData("0.1", "1/10", true)]
    [InlineData("0.3333", "1/3", false)]                 // exact: no rounding
    [InlineData("2", "3", false)]
    [InlineData("-2", "2", false)]
    [InlineData("5x", "5", false)]                       // a variable, not a unit
    [InlineData("2 pi", "2", false)]
    [InlineData("1/0", "0", false)]
    [InlineData("\\frac{1}{2}", "\\frac{1}{3}", false)]
    [InlineData("\\sqrt{2}", "\\sqrt{2}", true)]         // string fallback
    [InlineData("\\sqrt{2}", "\\sqrt{3}", false)]
    [InlineData("(1, 2)", "(1,2)", true)]                // whitespace-insensitive string fallback
    [InlineData("yes", "no", false)]
    [InlineData("1.5", "3/2", true)]
    [InlineData("(3/4)", "0.75", true)]
    public void AreEquivalent_ComparesExactValues(string predicted, string truth, bool expected)
    {
        Assert.Equal(expected, MathEquivalence.AreEquivalent(predicted, truth));
    }

    [Fact]
    public void AreEquivalent_HugeNumbers_FallBackToStrings()
    {
        // Beyond MaxDigits no exact rational is built (what keeps a hostile answer's cost linear in its length):
        // the comparison falls back to the normalised strings.
        var big = new string('9', 10_000);
        Assert.False(BigRational.TryParseDecimal(big, out _, MathEquivalence.MaxDigits));
        Assert.True(BigRational.TryParseDecimal(new string('9', MathEquivalence.MaxDigits), out _, MathEquivalence.MaxDigits));
        Assert.True(MathEquivalence.AreEquivalent(big, big));
        Assert.False(MathEquivalence.AreEquivalent(big, big + "8"));
    }

    [Fact]
    public void MathReward_ScoresOneZeroOrNotApplicable()
    {
        var math = new MathReward();
        Assert.Equal(1.0, math.Score(new RewardSample("q", "<answer>\\frac{1}{2}</answer>", "0.5")).Value);
        var wrong = math.Score(new RewardSample("q", "<answer>3</answer>", "4"));
        Assert.Equal(0.0, wrong.Value);
        Assert.Equal("3", wrong.ExtractedAnswer);
        Assert.Contains("ground truth 4", wrong.Reason);
        var none = math.Score(new RewardSample("q", "I don't know", "4"));
        Assert.Equal(0.0, none.Value);
        Assert.Null(none.ExtractedAnswer);
        Assert.False(math.Score(new RewardSample("q", "<answer>4</answer>")).IsApplicable);
    }

    [Fact]
    public void MathReward_GroundTruthWithGsm8kSolution_UsesTheHashLine()
    {
        var s = new RewardSample("q", "The answer is 1,200.", "She earns 12*100 = 1200.\n#### 1,200");
        Assert.Equal(1.0, new MathReward().Score(s).Value);
    }
}
