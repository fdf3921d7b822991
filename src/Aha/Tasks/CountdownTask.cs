using System.Globalization;
using Aha.Data;

namespace Aha.Tasks;

/// <summary>Difficulty of <see cref="CountdownTask"/>.</summary>
public sealed record CountdownOptions
{
    /// <summary>Fewest numbers given. Default 3.</summary>
    public int MinCount { get; init; } = 3;

    /// <summary>Most numbers given. Default 4.</summary>
    public int MaxCount { get; init; } = 4;

    /// <summary>Smallest number. Default 1.</summary>
    public int MinNumber { get; init; } = 1;

    /// <summary>Largest number. Default 99 (TinyZero).</summary>
    public int MaxNumber { get; init; } = 99;

    /// <summary>Largest target. Default 999.</summary>
    public int MaxTarget { get; init; } = 999;

    /// <summary>Operators the hidden solution may use, any of "+-*/". Default all four.</summary>
    public string Operators { get; init; } = "+-*/";

    /// <summary>1 = 3 numbers 1–20, + −; 2 = 3 numbers 1–50, + − ×; 3 = 3–4 numbers 1–99, + − × ÷ (TinyZero).</summary>
    public static CountdownOptions ForDifficulty(int level) => level switch
    {
        1 => new() { MinCount = 3, MaxCount = 3, MaxNumber = 20, Operators = "+-" },
        2 => new() { MinCount = 3, MaxCount = 3, MaxNumber = 50, Operators = "+-*" },
        3 => new(),
        _ => throw new ArgumentException($"Countdown difficulty must be 1..3, got {level}.", nameof(level)),
    };

    internal void Validate()
    {
        var errors = new List<string>();
        if (MinCount < 2 || MaxCount < MinCount || MaxCount > 8) errors.Add($"counts must satisfy 2 ≤ MinCount ≤ MaxCount ≤ 8, got {MinCount}..{MaxCount}");
        if (MinNumber < 1 || MaxNumber < MinNumber || MaxNumber > 10_000) errors.Add($"numbers must satisfy 1 ≤ MinNumber ≤ MaxNumber ≤ 10000, got {MinNumber}..{MaxNumber}");
        if (MaxTarget < 1) errors.Add($"MaxTarget must be ≥ 1, got {MaxTarget}");
        if (string.IsNullOrEmpty(Operators) || Operators.Any(c => c is not ('+' or '-' or '*' or '/')))
            errors.Add($"Operators must be a non-empty subset of \"+-*/\", got \"{Operators}\"");
        if (errors.Count > 0) throw new ArgumentException("Invalid countdown options: " + string.Join("; ", errors) + ".");
    }
}

/// <summary>
/// Countdown (TinyZero): given 3–4 numbers and a target, write an expression that reaches the target using each
/// number at most once. The target is built by combining all the numbers in random order with random operators,
/// keeping every intermediate a positive integer, so each problem has a solution (metadata "solution").
/// The answer is the target; metadata "numbers" ("3,7,25") and "target" feed <see cref="Rewards.CountdownReward"/>.
/// </summary>
public sealed class CountdownTask : ISyntheticTask
{
    public CountdownTask(CountdownOptions? options = null)
    {
        Options = options ?? new CountdownOptions();
        Options.Validate();
    }

    public CountdownOptions Options { get; }

    public string Name => "countdown";

    public PromptTemplate DefaultTemplate { get; } =
        new("{question} Think in <think></think>, then give the expression in <answer></answer>, e.g. <answer>(1 + 2) * 3</answer>.\n");

    private sealed record Node(long Value, string Text, int Precedence);

    public SyntheticProblem Generate(SeededRandom rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        while (true)
        {
            int count = rng.NextInclusive(Options.MinCount, Options.MaxCount);
            var numbers = new int[count];
            for (int i = 0; i < count; i++) numbers[i] = rng.NextInclusive(Options.MinNumber, Options.MaxNumber);
            var solution = Build(numbers, rng);
            if (solution is null || solution.Value < 1 || solution.Value > Options.MaxTarget || numbers.Contains((int)solution.Value))
                continue;

            int target = (int)solution.Value;
            var list = string.Join(", ", numbers);
            var question = $"Using the numbers [{list}], create an equation that equals {target}. " +
                           "Use + - * / and each number at most once.";
            var sorted = numbers.OrderBy(x => x).ToArray();
            var metadata = new Dictionary<string, string>
            {
                ["task"] = Name,
                ["numbers"] = string.Join(",", numbers),
                ["target"] = target.ToString(CultureInfo.InvariantCulture),
                ["solution"] = solution.Text,
            };
            return new SyntheticProblem(question, metadata["target"], $"{string.Join(",", sorted)}->{target}", metadata);
        }
    }

    /// <summary>Combines random pairs from the pool until one node remains; null if no operator keeps integers positive.</summary>
    private Node? Build(int[] numbers, SeededRandom rng)
    {
        var pool = numbers.Select(n => new Node(n, n.ToString(CultureInfo.InvariantCulture), 3)).ToList();
        while (pool.Count > 1)
        {
            int i = rng.Next(pool.Count);
            int j = rng.Next(pool.Count - 1);
            if (j >= i) j++;
            var (a, b) = (pool[i], pool[j]);
            var candidates = new List<Node>();
            foreach (char op in Options.Operators)
            {
                switch (op)
                {
                    case '+': candidates.Add(Combine(a, '+', b, a.Value + b.Value)); break;
                    case '*': candidates.Add(Combine(a, '*', b, a.Value * b.Value)); break;
                    case '-':
                        if (a.Value > b.Value) candidates.Add(Combine(a, '-', b, a.Value - b.Value));
                        else if (b.Value > a.Value) candidates.Add(Combine(b, '-', a, b.Value - a.Value));
                        break;
                    case '/':
                        if (b.Value > 1 && a.Value % b.Value == 0) candidates.Add(Combine(a, '/', b, a.Value / b.Value));
                        else if (a.Value > 1 && b.Value % a.Value == 0) candidates.Add(Combine(b, '/', a, b.Value / a.Value));
                        break;
                }
            }
            if (candidates.Count == 0) return null;
            var node = candidates[rng.Next(candidates.Count)];
            if (node.Value > 1_000_000) return null;
            pool.RemoveAt(Math.Max(i, j));
            pool.RemoveAt(Math.Min(i, j));
            pool.Add(node);
        }
        return pool[0];
    }

    /// <summary>Minimal parentheses: a child binds looser than the operator, or sits right of '-' or '/' at equal precedence.</summary>
    private static Node Combine(Node left, char op, Node right, long value)
    {
        int prec = op is '+' or '-' ? 1 : 2;
        var l = left.Precedence < prec ? $"({left.Text})" : left.Text;
        var r = right.Precedence < prec || (right.Precedence == prec && op is '-' or '/') ? $"({right.Text})" : right.Text;
        return new Node(value, $"{l} {op} {r}", prec);
    }
}
