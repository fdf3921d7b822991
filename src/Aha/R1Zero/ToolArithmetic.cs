using Aha.Data;
using Aha.Environments;
using Aha.Rewards;
using Aha.Tasks;
using Aha.Tools;

namespace Aha.R1Zero;

/// <summary>
/// The <c>tool-arithmetic</c> task of <c>aha r1zero</c>: problems a small model cannot do in its head — half
/// 2-digit × 2-digit products ("47*38="), half sums of three 3-digit numbers ("123+456+789=") — with a calculator in
/// the environment (<see cref="ToolEnvironment"/>, raw turns). The corpus calls the tool rarely and guesses often
/// wrongly (<see cref="ToolArithmeticSolutions"/>); rewarded only for correct answers, RL has to discover that calling
/// the tool pays. The tokenizer makes the response tags and each of the call's two fixed parts (tag and JSON around the
/// expression) single tokens, as a BPE vocabulary merges frequent strings: a call costs its expression and two tokens,
/// and its expression starts at the same distance from the prompt as the mental documents' restatement
/// (<see cref="ToolArithmeticSolutions"/>). Correctness is the only reward (no format bonus: the think-and-answer
/// format would pay mental answers and not calls).
/// </summary>
public static class ToolArithmetic
{
    /// <summary>Tokens the demo's character tokenizer matches atomically, besides its defaults.</summary>
    public static readonly IReadOnlyList<string> AddedTokens =
        [ToolArithmeticSolutions.CallOpen, ToolArithmeticSolutions.CallClose, "<tool_response>", "</tool_response>"];

    /// <summary>Policy turns per episode: a call, then the answer (a third turn allows one retry).</summary>
    public const int MaxTurns = 3;

    public static R1ZeroTask Create(int trainCount, int testCount, long seed)
    {
        var split = TaskDatasets.Generate(new Problems(), trainCount, testCount, seed, new PromptTemplate("{question}="));
        var tools = new ToolBox([new CalculatorTool()]);
        var environment = new MultiTurnEnvironment(new ToolEnvironmentFactory(tools, ToolEnvironment.RawPrompt), RawTurnFormat.Instance,
            new MultiTurnOptions { MaxTurns = MaxTurns, MaxTotalTokens = 256 });
        return new R1ZeroTask("tool-arithmetic", split.Train, split.Test, new ToolArithmeticSolutions(), new MathReward("math", AnswerSources.AnswerTag),
            "2-digit products and sums of three 3-digit numbers (e.g. 47*38=), with a calculator tool the corpus rarely calls")
        {
            Environment = environment,
            AddedTokens = AddedTokens,
            FormatBonus = 0,
            // tool errors ("error: cannot evaluate …") are observations the policy must be able to read
            ExtraCharacters = new string(Enumerable.Range(32, 95).Select(c => (char)c).ToArray()),
        };
    }

    /// <summary>Half products of two 2-digit numbers, half sums of three 3-digit numbers.</summary>
    sealed class Problems : ISyntheticTask
    {
        readonly ArithmeticTask _products = new(new ArithmeticOptions { MinOperands = 2, MaxOperands = 2, MinDigits = 2, MaxDigits = 2, Operators = "*" });
        readonly ArithmeticTask _sums = new(new ArithmeticOptions { MinOperands = 3, MaxOperands = 3, MinDigits = 3, MaxDigits = 3, Operators = "+" });

        public string Name => "tool-arithmetic";

        public PromptTemplate DefaultTemplate => new("{question}=");

        public SyntheticProblem Generate(SeededRandom rng) => rng.Next(2) == 0 ? _products.Generate(rng) : _sums.Generate(rng);
    }
}
