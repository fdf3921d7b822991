using System.Globalization;
using System.Text;
using Aha.Data;
using Aha.Tasks;

namespace Aha.R1Zero;

/// <summary>
/// The selfcheck task's problems: a start 10–29 and <see cref="Operations"/> numbers 1–9, each joined by − with
/// probability <see cref="SubtractionShare"/>, else + ("27-5-3="), kept when every intermediate value is ≥ 0. Mostly
/// subtraction means a chain usually meets the corpus's slip (a first attempt at a−b written as a+b) at least once, so a
/// writer who never checks is rarely right; starting from 10–29 keeps the values small and non-negative, arithmetic the
/// tiny model learns well, and two operations keep documents short enough to pretrain in about a minute.
/// </summary>
public sealed class SelfCheckProblems(int operations = 2, double subtractionShare = 0.75) : ISyntheticTask
{
    /// <summary>Numbers after the start.</summary>
    public int Operations { get; } = operations >= 1 ? operations : throw new ArgumentOutOfRangeException(nameof(operations), operations, "must be ≥ 1");

    /// <summary>Probability that an operator is −.</summary>
    public double SubtractionShare { get; } = subtractionShare is >= 0 and <= 1 ? subtractionShare
        : throw new ArgumentOutOfRangeException(nameof(subtractionShare), subtractionShare, "must be in [0, 1]");

    public string Name => "selfcheck";

    public PromptTemplate DefaultTemplate { get; } = new("{question}=");

    public SyntheticProblem Generate(SeededRandom rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        while (true)
        {
            long value = rng.NextInclusive(10, 29);
            var text = new StringBuilder(value.ToString(CultureInfo.InvariantCulture));
            bool ok = true;
            for (int i = 0; i < Operations; i++)
            {
                char op = rng.NextDouble() < SubtractionShare ? '-' : '+';
                int b = rng.NextInclusive(1, 9);
                value = op == '+' ? value + b : value - b;
                ok &= value >= 0;
                text.Append(op).Append(b.ToString(CultureInfo.InvariantCulture));
            }
            if (!ok) continue;
            var expression = text.ToString();
            var answer = value.ToString(CultureInfo.InvariantCulture);
            return new SyntheticProblem(expression, answer, expression,
                new Dictionary<string, string> { ["task"] = Name, ["expression"] = expression });
        }
    }
}
