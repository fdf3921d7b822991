using System.Text;
using Aha.Rewards;

namespace Aha.Tests.Fuzz;

/// <summary>
/// The Countdown parser on hostile answers: a verdict (never an exception) for anything, and the limits that make the
/// work linear checked before the work they bound.
/// </summary>
public sealed class CountdownFuzzTests
{
    private static readonly string[] Pieces =
        ["1", "25", "100", "+", "-", "−", "*", "×", "/", "÷", "(", ")", "=", " ", "0", "999999999", "1.5", "٣", "\0", "\uD800", "x"];

    [Fact]
    public void Verify_RandomTokenSoup_AlwaysGivesAVerdict()
    {
        var rng = new Random(4242);
        var outcomes = new HashSet<CountdownOutcome>();
        int[] given = [1, 25, 100, 0];
        string[] ops = ["+", "-", "*", "/"];
        for (int n = 0; n < 20_000; n++)
        {
            var b = new StringBuilder();
            if (n % 2 == 0)
            {
                // Half soup, half expressions over the given numbers, so every verdict is reached.
                for (int k = rng.Next(1, 16); k > 0; k--) b.Append(Pieces[rng.Next(Pieces.Length)]);
            }
            else
            {
                var order = given.OrderBy(_ => rng.Next()).Take(rng.Next(1, 5)).ToArray();
                b.Append(order[0]);
                foreach (var x in order.Skip(1)) b.Append(ops[rng.Next(ops.Length)]).Append(x);
            }
            var verdict = CountdownVerifier.Verify(b.ToString(), given, 26);
            Assert.False(string.IsNullOrWhiteSpace(verdict.Reason));
            outcomes.Add(verdict.Outcome);
        }
        // The soup reaches every kind of verdict, so the property covers each path.
        Assert.Superset(new HashSet<CountdownOutcome> { CountdownOutcome.Malformed, CountdownOutcome.WrongValue,
            CountdownOutcome.InvalidNumbers, CountdownOutcome.DivisionByZero, CountdownOutcome.Correct }, outcomes);
    }

    [Theory]
    [InlineData(10_000, "parentheses nested deeper than 32")]
    [InlineData(30, null)]
    public void Parse_DeepNesting_IsRefusedAtTheDepthLimit(int depth, string? error)
    {
        var limits = new CountdownLimits { MaxLength = 100_000 };
        var parse = CountdownExpression.Parse(HostileInputs.Nested("(", ")", depth).Insert(depth, "1"), limits);
        Assert.Equal(error, parse.Error);
    }

    [Fact]
    public void Parse_TenMegabytes_IsRefusedByLengthBeforeTokenizing()
    {
        var parse = CountdownExpression.Parse(HostileInputs.Repeat("1+", HostileInputs.HugeLineBytes));
        Assert.Equal($"expression longer than 512 characters ({HostileInputs.HugeLineBytes})", parse.Error);
    }

    [Theory]
    [InlineData("1" + "0000000000", "number at position 0 has more than 9 digits")]
    [InlineData("1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1", "more than 32 numbers")]
    public void Parse_HugeNumbersAndTooManyNumbers_AreRefused(string expression, string error)
    {
        Assert.Equal(error, CountdownExpression.Parse(expression).Error);
    }

    [Fact]
    public void Reward_HostileCompletionsAndMetadata_AlwaysScoreOrReportTheField()
    {
        var reward = new CountdownReward();
        var rng = new Random(77);
        for (int n = 0; n < 2000; n++)
        {
            var answer = string.Concat(Enumerable.Range(0, rng.Next(12)).Select(_ => Pieces[rng.Next(Pieces.Length)]));
            var meta = new Dictionary<string, string> { ["numbers"] = "1,25,100", ["target"] = "24" };
            var score = reward.Score(new RewardSample("p", $"<answer>{answer}</answer>", null, meta));
            Assert.True(score.Value is 0 or 0.1 or 1, $"{answer}: {score.Value}");
        }
        foreach (var bad in new[] { "", "[", "1,,x", "99999999999", HostileInputs.LoneSurrogates(3, 50) })
        {
            var meta = new Dictionary<string, string> { ["numbers"] = bad, ["target"] = "24" };
            var e = Assert.Throws<ArgumentException>(() => reward.Score(new RewardSample("p", "<answer>1</answer>", null, meta)));
            Assert.StartsWith("numbers:", e.Message);
        }
    }
}
