using System.Globalization;
using System.Text;
using Aha.Data;

namespace Aha.R1Zero;

/// <summary>
/// Step-by-step solutions of "+ −" chains where a few writers check their work — the latent behaviour RL can amplify.
/// Every writer slips on subtraction: a first attempt at a−b gets the result of a+b with probability
/// <see cref="CorpusOptions.ErrorRate"/> (<c>12-3=15</c>). Most writers (<c>plain</c>) never look back, so mistakes are
/// common. A few (<see cref="CorpusOptions.CheckRate"/> of the think documents, <c>checked</c>) check every step right
/// after writing it:
/// <list type="bullet">
/// <item>a right step is recomputed and agrees: <c>12-3=9 check 12-3=9</c>;</item>
/// <item>a slip is caught with probability <see cref="CorpusOptions.CatchRate"/> and the step redone, the chain
/// continuing from the redone value: <c>12-3=15 wait 12-3=9</c>;</item>
/// <item>a missed slip is "checked" by copying what was written, which agrees (checks are not always right):
/// <c>12-3=15 check 12-3=15</c>.</item>
/// </list>
/// Everything a check needs is in the step just written (the operands, the operator, the result), so the check is a
/// short local pattern a 3-layer model can execute: copy the step, and after <c>wait</c> compute it again. Checking
/// documents are rare, longer, and far more often right than plain ones, which is what makes GRPO's advantage favour
/// them once the policy samples them. Facts (<see cref="CorpusOptions.FactRate"/>) are single right steps under their own
/// prompt, so the model can compute the redo; direct answers (no think block) guess as in <see cref="ArithmeticSolutions"/>.
/// </summary>
public sealed class SelfCheckSolutions : ISolutionWriter
{
    /// <summary>The verification marker (one token of the demo's tokenizer, as a BPE vocabulary would merge it).</summary>
    public const string Check = " check ";

    /// <summary>The self-correction marker (one token of the demo's tokenizer).</summary>
    public const string Wait = " wait ";

    public WrittenSolution Write(PromptItem problem, SeededRandom rng, CorpusOptions options)
    {
        var (numbers, ops) = ArithmeticSolutions.Parse(ArithmeticSolutions.Expression(problem));
        long truth = numbers[0];
        for (int i = 0; i < ops.Length; i++) truth = Apply(truth, ops[i], numbers[i + 1]);
        if (rng.NextDouble() < options.FactRate)
        {
            // One step of the right chain, worked under its own prompt: the differences a redo after "wait" needs.
            int step = rng.Next(ops.Length);
            long a = numbers[0];
            for (int i = 0; i < step; i++) a = Apply(a, ops[i], numbers[i + 1]);
            long result = Apply(a, ops[step], numbers[step + 1]);
            return new WrittenSolution($"<think>{Step(a, ops[step], numbers[step + 1], result)}</think><answer>{Str(result)}</answer>",
                "fact", true, 0, 0, Prompt: $"{Str(a)}{ops[step]}{Str(numbers[step + 1])}=");
        }
        if (rng.NextDouble() < options.DirectAnswerRate)
        {
            long guess = truth;
            if (rng.NextDouble() >= options.DirectCorrectRate) guess = truth + (rng.Next(2) == 0 ? -1 : 1) * rng.NextInclusive(1, 5);
            return new WrittenSolution($"<answer>{Str(guess)}</answer>", "direct", guess == truth, 0, 0);
        }
        bool checks = rng.NextDouble() < options.CheckRate;
        double errorRate = options.ErrorRate ?? CorpusOptions.SelfCheckErrorRate;
        var think = new StringBuilder();
        long value = numbers[0];
        int errors = 0, eligible = 0;
        for (int i = 0; i < ops.Length; i++)
        {
            char op = ops[i];
            long b = numbers[i + 1];
            long right = Apply(value, op, b), written = right;
            if (op == '-')
            {
                eligible++;
                if (rng.NextDouble() < errorRate) { written = value + b; errors++; }
            }
            if (i > 0) think.Append(';');
            think.Append(Step(value, op, b, written));
            if (checks)
            {
                if (written != right && rng.NextDouble() < options.CatchRate)
                {
                    think.Append(Wait).Append(Step(value, op, b, right));
                    written = right;
                }
                else
                    think.Append(Check).Append(Step(value, op, b, written));
            }
            value = written;
        }
        string kind = checks ? "checked" : errors > 0 ? "error" : "correct";
        return new WrittenSolution($"<think>{think}</think><answer>{Str(value)}</answer>", kind, value == truth, errors, eligible);
    }

    static long Apply(long a, char op, long b) => op == '+' ? a + b : a - b;

    static string Step(long a, char op, long b, long result) => $"{Str(a)}{op}{Str(b)}={Str(result)}";

    static string Str(long v) => v.ToString(CultureInfo.InvariantCulture);
}
