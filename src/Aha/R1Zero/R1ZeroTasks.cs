using Aha.Data;
using Aha.Environments;
using Aha.Rewards;
using Aha.Tasks;

namespace Aha.R1Zero;

/// <summary>A built-in task as the demo uses it: short character-level prompts, a solution writer and a verifier.</summary>
/// <param name="MaxNewTokens">Completion budget that fits the task's longest written solutions.</param>
public sealed record R1ZeroTask(string Name, IReadOnlyList<PromptItem> Train, IReadOnlyList<PromptItem> Test,
    ISolutionWriter Writer, IRewardFunction Correctness, string Description, int MaxNewTokens = R1ZeroTask.DefaultMaxNewTokens)
{
    /// <summary>Completion budget of a task that names none, and of a data file.</summary>
    public const int DefaultMaxNewTokens = 48;

    /// <summary>Weight of the think-and-answer format reward when <c>rl.format_bonus</c> is null (DeepSeek-R1's bonus).</summary>
    public const double DefaultFormatBonus = 0.1;

    /// <summary>The task's format bonus (<see cref="DefaultFormatBonus"/>, or 0 where that format is not what a right answer looks like).</summary>
    public double FormatBonus { get; init; } = DefaultFormatBonus;

    /// <summary>
    /// RL learning rate when <c>rl.learning_rate</c> is null: <see cref="DefaultLearningRate"/>, or lower for a task whose
    /// completions carry tokens the reward never sees but the behaviour needs (countdown's worked values), which drift at
    /// the default rate before the behaviour is learnt.
    /// </summary>
    public double LearningRate { get; init; } = DefaultLearningRate;

    /// <summary>The learning rate of a task that names none, and of a data file.</summary>
    public const double DefaultLearningRate = 5e-4;

    /// <summary>On-policy preset when <c>rl.preset</c> is null: grpo, or the one under which the task's behaviour emerges.</summary>
    public string Preset { get; init; } = DefaultPreset;

    /// <summary>The preset of a task that names none, and of a data file.</summary>
    public const string DefaultPreset = "grpo";

    /// <summary>Multi-turn environments (tools) that rollouts and evaluation run in; null: single-turn.</summary>
    public MultiTurnEnvironment? Environment { get; init; }

    /// <summary>Strings the character tokenizer matches atomically besides its defaults.</summary>
    public IReadOnlyList<string> AddedTokens { get; init; } = [];

    /// <summary>Characters the tokenizer must know beyond the corpus's (e.g. those of tool error messages).</summary>
    public string ExtraCharacters { get; init; } = "";

    /// <summary>
    /// Solved by trial and error (countdown): the summary counts attempts per completion and the report shows
    /// completions whose search went on after a miss and found a solution (<see cref="CountdownSearch"/>).
    /// </summary>
    public bool Searches { get; init; }
}

/// <summary>The built-in tasks of <c>aha r1zero</c>.</summary>
public static class R1ZeroTasks
{
    /// <summary>The task names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["arithmetic", "selfcheck", "countdown", "tool-arithmetic"];

