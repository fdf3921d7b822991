using Aha.Data;
using Aha.Environments;
using Aha.Rewards;
using Aha.Tasks;

namespace Aha.R1Zero;

/// <summary>A built-in task as the demo uses it: short character-level prompts, a solution writer and a verifier.</summary>
/// <param name="MaxNewTokens">Completion budget that fits the task's longest written solutions.</param>
public sealed record R1ZeroTask(string Name, IReadOnlyList<PromptItem> Train, IReadOnlyList<PromptItem> Test,
    ISolutionWriter Writer, IRewardFunction Correctness, string Description, int MaxNewTokens = 48)
{
    /// <summary>Multi-turn environments (tools) that rollouts and evaluation run in; null: single-turn.</summary>
    public MultiTurnEnvironment? Environment { get; init; }

    /// <summary>Strings the character tokenizer matches atomically besides its defaults.</summary>
    public IReadOnlyList<string> AddedTokens { get; init; } = [];

    /// <summary>Characters the tokenizer must know beyond the corpus's (e.g. those of tool error messages).</summary>
    public string ExtraCharacters { get; init; } = "";
}

/// <summary>The built-in tasks of <c>aha r1zero</c>.</summary>
public static class R1ZeroTasks
{
    /// <summary>The task names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["arithmetic", "selfcheck", "countdown", "tool-arithmetic"];

    /// <summary>
    /// <c>selfcheck</c>: <see cref="SelfCheckProblems"/> ("27-5-3+4="), written by <see cref="SelfCheckSolutions"/>. <c>arithmetic</c>: 3 single-digit numbers with + and − ("7+5-3="; 2,890 distinct problems with a non-negative
    /// result). <c>countdown</c>: 3 numbers 1–20 and a target reachable with + and − ("3,7,12>8=", answer an
    /// expression). Test problems come first from their own seeded stream; train problems exclude them.
    /// </summary>
    public static R1ZeroTask Create(string name, int trainCount, int testCount, long seed) => name switch
    {
        "selfcheck" => SelfCheck(trainCount, testCount, seed),
        "arithmetic" => Arithmetic(trainCount, testCount, seed),
        "countdown" => Countdown(trainCount, testCount, seed),
        "tool-arithmetic" => ToolArithmetic.Create(trainCount, testCount, seed),
        _ => throw new ArgumentException($"Unknown r1zero task '{name}'; known: {string.Join(", ", Names)}.", nameof(name)),
    };

    static R1ZeroTask SelfCheck(int trainCount, int testCount, long seed)
    {
        var split = TaskDatasets.Generate(new SelfCheckProblems(), trainCount, testCount, seed, new PromptTemplate("{question}="));
        return new R1ZeroTask("selfcheck", split.Train, split.Test, new SelfCheckSolutions(), new MathReward("math", AnswerSources.AnswerTag),
            "a start 10–29 and three numbers 1–9 joined by + and − (e.g. 27-5-3+4=), solved left to right; a few writers check each step", MaxNewTokens: 96);
    }

    static R1ZeroTask Arithmetic(int trainCount, int testCount, long seed)
    {
        var task = new ArithmeticTask(new ArithmeticOptions { MinOperands = 3, MaxOperands = 3, MinDigits = 1, MaxDigits = 1, Operators = "+-" });
        var split = TaskDatasets.Generate(task, Math.Min(trainCount, 2890 - testCount), testCount, seed, new PromptTemplate("{question}="));
        return new R1ZeroTask("arithmetic", split.Train, split.Test, new ArithmeticSolutions(), new MathReward("math", AnswerSources.AnswerTag),
            "three single-digit numbers joined by + and − (e.g. 7+5-3=), solved left to right");
    }

    static R1ZeroTask Countdown(int trainCount, int testCount, long seed)
    {
        var task = new CountdownTask(new CountdownOptions { MinCount = 3, MaxCount = 3, MaxNumber = 20, MaxTarget = 60, Operators = "+-" });
        var split = TaskDatasets.Generate(task, trainCount, testCount, seed);
        static PromptItem Short(PromptItem p) => p with { Prompt = $"{p.Metadata["numbers"]}>{p.Metadata["target"]}=" };
        return new R1ZeroTask("countdown", split.Train.Select(Short).ToList(), split.Test.Select(Short).ToList(),
            new CountdownSolutions("+-"), new CountdownReward(formatScore: 0, name: "countdown"),
            "three numbers 1–20 and a target (e.g. 3,7,12>8=): write an expression with + and − that uses each number once");
    }
}
