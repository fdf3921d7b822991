using System.Globalization;
using System.Text;
using Aha.Data;
using Aha.Rewards;

namespace Aha.R1Zero;

/// <summary>One left-to-right expression: its text ("12-7+3"), worked out step by step ("12-7=5+3=8"), and its value.</summary>
/// <param name="Natural">Every intermediate value is ≥ 0, as a person working the sum in the head keeps it.</param>
public sealed record CountdownExpression(string Text, string Worked, long Value, bool Natural);

/// <summary>
/// Trial-and-error Countdown solutions over left-to-right expressions "a op b op c" (ops from <see cref="Operators"/>):
/// prompt "3,7,12>8=", completion "&lt;think&gt;3+7=10+12=22|8✗;12-7=5+3=8|8✓&lt;/think&gt;&lt;answer&gt;12-7+3&lt;/answer&gt;".
/// Each attempt is worked out one operation at a time (two small numbers per step, which the small model can compute,
/// where the value of a whole three-number expression in one go was mostly wrong), keeps every intermediate value ≥ 0,
/// and ends with the target written beside its value and the writer's verdict: ✓ when they are equal, ✗ when not. No writer tries a value twice (one
/// expression per distinct value, in a random order). A careful writer keeps trying until an attempt reaches the target
/// and answers it. The systematic error (probability <see cref="CorpusOptions.ErrorRate"/>) is giving up: the writer
/// tries one non-solution and answers it anyway, although its own verdict says it misses — so after a first ✗, giving
/// up is the majority habit, as the sign error is in arithmetic. Direct answers guess an expression without a think
/// block.
/// <para>The verdict makes "search on after a miss" one local choice (what follows ✗), the one RL has to change; without
/// it the choice hangs on comparing the value with the target far back in the prompt, and under RL the values, which
/// the reward never sees, decayed before the choice was learned. The target copied beside the value makes the verdict
/// itself a comparison of two neighbouring numbers: compared with the prompt's target directly, the base model wrote ✗
/// on most of its hits (docs/r1zero.md).</para>
/// </summary>
public sealed class CountdownSolutions(string operators = "+-") : ISolutionWriter
{
    public string Operators { get; } = operators;

    /// <summary>The writer's verdict after an attempt's value: it reaches the target, or it does not.</summary>
    public const string Hit = "✓", Miss = "✗";

    /// <summary>Separates an attempt's value from the target written beside it ("22|8").</summary>
    public const char Against = '|';

    public WrittenSolution Write(PromptItem problem, SeededRandom rng, CorpusOptions options)
    {
        var numbers = CountdownReward.ParseNumbers(problem.Metadata["numbers"]);
        int target = int.Parse(problem.Metadata["target"], CultureInfo.InvariantCulture);
        var all = Expressions(numbers).Where(e => e.Natural).ToList();
        var hits = all.Where(e => e.Value == target).ToList();
        var misses = all.Where(e => e.Value != target).ToList();
        if (hits.Count == 0 || misses.Count == 0)
        {
            var only = hits.Count > 0 ? hits[0] : all[0];
            return new WrittenSolution($"<think>{Attempt(only, target)}</think><answer>{only.Text}</answer>", hits.Count > 0 ? "correct" : "error", hits.Count > 0, 0, 0);
        }

        if (rng.NextDouble() < options.DirectAnswerRate)
        {
            var guess = rng.NextDouble() < options.DirectCorrectRate ? hits[rng.Next(hits.Count)] : misses[rng.Next(misses.Count)];
            return new WrittenSolution($"<answer>{guess.Text}</answer>", "direct", guess.Value == target, 0, 0);
        }
        bool error = rng.NextDouble() < (options.ErrorRate ?? CorpusOptions.ArithmeticErrorRate);
        // One expression per distinct value, chosen at random among those with that value, in a random order.
        var byValue = all.GroupBy(e => e.Value).Select(g => g.ElementAt(rng.Next(g.Count()))).ToList();
        Shuffle(byValue, rng);
        var attempts = error
            ? [byValue.First(e => e.Value != target)]
            : byValue.Take(byValue.FindIndex(e => e.Value == target) + 1).ToList();
        var answer = attempts[^1];
        return new WrittenSolution($"<think>{string.Join(";", attempts.Select(e => Attempt(e, target)))}</think><answer>{answer.Text}</answer>",
            error ? "error" : "correct", answer.Value == target, error ? 1 : 0, 1);
    }

    static string Attempt(CountdownExpression e, int target) =>
        $"{e.Worked}{Against}{target.ToString(CultureInfo.InvariantCulture)}{(e.Value == target ? Hit : Miss)}";

    static void Shuffle<T>(List<T> items, SeededRandom rng)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>Every left-to-right expression using each number once, in a fixed order (permutations × operators).</summary>
    public List<CountdownExpression> Expressions(int[] numbers)
    {
        var result = new List<CountdownExpression>();
        foreach (var perm in Permutations(numbers.Length))
        {
            var opsCount = numbers.Length - 1;
            int combos = (int)Math.Pow(Operators.Length, opsCount);
            for (int c = 0; c < combos; c++)
            {
                var text = new StringBuilder().Append(numbers[perm[0]]);
                var worked = new StringBuilder().Append(numbers[perm[0]]);
                long value = numbers[perm[0]];
                bool natural = true;
                int code = c;
                for (int k = 0; k < opsCount; k++)
                {
                    char op = Operators[code % Operators.Length];
                    code /= Operators.Length;
                    long b = numbers[perm[k + 1]];
                    value = op switch { '+' => value + b, '-' => value - b, '*' => value * b, _ => throw new InvalidOperationException($"operator '{op}' unsupported") };
                    natural &= value >= 0;
                    text.Append(op).Append(b);
                    worked.Append(op).Append(b).Append('=').Append(value.ToString(CultureInfo.InvariantCulture));
                }
                result.Add(new CountdownExpression(text.ToString(), worked.ToString(), value, natural));
            }
        }
        return result;
    }

    static IEnumerable<int[]> Permutations(int n)
    {
        var a = Enumerable.Range(0, n).ToArray();
        return Permute(a, 0);
        static IEnumerable<int[]> Permute(int[] a, int k)
        {
            if (k == a.Length) { yield return (int[])a.Clone(); yield break; }
            for (int i = k; i < a.Length; i++)
            {
                (a[k], a[i]) = (a[i], a[k]);
                foreach (var p in Permute(a, k + 1)) yield return p;
                (a[k], a[i]) = (a[i], a[k]);
            }
        }
    }
}
