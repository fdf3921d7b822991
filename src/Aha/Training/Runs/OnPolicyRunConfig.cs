using Aha.Configuration;
using Aha.Rewards;
using Aha.Training.OnPolicy;

namespace Aha.Training.Runs;

/// <summary>
/// <c>aha grpo</c> / <c>aha ppo</c>: one on-policy run. The defaults are the tiny CPU demo (a random tiny model, a
/// character tokenizer, the arithmetic task, a few steps), so <c>aha grpo --preset dapo</c> runs with no config file;
/// recipes for real models set <c>model.path</c> and the trainer's learning rate, G, lengths explicitly.
/// </summary>
public sealed record OnPolicyRunConfig : IValidatableConfig, IConfigAliases, IReportTargets
{
    /// <summary>Optimisation steps to run. The default value is 4.</summary>
    public int Steps { get; init; } = 4;

    /// <summary>cpu, cuda or cuda:N. The default value is cpu.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Intra-op threads; null uses every core. Default null.</summary>
    public int? Threads { get; init; }

    public ModelSection Model { get; init; } = new();

    public DataSection Data { get; init; } = new() { Difficulty = 1 };

    /// <summary>Every knob of <see cref="OnPolicyTrainer"/> (preset + overrides); defaults sized for the tiny model.</summary>
    public OnPolicyConfig Trainer { get; init; } = new()
    {
        NumGenerations = 4, PromptsPerStep = 2, MaxNewTokens = 16, LearningRate = 1e-3, CriticLearningRate = 1e-3,
    };

    /// <summary>Reward name → weight (built-ins: math, format, think, countdown, overlong; reward_model). Empty: by task.</summary>
    public IReadOnlyDictionary<string, double> Rewards { get; init; } = new Dictionary<string, double>();

    /// <summary>Settings of the built-in rewards (format bonus, countdown, overlong).</summary>
    public BuiltInRewardOptions RewardOptions { get; init; } = new();

    /// <summary>A reward model folder (from <c>aha rm</c>), scored under the reward name <c>reward_model</c>. Default null.</summary>
    public string? RewardModel { get; init; }

    public CheckpointSection Checkpointing { get; init; } = new();

    /// <summary>Trackers besides the run folder's files, as TRL's <c>report_to</c>: <c>[tensorboard]</c> writes event files into <c>&lt;run&gt;/tensorboard/</c>. The default value is empty.</summary>
    public IReadOnlyList<string> ReportTo { get; init; } = [];


    public EvalSection Eval { get; init; } = new();

    /// <summary>Tools (calculator, lookup, MCP servers) that make the run multi-turn; none: single-turn completions.</summary>
    public Environments.EnvironmentSection Environment { get; init; } = new();

    /// <summary>Where completions are sampled: in-process, or on inference servers (<c>rollout.endpoints</c>).</summary>
    public Generation.Remote.RemoteRolloutOptions Rollout { get; init; } = new();

    /// <summary>
    /// Fills what the defaults leave open: the task, the rewards by task, the accuracy reward, and every algorithm knob
    /// the preset chose (so <c>resolved_config.yaml</c> shows e.g. dapo's <c>clip_high: 0.28</c>, not <c>null</c>).
    /// </summary>
    public OnPolicyRunConfig Resolve() => Resolve(out _);

    /// <summary><see cref="Resolve()"/>, with the algorithm it resolved (once) for the trainer.</summary>
    internal OnPolicyRunConfig Resolve(out Algorithms.AlgorithmSpec algorithm)
    {
        var rewards = Rewards.Count > 0 ? Rewards : RewardsSetup.Defaults(Data, RewardModel);
        var a = algorithm = Trainer.ResolveAlgorithm();
        return this with
        {
            Rewards = rewards,
            Data = Data with { Task = Data.ResolvedTask },
            Trainer = Trainer with
            {
                AccuracyReward = Trainer.AccuracyReward ?? RewardsSetup.Correctness(rewards),
                Estimator = a.Estimator.Name, PolicyLoss = a.PolicyLoss.Name, ClipLow = a.Loss.ClipLow, ClipHigh = a.Loss.ClipHigh,
                DualClip = a.Loss.DualClip, Aggregation = a.Aggregation.Name, KlEstimator = a.Kl.Name, KlPlacement = a.KlPlacement,
                Beta = a.Beta, DynamicSampling = a.DynamicSampling, OverlongShaping = a.OverlongShaping,
            },
        };
    }

    /// <inheritdoc />
    public IReadOnlyList<ConfigAlias> ConfigAliases() => TrlAliases.OnPolicy;

    public IEnumerable<ConfigProblem> Problems()
    {
        if (Steps < 1) yield return new ConfigProblem("steps", $"must be ≥ 1 (got {Steps}).", Steps);
        foreach (var e in ReportTargets.Problems(ReportTo)) yield return e;
        if (Threads is < 1) yield return new ConfigProblem("threads", $"must be ≥ 1 or null (got {Threads}).", Threads);
        foreach (var e in RewardsSetup.Problems(Rewards, RewardModel)) yield return e;
        foreach (var e in PretrainSection.CheckHeldOut(Model, Data)) yield return e;
    }
}
