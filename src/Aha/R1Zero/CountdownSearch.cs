using System.Globalization;
using System.Text.RegularExpressions;
using Aha.Data;
using Aha.Evaluation;
using Aha.Rewards;

namespace Aha.R1Zero;

/// <summary>
/// Reads the search in a Countdown completion. Its attempts are the ";"-separated equations of its think block, written
/// whole ("12-7+3=8") or worked out a step at a time ("12-7=5+3=8", the expression 12-7+3), with or without the
/// target and a verdict after the value ("12-7=5+3=8|8✓", <see cref="CountdownSolutions"/>):
/// <c>&lt;think&gt;3+7=10+12=22|8✗;12-7=5+3=8|8✓&lt;/think&gt;&lt;answer&gt;12-7+3&lt;/answer&gt;</c> makes two. An attempt cut
/// off by the length limit after its first "=" still counts; an expression without "=" does not. Whether an attempt
/// reaches the target is computed from its expression by <see cref="CountdownVerifier"/>, never read from the values
/// written after "=", which the model may get wrong.
/// </summary>
public static partial class CountdownSearch
{
    const string ThinkOpen = "<think>", ThinkClose = "</think>";

    /// <summary>An equation's start: an expression of at least two numbers, then "=".</summary>
    [GeneratedRegex(@"^\d+(?:[-+*/]\d+)+=", RegexOptions.CultureInvariant)]
    private static partial Regex AttemptStart();

    /// <summary>A value written after "=" (possibly cut off).</summary>
    [GeneratedRegex(@"=-?\d*", RegexOptions.CultureInvariant)]
    private static partial Regex WrittenValue();

    /// <summary>The expression left when the values are taken out (what follows it, a target and a verdict, is not part of it).</summary>
    [GeneratedRegex(@"^\d+(?:[-+*/]\d+)*[-+*/]?", RegexOptions.CultureInvariant)]
    private static partial Regex Expression();

    /// <summary>The expressions attempted in the think block, in order, without the values written; none without a think block.</summary>
    public static IReadOnlyList<string> Attempts(string completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        int open = completion.IndexOf(ThinkOpen, StringComparison.Ordinal);
        if (open < 0) return [];
        int start = open + ThinkOpen.Length;
        int close = completion.IndexOf(ThinkClose, start, StringComparison.Ordinal);
        var think = close < 0 ? completion[start..] : completion[start..close];
        return think.Split(';').Where(e => AttemptStart().IsMatch(e)).Select(e => Expression().Match(WrittenValue().Replace(e, "")).Value).ToList();
    }

    /// <summary>
    /// An attempt that misses the target comes before one that reaches it: the search went on after a failure and
    /// found a solution (whether the answer then uses it is the verifier's business).
    /// </summary>
    public static bool MissThenHit(string completion, IReadOnlyList<int> numbers, int target)
    {
        bool missed = false;
        foreach (var attempt in Attempts(completion))
        {
            if (CountdownVerifier.Verify(attempt, numbers, target).IsCorrect)
            {
                if (missed) return true;
            }
            else missed = true;
        }
        return false;
    }

    /// <summary>
    /// Up to <paramref name="count"/> right completions of <paramref name="report"/> that missed and then hit, from
    /// distinct problems in the report's order, each problem's greedy completion before its samples.
    /// <paramref name="problems"/> give each problem's numbers and target (metadata, by id).
    /// </summary>
    public static IReadOnlyList<(string Prompt, string Completion)> Recoveries(EvaluationReport report, IReadOnlyList<PromptItem> problems, int count = 2)
    {
        ArgumentNullException.ThrowIfNull(report);
        var byId = problems.ToDictionary(p => p.Id);
        var found = new List<(string, string)>();
        foreach (var p in report.Problems)
        {
            if (found.Count == count) break;
            var meta = byId[p.Id].Metadata;
            var numbers = CountdownReward.ParseNumbers(meta["numbers"]);
            int target = int.Parse(meta["target"], CultureInfo.InvariantCulture);
            IEnumerable<string> greedy = p.GreedyCorrect ? [p.GreedyCompletion] : [];
            var right = greedy.Concat(p.SampledCompletions.Where(c => c.Correct).Select(c => c.Text));
            if (right.FirstOrDefault(c => MissThenHit(c, numbers, target)) is { } completion) found.Add((p.Prompt, completion));
        }
        return found;
    }

    /// <summary>Mean number of attempts in the evaluation's sampled completions (K per problem).</summary>
    public static double AttemptsPerCompletion(EvaluationReport report) =>
        report.Problems.SelectMany(p => p.SampledCompletions).Select(c => (double)Attempts(c.Text).Count).DefaultIfEmpty().Average();
}
