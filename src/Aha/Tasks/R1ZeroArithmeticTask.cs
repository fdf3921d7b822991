using System.Globalization;
using System.Text;
using Aha.Data;

namespace Aha.Tasks;

/// <summary>
/// The problems of <c>aha r1zero</c>'s arithmetic task, as a data task (<c>data.task: r1zero-arithmetic</c>): three
/// single-digit numbers joined by + and − with a result ≥ 0, prompted as <c>7+5-3=</c> — the format a
/// <c>model.pretrain</c> base was pretrained on. Metadata gains <c>steps</c>, the left-to-right chain
/// (<c>7+5=12;12-3=9</c>), which a cold start writes inside &lt;think&gt;.
/// <para>The first <see cref="HeldOutProblems"/> test problems of a seed are always set aside, however few a split
/// asks for: they are the held-out set the base of that seed never saw in its corpus, so no train split of any
/// recipe stage contains one, and every eval split (its first <c>eval_size</c>) is held out from pretraining too.</para>
/// </summary>
public sealed class R1ZeroArithmeticTask : ISyntheticTask
{
    /// <summary>The data task's name.</summary>
    public const string TaskName = "r1zero-arithmetic";

    /// <summary>Held-out problems of <c>aha r1zero</c> (its <c>--test-problems</c> default), kept out of every corpus and train split.</summary>
    public const int HeldOutProblems = 500;

    /// <summary>The problem shape: a∘b∘c with digits 0–9, ∘ ∈ {+, −}.</summary>
    public static ArithmeticOptions Shape { get; } = new() { MinOperands = 3, MaxOperands = 3, MinDigits = 1, MaxDigits = 1, Operators = "+-" };

    /// <summary>The prompt: the expression and '=', as in the pretraining corpus.</summary>
    public static PromptTemplate Template { get; } = new("{question}=");

    readonly ArithmeticTask _inner = new(Shape);

    /// <summary>"arithmetic": the same problems, keys and ids as r1zero's arithmetic task.</summary>
    public string Name => _inner.Name;

    public PromptTemplate DefaultTemplate => Template;

    public int ReservedTestProblems => HeldOutProblems;

    public SyntheticProblem Generate(SeededRandom rng)
    {
        var p = _inner.Generate(rng);
        var metadata = new Dictionary<string, string>(p.Metadata) { ["steps"] = Steps(p.Question) };
        return p with { Metadata = metadata };
    }

    /// <summary>"7+5-3" → "7+5=12;12-3=9": each operation on the running value, left to right.</summary>
    public static string Steps(string expression)
    {
        var steps = new StringBuilder();
        int i = 0;
        long value = Number(expression, ref i);
        while (i < expression.Length)
        {
            char op = expression[i++];
            long operand = Number(expression, ref i);
            long next = op == '+' ? value + operand : value - operand;
            if (steps.Length > 0) steps.Append(';');
            steps.Append(Str(value)).Append(op).Append(Str(operand)).Append('=').Append(Str(next));
            value = next;
        }
        return steps.ToString();
    }

    static long Number(string s, ref int i)
    {
        int start = i;
        while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
        return long.Parse(s.AsSpan(start, i - start), CultureInfo.InvariantCulture);
    }

    static string Str(long v) => v.ToString(CultureInfo.InvariantCulture);
}
