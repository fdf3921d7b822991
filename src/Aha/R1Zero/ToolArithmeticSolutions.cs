using System.Globalization;
using Aha.Data;

namespace Aha.R1Zero;

/// <summary>
/// Solutions of the <c>tool-arithmetic</c> task as a "web" might write them: mostly a mental calculation that restates
/// the expression and guesses its value (<c>&lt;think&gt;47*38=1790&lt;/think&gt;&lt;answer&gt;1790&lt;/answer&gt;</c>), right
/// with probability <see cref="CorpusOptions.DirectCorrectRate"/> and otherwise off by 1–20; rarely (<see cref="ToolShare"/>)
/// a calculator call, its response and the answer copied from it:
/// <c>&lt;tool_call&gt;{"name":"calculator","arguments":{"expression":"47*38"}}&lt;/tool_call&gt;&lt;tool_response&gt;1786&lt;/tool_response&gt;&lt;answer&gt;1786&lt;/answer&gt;</c>.
/// In RL the response is written by the environment, never by the policy.
/// <para>Both kinds are written so that they train the same two copies at the same distances, because a call pays only
/// when its expression is the prompt's, digit for digit, and a tiny model copies reliably only what it copied in
/// most documents: the expression starts one token after the prompt (<c>&lt;think&gt;</c> and <see cref="CallOpen"/> are
/// one token each), and the answer repeats a value written two tokens before it (<c>&lt;/think&gt;&lt;answer&gt;</c>,
/// <c>&lt;/tool_response&gt;&lt;answer&gt;</c>). So every document, mostly the mental ones, teaches the copy a call needs,
/// and RL has right calls to reinforce from its first steps.</para>
/// </summary>
public sealed class ToolArithmeticSolutions(double toolShare = ToolArithmeticSolutions.DefaultToolShare) : ISolutionWriter
{
    /// <summary>Share of corpus solutions that call the calculator. The default value is 0.1.</summary>
    public const double DefaultToolShare = 0.1;

    /// <summary>A calculator call up to its expression (one token of the demo's tokenizer).</summary>
    public const string CallOpen = "<tool_call>{\"name\":\"calculator\",\"arguments\":{\"expression\":\"";

    /// <summary>A calculator call after its expression (one token of the demo's tokenizer).</summary>
    public const string CallClose = "\"}}</tool_call>";

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
        var g = Str(guess);
        return new WrittenSolution($"<think>{expression}={g}</think><answer>{g}</answer>", "mental", guess == truth, 0, 0);
    }

    /// <summary>The calculator call for <paramref name="expression"/> in the Hermes format.</summary>
    public static string Call(string expression) => $"{CallOpen}{expression}{CallClose}";

    static string Str(long v) => v.ToString(CultureInfo.InvariantCulture);
}
