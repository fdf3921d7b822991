using System.Globalization;
using System.Text.RegularExpressions;
using Aha.Data;
using Aha.R1Zero;

namespace Aha.Tests.R1Zero;

public sealed class CountdownSolutionsTests
{
    // 3, 7, 12 → 8. A left-to-right expression with + and − adds its first number, so its value is one of the sign
    // patterns ±3 ±7 ±12 with at least one +: 22, -2, 8, -16, 16, -8, 2. Writers keep every intermediate value ≥ 0, so
    // the negative ones go, and the others have such an order: 3+7+12 = 22, 3+12-7 = 8 (15, 8), 7-3+12 = 16 (4, 16),
    // 12-3-7 = 2 (9, 2): 4 distinct values, one of them the target.
    const int DistinctValues = 4;
    static readonly PromptItem Problem = new("p", "3,7,12>8=", "8", new Dictionary<string, string> { ["numbers"] = "3,7,12", ["target"] = "8" });
    static readonly int[] Numbers = [3, 7, 12];

    [Fact]
    public void CarefulWriters_SearchDistinctValuesUntilAHit_GivingUpWritersAnswerTheirFirstMiss()
    {
        var writer = new CountdownSolutions();
        var careful = new CorpusOptions { ErrorRate = 0, DirectAnswerRate = 0 };
        var givingUp = careful with { ErrorRate = 1 };
        var carefulLengths = new HashSet<int>();
        var rng = new SeededRandom(5);
        for (int i = 0; i < 400; i++)
        {
            var c = writer.Write(Problem, rng, careful);
            var attempts = Parse(c.Completion);
            Assert.True(c.AnswerCorrect);
            Assert.Equal(8, attempts[^1].Value);
            Assert.All(attempts.SkipLast(1), a => Assert.NotEqual(8, a.Value));
            Assert.Equal(attempts.Count, attempts.Select(a => a.Value).Distinct().Count());
            carefulLengths.Add(attempts.Count);

            var g = writer.Write(Problem, rng, givingUp);
            var tried = Parse(g.Completion);
            Assert.False(g.AnswerCorrect);
            Assert.Single(tried);
            Assert.All(tried, a => Assert.NotEqual(8, a.Value));
            Assert.Equal(tried.Count, tried.Select(a => a.Value).Distinct().Count());
            Assert.EndsWith($"<answer>{tried[^1].Text}</answer>", g.Completion);
        }
        // Every search length occurs: from the hit first to every distinct value tried.
        Assert.Equal(Enumerable.Range(1, DistinctValues), carefulLengths.Order());
    }

    [Fact]
    public void EveryCountdownDocument_FitsTheTasksCompletionBudget()
    {
        var task = R1ZeroTasks.Create("countdown", 3000, 500, seed: 0);
        var (docs, _) = SyntheticCorpus.Build(task.Train, task.Writer, new CorpusOptions { Documents = 20_000, ErrorRate = 0 }, seed: 0);
        // Character tokens, each tag one token, plus EOS.
        string[] tags = ["<think>", "</think>", "<answer>", "</answer>"];
        int Tokens(string c) => c.Length - tags.Sum(t => CountOf(c, t) * (t.Length - 1)) + 1;
        Assert.Equal(R1ZeroTasks.CountdownMaxNewTokens, task.MaxNewTokens);
        Assert.InRange(docs.Max(d => Tokens(d.Completion)), 40, task.MaxNewTokens);
        static int CountOf(string s, string t) => (s.Length - s.Replace(t, "").Length) / t.Length;
    }

    /// <summary>
    /// The attempts of a completion, worked "12-7=5+3=8|8✓": each step's value recomputed here and checked, ≥ 0, the
    /// target 8 beside the value, the verdict checked against it; the expression (12-7+3) and its final value.
    /// </summary>
    static List<(string Text, long Value)> Parse(string completion)
    {
        var think = completion[(completion.IndexOf("<think>", StringComparison.Ordinal) + 7)..completion.IndexOf("</think>", StringComparison.Ordinal)];
        var result = new List<(string, long)>();
        foreach (var attempt in think.Split(';'))
        {
            var m = Regex.Match(attempt, @"^(\d+)((?:[-+]\d+=\d+)+)\|8([✓✗])$");
            Assert.True(m.Success, attempt);
            long value = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            var expression = m.Groups[1].Value;
            foreach (Match step in Regex.Matches(m.Groups[2].Value, @"([-+])(\d+)=(\d+)"))
            {
                long b = long.Parse(step.Groups[2].Value, CultureInfo.InvariantCulture);
                value = step.Groups[1].Value == "+" ? value + b : value - b;
                Assert.Equal(value, long.Parse(step.Groups[3].Value, CultureInfo.InvariantCulture));
                expression += step.Groups[1].Value + step.Groups[2].Value;
            }
            Assert.Equal(Numbers.Order(), expression.Split('+', '-').Select(int.Parse).Order());
            Assert.Equal(value == 8 ? "✓" : "✗", m.Groups[3].Value);     // the verdict: does it reach 8
            result.Add((expression, value));
        }
        return result;
    }
}
