using System.Text;
using Aha.Rewards;

namespace Aha.Tests.Fuzz;

/// <summary>
/// Answer extraction on hostile completions: linear work (counted, not timed), the same answers as the plain
/// definition, and a score (never an exception) from <see cref="MathReward"/> on anything.
/// </summary>
public sealed class AnswerExtractionFuzzTests
{
    // Pieces that exercise every branch of \boxed matching: names, spaces, braces, escaped braces, '$'.
    private static readonly string[] Pieces = ["\\boxed", "\\fbox", "{", "}", "\\{", "\\}", " ", "x", "7", "\\", "$", "\n"];

    [Fact]
    public void LastBoxed_AgreesWithTheRescanningDefinition_OnRandomBraceSoup()
    {
        var rng = new Random(15);
        for (int n = 0; n < 3000; n++)
        {
            var b = new StringBuilder();
            int length = rng.Next(1, 30);
            for (int i = 0; i < length; i++) b.Append(Pieces[rng.Next(Pieces.Length)]);
            var text = b.ToString();
            Assert.True(Reference(text) == AnswerExtractor.LastBoxed(text), $"case {n}: {text}");
        }
    }

    [Theory]
    [InlineData("\\boxed{1")]         // the reported quadratic case: every \boxed rescans to the end
    [InlineData("\\boxed{")]
    [InlineData("\\fbox {{")]
    [InlineData("\\boxed {")]
    public void LastBoxed_ManyUnclosed_ExaminesEachCharacterAboutOnce(string unit)
    {
        var text = HostileInputs.Repeat(unit, 200_000);
        Assert.Null(AnswerExtractor.LastBoxed(text, out long examined));
        // One backward pass plus the spaces after each name: at most two looks per character. The rescanning
        // definition looks about length² / (2·unit) times here (over 10⁹).
        Assert.InRange(examined, text.Length, 2L * text.Length);
    }

    [Fact]
    public void LastBoxed_DeepNesting_IsOnePass()
    {
        var inner = HostileInputs.Nested("{", "}", 100_000);
        var text = "\\boxed" + inner;
        Assert.Equal(inner[1..^1], AnswerExtractor.LastBoxed(text, out long examined));
        Assert.Equal(text.Length, examined);
    }

    [Fact]
    public void MathReward_TenMegabyteCompletionOfUnclosedBoxes_ScoresZero()
    {
        var completion = HostileInputs.Repeat("\\boxed{1", HostileInputs.HugeLineBytes);
        var score = new MathReward().Score(new RewardSample("p", completion, "1"));
        Assert.Equal(0, score.Value);
    }

    [Fact]
    public void Normalize_AMillionTrailingPeriods_AreCutAtOnce()
    {
        Assert.Equal("5", AnswerExtractor.Normalize("5" + HostileInputs.Repeat(". ", 1_000_000)));
    }

    [Fact]
    public void MathReward_HostileCompletions_AlwaysScore()
    {
        var reward = new MathReward();
        var rng = new Random(1515);
        var hostile = new List<string>
        {
            HostileInputs.LoneSurrogates(1, 5000),
            "<answer>" + HostileInputs.LoneSurrogates(2, 300) + "</answer>",
            "<answer>" + "1" + new string('0', 5000) + "</answer>",
            "<answer>\\frac{" + HostileInputs.Nested("{", "}", 5000) + "}{2}</answer>",
            "<answer>" + HostileInputs.Nested("\\frac{1}{", "}", 2000) + "</answer>",
            "<answer>\0\0\0</answer>",
            "#### " + HostileInputs.Repeat("9", 1_000_000),
            "the answer is " + HostileInputs.Repeat("1,000", 500_000),
            "\\boxed{" + HostileInputs.Repeat("\\text{", 300_000),
            HostileInputs.Repeat("<answer>", 1_000_000),
            HostileInputs.Repeat("</answer><answer>", 1_000_000),
        };
        for (int i = 0; i < 300; i++)
        {
            var b = new StringBuilder();
            for (int k = rng.Next(60); k > 0; k--)
                b.Append(rng.Next(3) == 0 ? HostileInputs.LoneSurrogates(rng.Next(), 3) : Pieces[rng.Next(Pieces.Length)]);
            hostile.Add(rng.Next(2) == 0 ? b.ToString() : $"<answer>{b}</answer>");
        }
        foreach (var completion in hostile)
        {
            var truth = rng.Next(2) == 0 ? "42" : completion;
            var score = reward.Score(new RewardSample("p", completion, truth));
            // Not applicable (null) only when there is no ground truth to compare with.
            Assert.True(score.Value is 0 or 1 || score.Value is null && string.IsNullOrWhiteSpace(truth),
                $"score {score.Value} for {MathReward.Shorten(completion)}");
        }
    }

    /// <summary>
    /// The definition LastBoxed must keep: for each \boxed / \fbox from the last, match its brace by scanning forward
    /// with a depth counter (quadratic on many unclosed boxes; the test's oracle only).
    /// </summary>
    private static string? Reference(string text)
    {
        int searchEnd = text.Length;
        while (searchEnd > 0)
        {
            int boxed = text.LastIndexOf("\\boxed", searchEnd - 1, StringComparison.Ordinal);
            int fbox = text.LastIndexOf("\\fbox", searchEnd - 1, StringComparison.Ordinal);
            int at = Math.Max(boxed, fbox);
            if (at < 0) return null;
            int i = at + (at == boxed ? "\\boxed".Length : "\\fbox".Length);
            while (i < text.Length && text[i] == ' ') i++;
            if (i < text.Length && text[i] == '{')
            {
                int depth = 0;
                for (int j = i; j < text.Length; j++)
                {
                    if (text[j] == '\\' && j + 1 < text.Length && text[j + 1] is '{' or '}') { j++; continue; }
                    if (text[j] == '{') depth++;
                    else if (text[j] == '}' && --depth == 0) return text.Substring(i + 1, j - i - 1).Trim();
                }
            }
            else if (i > at + 5 && i < text.Length && text[i - 1] == ' ')
            {
                int j = i;
                while (j < text.Length && !char.IsWhiteSpace(text[j]) && text[j] != '$') j++;
                if (j > i) return text[i..j];
            }
            searchEnd = at;
        }
        return null;
    }
}
