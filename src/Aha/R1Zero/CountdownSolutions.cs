using System.Globalization;
using System.Text;
using Aha.Data;
using Aha.Rewards;

namespace Aha.R1Zero;

/// <summary>
/// Trial-and-error Countdown solutions over left-to-right expressions "a op b op c" (ops from <see cref="Operators"/>):
/// prompt "3,7,12>8=", completion "&lt;think&gt;3+7-12=-2;12-7+3=8&lt;/think&gt;&lt;answer&gt;12-7+3&lt;/answer&gt;".
/// A careful writer tries 0–2 non-solutions, then a solution, and answers it. The systematic error (probability
/// <see cref="CorpusOptions.ErrorRate"/>): the writer tries 1–3 non-solutions and answers the last one anyway, although
/// its value (written right there) is not the target. Direct answers guess an expression without a think block.
/// </summary>
public sealed class CountdownSolutions(string operators = "+-") : ISolutionWriter
{
    public string Operators { get; } = operators;

    public WrittenSolution Write(PromptItem problem, SeededRandom rng, CorpusOptions options)
    {
        var numbers = CountdownReward.ParseNumbers(problem.Metadata["numbers"]);
        int target = int.Parse(problem.Metadata["target"], CultureInfo.InvariantCulture);
        var all = Expressions(numbers);
        var hits = all.Where(e => e.Value == target).ToList();
        var misses = all.Where(e => e.Value != target).ToList();
        if (hits.Count == 0 || misses.Count == 0)
            return new WrittenSolution($"<think>{Attempt(hits.Count > 0 ? hits[0] : all[0])}</think><answer>{(hits.Count > 0 ? hits[0] : all[0]).Text}</answer>",
                hits.Count > 0 ? "correct" : "error", hits.Count > 0, 0, 0);

        if (rng.NextDouble() < options.DirectAnswerRate)
        {
            var guess = rng.NextDouble() < options.DirectCorrectRate ? hits[rng.Next(hits.Count)] : misses[rng.Next(misses.Count)];
            return new WrittenSolution($"<answer>{guess.Text}</answer>", "direct", guess.Value == target, 0, 0);
        }
        bool error = rng.NextDouble() < (options.ErrorRate ?? CorpusOptions.ArithmeticErrorRate);
        int tries = error ? rng.NextInclusive(1, 3) : rng.NextInclusive(0, 2);
        var attempts = new List<(string Text, long Value)>();
        for (int i = 0; i < tries; i++) attempts.Add(misses[rng.Next(misses.Count)]);
        if (!error) attempts.Add(hits[rng.Next(hits.Count)]);
        var think = string.Join(";", attempts.Select(Attempt));
        var answer = attempts[^1];
        return new WrittenSolution($"<think>{think}</think><answer>{answer.Text}</answer>", error ? "error" : "correct",
            answer.Value == target, error ? 1 : 0, 1);
    }

    static string Attempt((string Text, long Value) e) => $"{e.Text}={e.Value.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Every left-to-right expression using each number once, in a fixed order (permutations × operators).</summary>
    public List<(string Text, long Value)> Expressions(int[] numbers)
    {
        var result = new List<(string, long)>();
        foreach (var perm in Permutations(numbers.Length))
        {
            var opsCount = numbers.Length - 1;
            int combos = (int)Math.Pow(Operators.Length, opsCount);
            for (int c = 0; c < combos; c++)
            {
                var sb = new StringBuilder().Append(numbers[perm[0]]);
                long value = numbers[perm[0]];
                int code = c;
                for (int k = 0; k < opsCount; k++)
                {
                    char op = Operators[code % Operators.Length];
                    code /= Operators.Length;
                    long b = numbers[perm[k + 1]];
                    value = op switch { '+' => value + b, '-' => value - b, '*' => value * b, _ => throw new InvalidOperationException($"operator '{op}' unsupported") };
                    sb.Append(op).Append(b);
                }
                result.Add((sb.ToString(), value));
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
