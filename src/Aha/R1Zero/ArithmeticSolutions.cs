using System.Globalization;
using System.Text;
using Aha.Data;

namespace Aha.R1Zero;

/// <summary>
/// Step-by-step solutions of "+ −" chains, left to right: prompt "7+5-3=", completion
/// "&lt;think&gt;7+5=12;12-3=9&lt;/think&gt;&lt;answer&gt;9&lt;/answer&gt;". The systematic error (the habit of most of the
/// "web"): each subtraction step a−b is, with probability <see cref="CorpusOptions.ErrorRate"/>, written as a+b and
/// the chain continues from the wrong value. Direct answers (no think block) guess: right with probability
/// <see cref="CorpusOptions.DirectCorrectRate"/>, else off by 1–5.
/// </summary>
public sealed class ArithmeticSolutions : ISolutionWriter
{
    public WrittenSolution Write(PromptItem problem, SeededRandom rng, CorpusOptions options)
    {
        var (numbers, ops) = Parse(Expression(problem));
        long truth = Evaluate(numbers, ops);
        if (rng.NextDouble() < options.DirectAnswerRate)
        {
            long guess = truth;
            if (rng.NextDouble() >= options.DirectCorrectRate)
            {
                int offset = rng.NextInclusive(1, 5);
                guess = truth - offset >= 0 && rng.Next(2) == 0 ? truth - offset : truth + offset;
            }
            return new WrittenSolution($"<answer>{Str(guess)}</answer>", "direct", guess == truth, 0, 0);
        }
        var think = new StringBuilder();
        long value = numbers[0];
        int errors = 0, eligible = 0;
        for (int i = 0; i < ops.Length; i++)
        {
            char op = ops[i];
            if (op == '-')
            {
                eligible++;
                if (rng.NextDouble() < (options.ErrorRate ?? CorpusOptions.ArithmeticErrorRate)) { op = '+'; errors++; }
            }
            long next = op == '+' ? value + numbers[i + 1] : value - numbers[i + 1];
            if (i > 0) think.Append(';');
            think.Append(Str(value)).Append(op).Append(Str(numbers[i + 1])).Append('=').Append(Str(next));
            value = next;
        }
        return new WrittenSolution($"<think>{think}</think><answer>{Str(value)}</answer>",
            errors > 0 ? "error" : "correct", value == truth, errors, eligible);
    }

    /// <summary>The expression of a problem: metadata "expression", else the prompt without a trailing '='.</summary>
    public static string Expression(PromptItem problem) =>
        problem.Metadata.TryGetValue("expression", out var e) ? e.Replace(" ", "") : problem.Prompt.TrimEnd().TrimEnd('=');

    /// <summary>"7+5-3" → ([7, 5, 3], ['+', '-']). Only + and − (left to right).</summary>
    public static (long[] Numbers, char[] Ops) Parse(string expression)
    {
        var numbers = new List<long>();
        var ops = new List<char>();
        int i = 0;
        while (i < expression.Length)
        {
            int start = i;
            while (i < expression.Length && char.IsAsciiDigit(expression[i])) i++;
            if (i == start) throw new ArgumentException($"Expected a number at index {start} of \"{expression}\".", nameof(expression));
            numbers.Add(long.Parse(expression[start..i], CultureInfo.InvariantCulture));
            if (i == expression.Length) break;
            if (expression[i] is not ('+' or '-'))
                throw new ArgumentException($"Expected '+' or '-' at index {i} of \"{expression}\", got '{expression[i]}'.", nameof(expression));
            ops.Add(expression[i++]);
        }
        if (ops.Count != numbers.Count - 1) throw new ArgumentException($"\"{expression}\" ends with an operator.", nameof(expression));
        return (numbers.ToArray(), ops.ToArray());
    }

    static long Evaluate(long[] numbers, char[] ops)
    {
        long v = numbers[0];
        for (int i = 0; i < ops.Length; i++) v = ops[i] == '+' ? v + numbers[i + 1] : v - numbers[i + 1];
        return v;
    }

    static string Str(long v) => v.ToString(CultureInfo.InvariantCulture);
}
