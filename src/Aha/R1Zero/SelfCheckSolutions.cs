using System.Globalization;
using System.Text;
using Aha.Data;

namespace Aha.R1Zero;

/// <summary>
/// Step-by-step solutions of "+ −" chains where a few writers check their work — the latent behaviour RL can amplify.
/// Every writer makes the systematic sign error: a first attempt at a subtraction a−b is written as a+b with probability
/// <see cref="CorpusOptions.ErrorRate"/>. Most writers (<c>plain</c>) never look back, so mistakes are common. A few
/// (<see cref="CorpusOptions.CheckRate"/> of the think documents, <c>checked</c>) check every step against the prompt:
/// <list type="bullet">
/// <item>a right step is recomputed from the prompt and agrees: <c>12-3=9 check 12-3=9</c>;</item>
/// <item>a wrong step is caught with probability <see cref="CorpusOptions.CatchRate"/> and redone with the prompt's
/// operator, the chain continuing from the redone value: <c>12+3=15 wait 12-3=9</c>;</item>
/// <item>a missed one is "verified" by recomputing what was written, which agrees (checks are not always right):
/// <c>12+3=15 check 12+3=15</c>.</item>
/// </list>
/// So checking documents are rare, longer, and far more often right than plain ones, which is what makes GRPO's
/// advantage favour them once the policy samples them. Direct answers (no think block) guess as in
/// <see cref="ArithmeticSolutions"/>.
/// </summary>
public sealed class SelfCheckSolutions : ISolutionWriter
{
    public WrittenSolution Write(PromptItem problem, SeededRandom rng, CorpusOptions options)
    {
        var (numbers, ops) = ArithmeticSolutions.Parse(ArithmeticSolutions.Expression(problem));
        long truth = numbers[0];
        for (int i = 0; i < ops.Length; i++) truth = Apply(truth, ops[i], numbers[i + 1]);
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
            if (op == '-')
            {
                eligible++;
                if (rng.NextDouble() < errorRate) { op = '+'; errors++; }
            }
            long next = Apply(value, op, b);
            if (i > 0) think.Append(';');
            think.Append(Step(value, op, b, next));
            if (checks)
            {
                if (op != ops[i] && rng.NextDouble() < options.CatchRate)
                {
                    next = Apply(value, ops[i], b);
                    think.Append(" wait ").Append(Step(value, ops[i], b, next));
                }
                else
                    think.Append(" check ").Append(Step(value, op, b, next));
            }
            value = next;
        }
        string kind = checks ? "checked" : errors > 0 ? "error" : "correct";
        return new WrittenSolution($"<think>{think}</think><answer>{Str(value)}</answer>", kind, value == truth, errors, eligible);
    }

    static long Apply(long a, char op, long b) => op == '+' ? a + b : a - b;

    static string Step(long a, char op, long b, long result) => $"{Str(a)}{op}{Str(b)}={Str(result)}";

    static string Str(long v) => v.ToString(CultureInfo.InvariantCulture);
}
