using System.Globalization;
using System.Text;
using Aha.Data;

namespace Aha.Tasks;

/// <summary>Difficulty of <see cref="ArithmeticTask"/>.</summary>
public sealed record ArithmeticOptions
{
    /// <summary>Fewest numbers in an expression. Default 2.</summary>
    public int MinOperands { get; init; } = 2;

    /// <summary>Most numbers in an expression. Default 3.</summary>
    public int MaxOperands { get; init; } = 3;

    /// <summary>Fewest digits per number. Default 1.</summary>
    public int MinDigits { get; init; } = 1;

    /// <summary>Most digits per number. Default 2.</summary>
    public int MaxDigits { get; init; } = 2;

    /// <summary>Operators drawn from, any of "+-*". Default "+-". '*' binds tighter, as usual.</summary>
    public string Operators { get; init; } = "+-";

    /// <summary>Allow a negative result. Default false (problems with one are redrawn).</summary>
    public bool AllowNegative { get; init; }

    /// <summary>Spaces around operators ("12 + 7") or not ("12+7", shorter for character-level models). Default false.</summary>
    public bool Spaces { get; init; }

    /// <summary>
    /// A ladder of presets: 1 = a+b with 1-digit numbers; 2 = 2–3 numbers of 1–2 digits, + −; 3 = 3–4 numbers of
    /// 2 digits, + −; 4 = 3–5 numbers of 1–3 digits, + − ×; 5 = 4–6 numbers of 2–3 digits, + − ×.
    /// </summary>
    public static ArithmeticOptions ForDifficulty(int level) => level switch
    {
        1 => new() { MinOperands = 2, MaxOperands = 2, MinDigits = 1, MaxDigits = 1, Operators = "+" },
        2 => new(),
        3 => new() { MinOperands = 3, MaxOperands = 4, MinDigits = 2, MaxDigits = 2 },
        4 => new() { MinOperands = 3, MaxOperands = 5, MinDigits = 1, MaxDigits = 3, Operators = "+-*" },
        5 => new() { MinOperands = 4, MaxOperands = 6, MinDigits = 2, MaxDigits = 3, Operators = "+-*" },
        _ => throw new ArgumentException($"Arithmetic difficulty must be 1..5, got {level}.", nameof(level)),
    };

    internal void Validate()
    {
        var errors = new List<string>();
        if (MinOperands < 2 || MaxOperands < MinOperands) errors.Add($"operands must satisfy 2 ≤ MinOperands ≤ MaxOperands, got {MinOperands}..{MaxOperands}");
        if (MinDigits < 1 || MaxDigits < MinDigits || MaxDigits > 9) errors.Add($"digits must satisfy 1 ≤ MinDigits ≤ MaxDigits ≤ 9, got {MinDigits}..{MaxDigits}");
        if (string.IsNullOrEmpty(Operators) || Operators.Any(c => c is not ('+' or '-' or '*')))
            errors.Add($"Operators must be a non-empty subset of \"+-*\", got \"{Operators}\"");
        if (errors.Count > 0) throw new ArgumentException("Invalid arithmetic options: " + string.Join("; ", errors) + ".");
    }
}

/// <summary>
/// Multi-step integer expressions such as "12+7-3" with their exact value as the answer. Metadata: "task",
/// "expression", "operands".
/// </summary>
public sealed class ArithmeticTask : ISyntheticTask
{
    public ArithmeticTask(ArithmeticOptions? options = null)
    {
        Options = options ?? new ArithmeticOptions();
        Options.Validate();
    }

    public ArithmeticOptions Options { get; }

    public string Name => "arithmetic";

    public PromptTemplate DefaultTemplate { get; } =
        new("Compute {question}. Think in <think></think>, then answer in <answer></answer>.\n");

    public SyntheticProblem Generate(SeededRandom rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        while (true)
        {
            int count = rng.NextInclusive(Options.MinOperands, Options.MaxOperands);
            var numbers = new long[count];
            var ops = new char[count - 1];
            for (int i = 0; i < count; i++)
            {
                int digits = rng.NextInclusive(Options.MinDigits, Options.MaxDigits);
                long lo = digits == 1 ? 0 : Pow10(digits - 1);
                numbers[i] = rng.NextInclusive((int)lo, (int)(Pow10(digits) - 1));
            }
            for (int i = 0; i < ops.Length; i++) ops[i] = Options.Operators[rng.Next(Options.Operators.Length)];
            long value = Evaluate(numbers, ops);
            if (value < 0 && !Options.AllowNegative) continue;

            var sep = Options.Spaces ? " " : "";
            var expr = new StringBuilder().Append(numbers[0].ToString(CultureInfo.InvariantCulture));
            for (int i = 0; i < ops.Length; i++)
                expr.Append(sep).Append(ops[i]).Append(sep).Append(numbers[i + 1].ToString(CultureInfo.InvariantCulture));
            var text = expr.ToString();
            var answer = value.ToString(CultureInfo.InvariantCulture);
            var metadata = new Dictionary<string, string>
            {
                ["task"] = Name,
                ["expression"] = text,
                ["operands"] = count.ToString(CultureInfo.InvariantCulture),
            };
            return new SyntheticProblem(text, answer, text.Replace(" ", ""), metadata);
        }
    }

    /// <summary>Standard precedence: products first, then left-to-right sums and differences.</summary>
    internal static long Evaluate(IReadOnlyList<long> numbers, IReadOnlyList<char> ops)
    {
        var terms = new List<long> { numbers[0] };
        var signs = new List<int> { 1 };
        for (int i = 0; i < ops.Count; i++)
        {
            if (ops[i] == '*') terms[^1] *= numbers[i + 1];
            else
            {
                terms.Add(numbers[i + 1]);
                signs.Add(ops[i] == '+' ? 1 : -1);
            }
        }
        long sum = 0;
        for (int i = 0; i < terms.Count; i++) sum += signs[i] * terms[i];
        return sum;
    }

    private static long Pow10(int n)
    {
        long p = 1;
        for (int i = 0; i < n; i++) p *= 10;
        return p;
    }
}
