using Aha.Configuration;
using Aha.Rewards;
using Aha.Training.Offline;

namespace Aha.Training.Runs;

/// <summary><c>aha rejection-sample</c>: N samples per prompt, the verified ones written as SFT JSONL (<c>sft.jsonl</c>).</summary>
public sealed record RejectionSamplingRunConfig : IValidatableConfig
{
    /// <summary>cpu, cuda or cuda:N. The default value is cpu.</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Intra-op threads; null uses every core. Default null.</summary>
    public int? Threads { get; init; }
    public ModelSection Model { get; init; } = new();
    public DataSection Data { get; init; } = new() { Difficulty = 1 };

    /// <summary><see cref="RejectionSamplingConfig"/>; lengths sized for the tiny model by default.</summary>
    public RejectionSamplingConfig Sampler { get; init; } = new() { SamplesPerPrompt = 4, MaxNewTokens = 16 };

    /// <summary>Reward name → weight; empty: by task (the verifier decides acceptance via <c>sampler.min_reward</c>).</summary>
    public IReadOnlyDictionary<string, double> Rewards { get; init; } = new Dictionary<string, double>();

    public BuiltInRewardOptions RewardOptions { get; init; } = new();

    /// <summary>A reward model folder for best-of-N by a learned reward. Default null.</summary>
    public string? RewardModel { get; init; }

    public RejectionSamplingRunConfig Resolve() => this with
    {
        Rewards = Rewards.Count > 0 ? Rewards : RewardsSetup.Defaults(Data, RewardModel),
        Data = Data with { Task = Data.ResolvedTask },
    };

    public IEnumerable<ConfigProblem> Problems()
    {
        if (Threads is < 1) yield return new ConfigProblem("threads", $"must be ≥ 1 or null (got {Threads}).", Threads);
        foreach (var e in RewardsSetup.Problems(Rewards, RewardModel)) yield return e;
        foreach (var e in PretrainSection.CheckHeldOut(Model, Data)) yield return e;
    }
}

/// <summary><c>aha eval</c>: pass@1 (greedy and sampled), pass@k, maj@k and format rate on verifiable problems.</summary>
public sealed record EvalRunConfig : IValidatableConfig
{
    /// <summary>cpu, cuda or cuda:N. The default value is cpu.</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Intra-op threads; null uses every core. Default null.</summary>
    public int? Threads { get; init; }
    public ModelSection Model { get; init; } = new();

    /// <summary>Problems: <c>eval</c> files (or <c>train</c> files when there are none), or a task's test split.</summary>
    public DataSection Data { get; init; } = new();

    public EvalSection Eval { get; init; } = new() { MaxNewTokens = 64 };

    /// <summary>The correctness reward: math or countdown; null picks countdown for the countdown task, else math.</summary>
    public string? Correctness { get; init; }

    public BuiltInRewardOptions RewardOptions { get; init; } = new();

    public EvalRunConfig Resolve() => this with
    {
        Data = Data with { Task = Data.ResolvedTask },
        Correctness = Correctness ?? (string.Equals(Data.ResolvedTask?.Trim(), "countdown", StringComparison.OrdinalIgnoreCase) ? "countdown" : "math"),
    };

    public IEnumerable<ConfigProblem> Problems()
    {
        if (Threads is < 1) yield return new ConfigProblem("threads", $"must be ≥ 1 or null (got {Threads}).", Threads);
        if (Model.Path is null && Model.Init is null && Model.Pretrain is null) yield return new ConfigProblem("model.path", "is required: the model folder to evaluate.");
        foreach (var e in PretrainSection.CheckHeldOut(Model, Data)) yield return e;
        if (Data.UsesTask && Data.EvalSize < 1) yield return new ConfigProblem("data.eval_size", "must be ≥ 1 to evaluate on a task's test split.");
        if (Correctness is not null and not ("math" or "countdown")) yield return new ConfigProblem("correctness", $"must be math or countdown (got '{Correctness}').", Correctness);
    }
}
