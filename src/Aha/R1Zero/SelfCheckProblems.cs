using System.Globalization;
using System.Text;
using Aha.Data;
using Aha.Tasks;

namespace Aha.R1Zero;

/// <summary>
/// The selfcheck task's problems: <see cref="Operations"/> + 1 digits 0–9 joined by + or − ("7-3+5="), kept when at
/// least one operator is − and every intermediate value is ≥ 0. Every problem meets the corpus's slip (a first attempt
/// at a−b written with a+b's value), so a writer who never checks is usually wrong; the steps are single-digit
/// arithmetic with values ≤ 18 — the arithmetic the tiny model learns to compute reliably, so it can also redo a step.
/// </summary>
public sealed class SelfCheckProblems(int operations = 2) : ISyntheticTask
{
    /// <summary>Numbers after the first.</summary>
    public int Operations { get; } = operations >= 1 ? operations : throw new ArgumentOutOfRangeException(nameof(operations), operations, "must be ≥ 1");

    public string Name => "selfcheck";

    public PromptTemplate DefaultTemplate { get; } = new("{question}=");

    public SyntheticProblem Generate(SeededRandom rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        while (true)
        {
            long value = rng.NextInclusive(0, 9);
            var text = new StringBuilder(value.ToString(CultureInfo.InvariantCulture));
            bool ok = true, subtracts = false;
            for (int i = 0; i < Operations; i++)
            {
                char op = rng.Next(2) == 0 ? '+' : '-';
                int b = rng.NextInclusive(0, 9);
                subtracts |= op == '-';
                value = op == '+' ? value + b : value - b;
                ok &= value >= 0;
                text.Append(op).Append(b.ToString(CultureInfo.InvariantCulture));
            }
            if (!ok || !subtracts) continue;
            var expression = text.ToString();
            var answer = value.ToString(CultureInfo.InvariantCulture);
            return new SyntheticProblem(expression, answer, expression,
                new Dictionary<string, string> { ["task"] = Name, ["expression"] = expression });
        }
    }

    /// <summary>How many distinct problems <see cref="Generate"/> can draw, by enumeration.</summary>
    public int DistinctProblems()
    {
        int count = 0;
        int total = (int)Math.Pow(10, Operations + 1), opsCount = 1 << Operations;
        for (int digits = 0; digits < total; digits++)
            for (int ops = 1; ops < opsCount; ops++)   // bit i set: operator i is −; 0 (all +) has no subtraction
            {
                int d = digits;
                long value = d % 10;
                bool ok = true;
                for (int i = 0; i < Operations; i++)
                {
                    d /= 10;
                    value += (ops >> i & 1) == 1 ? -(d % 10) : d % 10;
                    ok &= value >= 0;
                }
                if (ok) count++;
            }
        return count;
    }
}
