using System.Globalization;
using Aha.Data;

namespace Aha.R1Zero;

/// <summary>
/// Solutions of the <c>tool-arithmetic</c> task as a "web" might write them: mostly a mental answer given straight away
/// (<c>&lt;answer&gt;1786&lt;/answer&gt;</c>), right with probability <see cref="CorpusOptions.DirectCorrectRate"/> and
/// otherwise off by 1–20; rarely (<see cref="ToolShare"/>) a calculator call, its response and the answer copied from it:
/// <c>&lt;tool_call&gt;{"name":"calculator","arguments":{"expression":"47*38"}}&lt;/tool_call&gt;&lt;tool_response&gt;1786&lt;/tool_response&gt;&lt;answer&gt;1786&lt;/answer&gt;</c>.
/// In RL the response is written by the environment, never by the policy.
/// </summary>
public sealed class ToolArithmeticSolutions(double toolShare = ToolArithmeticSolutions.DefaultToolShare) : ISolutionWriter
{
    /// <summary>Share of corpus solutions that call the calculator. The default value is 0.1.</summary>
    public const double DefaultToolShare = 0.1;

    /// <summary>The fixed part of a calculator call before the expression (one token of the demo's tokenizer).</summary>
    public const string CallPrefix = "{\"name\":\"calculator\",\"arguments\":{\"expression\":\"";

    /// <summary>The fixed part after the expression (one token of the demo's tokenizer).</summary>
    public const string CallSuffix = "\"}}";

    public double ToolShare { get; } = toolShare is >= 0 and <= 1 ? toolShare
        : throw new ArgumentOutOfRangeException(nameof(toolShare), toolShare, "The tool share must be in [0, 1].");

    public WrittenSolution Write(PromptItem problem, SeededRandom rng, CorpusOptions options)
    {
        var expression = ArithmeticSolutions.Expression(problem);
        long truth = long.Parse(problem.Answer ?? throw new ArgumentException($"Problem '{problem.Id}' has no answer.", nameof(problem)), CultureInfo.InvariantCulture);
        if (rng.NextDouble() < ToolShare)
        {
            var value = Str(truth);
            return new WrittenSolution($"{Call(expression)}<tool_response>{value}</tool_response><answer>{value}</answer>", "tool", true, 0, 0);
        }
        long guess = truth;
        if (rng.NextDouble() >= options.DirectCorrectRate)
        {
            int offset = rng.NextInclusive(1, 20);
            guess = truth - offset >= 0 && rng.Next(2) == 0 ? truth - offset : truth + offset;
        }
        return new WrittenSolution($"<answer>{Str(guess)}</answer>", "direct", guess == truth, 0, 0);
    }

    /// <summary>The calculator call for <paramref name="expression"/> in the Hermes format.</summary>
    public static string Call(string expression) => $"<tool_call>{CallPrefix}{expression}{CallSuffix}</tool_call>";

    static string Str(long v) => v.ToString(CultureInfo.InvariantCulture);
}
