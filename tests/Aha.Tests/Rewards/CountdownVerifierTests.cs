using Aha.Rewards;

namespace Aha.Tests.Rewards;

public sealed class CountdownVerifierTests
{
    private static readonly int[] Numbers = [3, 7, 25];

    // expression, outcome, reason fragment; numbers [3, 7, 25], target 125... (25 − 3·... computed by hand below)
    [Theory]
    [InlineData("(25 - 7 - 3) * 3", CountdownOutcome.InvalidNumbers, "number 3 used twice")]
    [InlineData("25 * (7 - 3) + 25", CountdownOutcome.InvalidNumbers, "number 25 used twice")]
    [InlineData("25 * 8", CountdownOutcome.InvalidNumbers, "number 8 is not in [3, 7, 25]")]
    [InlineData("25 * 7 - 3", CountdownOutcome.WrongValue, "equals 172, target 125")]       // 175 − 3 = 172
    [InlineData("25 / (7 - 7)", CountdownOutcome.InvalidNumbers, "number 7 used twice")]
    [InlineData("25 / (3 - 3)", CountdownOutcome.InvalidNumbers, "")]
    [InlineData("", CountdownOutcome.Missing, "empty")]
    [InlineData("25 +", CountdownOutcome.Malformed, "expected a number")]
    [InlineData("(25 + 7", CountdownOutcome.Malformed, "expected ')'")]
    [InlineData("-3 + 25", CountdownOutcome.Malformed, "unary")]
    [InlineData("25 ** 3", CountdownOutcome.Malformed, "expected a number")]
    [InlineData("2.5 * 3", CountdownOutcome.Malformed, "whole numbers")]
    [InlineData("import os", CountdownOutcome.Malformed, "unexpected character 'i'")]
    [InlineData("25 7", CountdownOutcome.Malformed, "expected an operator")]
    public void Verify_ExplainsWhatIsWrong(string expression, CountdownOutcome outcome, string reason)
    {
        var v = CountdownVerifier.Verify(expression, Numbers, 125);
        Assert.Equal(outcome, v.Outcome);
        Assert.Contains(reason, v.Reason);
    }

    // 25 * (7 - 3) = 100, so with target 100 it is correct; × and − spellings are the same operators.
    [Theory]
    [InlineData("25 * (7 - 3)")]
    [InlineData("25×(7−3)")]
    [InlineData("(7 - 3) * 25 = 100")]
    [InlineData(" ( ( 25 ) ) * ( 7 - 3 ) ")]
    public void Verify_AcceptsACorrectExpression(string expression)
    {
        var v = CountdownVerifier.Verify(expression, Numbers, 100);
        Assert.Equal(CountdownOutcome.Correct, v.Outcome);
        Assert.Equal(BigRational.FromInteger(100), v.Value);
    }

    // Exact rationals: 7 / 3 * 3 = 7 exactly (floating point would give 6.999…);
    // 3 / 7 + 25 = 178/7, not an integer.
    [Fact]
    public void Verify_UsesExactRationalArithmetic()
    {
        Assert.True(CountdownVerifier.Verify("7 / 3 * 3", [7, 3, 3], 7).IsCorrect);
        var v = CountdownVerifier.Verify("3 / 7 + 25", Numbers, 25);
        Assert.Equal(new BigRational(178, 7), v.Value);
        Assert.Equal(CountdownOutcome.WrongValue, v.Outcome);
    }

    [Fact]
    public void Verify_DivisionByZero_IsWellFormedButInvalid()
    {
        var v = CountdownVerifier.Verify("25 / (7 - 7)", [25, 7, 7], 1);
        Assert.Equal(CountdownOutcome.DivisionByZero, v.Outcome);
        Assert.True(v.IsWellFormed);
    }

    [Fact]
    public void Verify_RepeatedGivenNumber_MayBeUsedAsOftenAsGiven()
    {
        Assert.True(CountdownVerifier.Verify("5 * 5", [5, 5], 25).IsCorrect);
        Assert.Contains("used 3 times, given 2", CountdownVerifier.Verify("5 * 5 * 5", [5, 5], 125).Reason);
    }

    [Fact]
    public void Verify_RequireAllNumbers_RejectsUnusedOnes()
    {
        var v = CountdownVerifier.Verify("25 * 7", Numbers, 175, requireAllNumbers: true);
        Assert.Equal(CountdownOutcome.InvalidNumbers, v.Outcome);
        Assert.Contains("number 3 not used", v.Reason);
    }

    public static TheoryData<string, string> HostileInputs() => new()
    {
        { "10 000-deep parentheses", new string('(', 10_000) + "3" + new string(')', 10_000) },
        { "10 000-deep parentheses, unclosed", new string('(', 10_000) },
        { "10 000-digit number", new string('9', 10_000) },
        { "10 000-digit number inside a short expression", "3 + " + new string('1', 10_000) },
        { "number not given", "3 + 7 + 26" },
        { "arabic-indic digits", "٣ + ٧" },
        { "fullwidth digits", "３ + ７" },
        { "superscript digit", "3² + 7" },
        { "empty", "" },
        { "whitespace only", "   \t\n " },
        { "long chain of additions", string.Join(" + ", Enumerable.Repeat("3", 5_000)) },
        { "code", "__import__('os').system('rm -rf /')" },
        { "1 MB of garbage", new string('x', 1_000_000) },
    };

    [Theory]
    [MemberData(nameof(HostileInputs))]
    public void Verify_HostileInput_IsRejected(string description, string answer)
    {
        var reward = new CountdownReward();
        var sample = new RewardSample("p", $"<think>x</think><answer>{answer}</answer>", "125",
            new Dictionary<string, string> { ["numbers"] = "3,7,25", ["target"] = "125" });

        var verdict = CountdownVerifier.Verify(answer, Numbers, 125);
        var score = reward.Score(sample);

        Assert.False(verdict.IsCorrect, description);
        Assert.True(score.Value < 1.0, description);
    }

    [Fact]
    public void Reward_ScoresOneFormatScoreOrZero()
    {
        var reward = new CountdownReward();
        var meta = new Dictionary<string, string> { ["numbers"] = "[3, 7, 25]", ["target"] = "100" };
        RewardScore Score(string completion) => reward.Score(new RewardSample("p", completion, null, meta));

        Assert.Equal(1.0, Score("<answer>25 * (7 - 3)</answer>").Value);
        Assert.Equal(0.1, Score("<answer>25 * 7 - 3</answer>").Value);          // well-formed, wrong value
        Assert.Equal(0.1, Score("<answer>25 * 25</answer>").Value);             // well-formed, reuses 25
        Assert.Equal(0.0, Score("<answer>25 * </answer>").Value);               // malformed
        Assert.Equal(0.0, Score("25 * (7 - 3)").Value);                          // no tag
        Assert.Equal("no <answer> tag", Score("25 * (7 - 3)").Reason);
        Assert.Equal("equals 172, target 100", Score("<answer>25 * 7 - 3</answer>").Reason);
    }

    [Fact]
    public void Reward_WithoutNumbers_IsNotApplicable()
    {
        Assert.False(new CountdownReward().Score(new RewardSample("p", "<answer>1</answer>", "1")).IsApplicable);
    }
}