    /// <summary>
    /// <c>selfcheck</c>: <see cref="SelfCheckProblems"/> ("7-3+5="), written by <see cref="SelfCheckSolutions"/>.
    /// <c>arithmetic</c>: 3 single-digit numbers with + and − ("7+5-3="; <see cref="DistinctProblems"/> counts those with
    /// a non-negative result). <c>countdown</c>: 3 numbers 1–20 and a target reachable with + and − ("3,7,12>8=", answer an
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
        var task = new SelfCheckProblems();
        var split = TaskDatasets.Generate(task, Math.Min(trainCount, DistinctProblems("selfcheck") - testCount), testCount, seed, task.DefaultTemplate);
        return new R1ZeroTask("selfcheck", split.Train, split.Test, new SelfCheckSolutions(), new MathReward("math", AnswerSources.AnswerTag),
            "three digits joined by + and −, at least one − (e.g. 7-3+5=), solved left to right; a few writers check each step")
        {
            AddedTokens = [SelfCheckSolutions.Check, SelfCheckSolutions.Wait],
            // Under GRPO checking rises for ~70 steps, then the policy learns not to slip and drops it (docs/r1zero.md): its
            // 1/|o| per-sequence normalisation gives a short right completion a larger update per token than a right one that
            // checks (the length bias of Liu et al. 2025). Dr. GRPO removes that normalisation and the std scaling; checking stays.
            Preset = "dr_grpo",
        };
    }

    static readonly ArithmeticOptions ArithmeticShape = R1ZeroArithmeticTask.Shape;
    static readonly CountdownOptions CountdownShape = new() { MinCount = 3, MaxCount = 3, MaxNumber = 20, MaxTarget = 60, Operators = "+-" };

    /// <summary>
    /// How many distinct problems a task can draw (the test and train sets together cannot exceed it), counted by
    /// enumerating the task's space: arithmetic, every a∘b∘c with digits 0–9, ∘ ∈ {+, −} and a result ≥ 0; selfcheck,
    /// those with at least one − and every intermediate value ≥ 0;
    /// countdown, every (sorted numbers, target) pair the generator can reach.
    /// </summary>
    public static int DistinctProblems(string name) => name switch
    {
        "arithmetic" => ArithmeticCount.Value,
        "selfcheck" => SelfCheckCount.Value,
        "countdown" => CountdownCount.Value,
        _ => throw new ArgumentException($"Unknown r1zero task '{name}'; known: arithmetic, selfcheck, countdown.", nameof(name)),
    };

    static readonly Lazy<int> ArithmeticCount = new(() =>
    {
        int count = 0;
        for (int a = 0; a <= 9; a++)
            for (int b = 0; b <= 9; b++)
                for (int c = 0; c <= 9; c++)
                    foreach (var ops in new[] { "++", "+-", "-+", "--" })
                        if (ArithmeticTask.Evaluate([a, b, c], [ops[0], ops[1]]) >= 0) count++;
        return count;
    });

    static readonly Lazy<int> SelfCheckCount = new(() => new SelfCheckProblems().DistinctProblems());

    static readonly Lazy<int> CountdownCount = new(() =>
    {
        var o = CountdownShape;
        int count = 0;
        for (int a = o.MinNumber; a <= o.MaxNumber; a++)
            for (int b = a; b <= o.MaxNumber; b++)
                for (int c = b; c <= o.MaxNumber; c++)
                    count += Reachable([a, b, c]).Count(v => v >= 1 && v <= o.MaxTarget && v != a && v != b && v != c);
        return count;
    });

    /// <summary>Every value the countdown generator can build from <paramref name="pool"/> with + and a positive −.</summary>
    static HashSet<long> Reachable(List<long> pool)
    {
        if (pool.Count == 1) return [pool[0]];
        var values = new HashSet<long>();
        for (int i = 0; i < pool.Count; i++)
            for (int j = i + 1; j < pool.Count; j++)
            {
                var rest = pool.Where((_, k) => k != i && k != j).ToList();
                long x = pool[i], y = pool[j];
                values.UnionWith(Reachable([.. rest, x + y]));
                if (x != y) values.UnionWith(Reachable([.. rest, Math.Abs(x - y)]));
            }
        return values;
    }

    static R1ZeroTask Arithmetic(int trainCount, int testCount, long seed)
    {
        var task = new ArithmeticTask(ArithmeticShape);
        var split = TaskDatasets.Generate(task, Math.Min(trainCount, DistinctProblems("arithmetic") - testCount), testCount, seed, R1ZeroArithmeticTask.Template);
        return new R1ZeroTask("arithmetic", split.Train, split.Test, new ArithmeticSolutions(), new MathReward("math", AnswerSources.AnswerTag),
            "three single-digit numbers joined by + and − (e.g. 7+5-3=), solved left to right");
    }

    /// <summary>
    /// Countdown's completion budget: a careful writer may try one worked expression per distinct value (up to 4 that keep
    /// every intermediate ≥ 0), each with the target and a verdict, before its answer; the longest such document of the
    /// problem space is 88 tokens with EOS.
    /// </summary>
    public const int CountdownMaxNewTokens = 96;

    /// <summary>
    /// Countdown's RL learning rate. The answer is the expression, so the reward never sees the values worked out in the
    /// think block; at the default rate they drift under GRPO's noise faster than "search on after a miss" is learnt, and
    /// the verdicts that hang on them go wrong with them (measured in docs/r1zero.md).
    /// </summary>
    public const double CountdownLearningRate = 1e-4;

    static R1ZeroTask Countdown(int trainCount, int testCount, long seed)
    {
        var task = new CountdownTask(CountdownShape);
        var split = TaskDatasets.Generate(task, trainCount, testCount, seed);
        static PromptItem Short(PromptItem p) => p with { Prompt = $"{p.Metadata["numbers"]}>{p.Metadata["target"]}=" };
        return new R1ZeroTask("countdown", split.Train.Select(Short).ToList(), split.Test.Select(Short).ToList(),
            new CountdownSolutions("+-"), new CountdownReward(formatScore: 0, name: "countdown"),
            "three numbers 1–20 and a target (e.g. 3,7,12>8=): write an expression with + and − that uses each number once")
        { Searches = true, MaxNewTokens = CountdownMaxNewTokens, LearningRate = CountdownLearningRate };
    }
}
