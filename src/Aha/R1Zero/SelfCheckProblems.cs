using System.Globalization;
using System.Text;
using Aha.Data;
using Aha.Tasks;

namespace Aha.R1Zero;

/// <summary>
/// The selfcheck task's problems: a start 10–29 and three numbers 1–9, each joined by − with probability 2/3, else +
/// ("27-5-3+4="), kept when every intermediate value is ≥ 0. Two-thirds subtraction means a chain usually meets the
/// systematic error two or three times, so a writer who never checks is almost never right; starting from 10–29 keeps
/// the values small and non-negative, arithmetic the tiny model learns well.
/// </summary>
public sealed class SelfCheckProblems : ISyntheticTask
{
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
            for (int i = 0; i < 3; i++)
            {
                char op = rng.Next(3) == 0 ? '+' : '-';
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
