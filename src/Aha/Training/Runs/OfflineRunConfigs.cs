using Aha.Configuration;
using Aha.Training.Offline;

namespace Aha.Training.Runs;

/// <summary><c>aha sft</c>: supervised fine-tuning. Defaults: the tiny model and the synthetic arithmetic cold start.</summary>
public sealed record SftRunConfig : IValidatableConfig, IConfigAliases, IReportTargets, IOfflineRunConfig
{
    OfflineTrainingConfig IOfflineRunConfig.OfflineTrainer => Trainer;

    /// <inheritdoc />
    public IReadOnlyList<ConfigAlias> ConfigAliases() => TrlAliases.Sft;

    /// <summary>cpu, cuda or cuda:N. The default value is cpu.</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Intra-op threads; null uses every core. Default null.</summary>
    public int? Threads { get; init; }
    public ModelSection Model { get; init; } = new();
    public DataSection Data { get; init; } = new() { Difficulty = 1 };

    /// <summary><see cref="SftConfig"/>; the learning rate defaults to 1e-3 for the tiny model (TRL's 2e-5 suits real ones).</summary>
    public SftConfig Trainer { get; init; } = new() { LearningRate = 1e-3 };

    public CheckpointSection Checkpointing { get; init; } = new();

    /// <summary>Trackers besides the run folder's files, as TRL's <c>report_to</c>: <c>[tensorboard]</c> writes event files into <c>&lt;run&gt;/tensorboard/</c>. The default value is empty.</summary>
    public IReadOnlyList<string> ReportTo { get; init; } = [];

    public IEnumerable<ConfigProblem> Problems()
    {
        if (Threads is < 1) yield return new ConfigProblem("threads", $"must be ≥ 1 or null (got {Threads}).", Threads);
        foreach (var e in ReportTargets.Problems(ReportTo)) yield return e;
        foreach (var e in PretrainSection.CheckHeldOut(Model, Data)) yield return e;
    }
}

/// <summary><c>aha rm</c>: a Bradley-Terry reward model on preference pairs (<c>data.train</c> files).</summary>
public sealed record RewardModelRunConfig : IValidatableConfig, IConfigAliases, IReportTargets, IOfflineRunConfig
{
    OfflineTrainingConfig IOfflineRunConfig.OfflineTrainer => Trainer;

    /// <inheritdoc />
    public IReadOnlyList<ConfigAlias> ConfigAliases() => TrlAliases.RewardModel;

    /// <summary>cpu, cuda or cuda:N. The default value is cpu.</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Intra-op threads; null uses every core. Default null.</summary>
    public int? Threads { get; init; }
    public ModelSection Model { get; init; } = new();
    public DataSection Data { get; init; } = new();
    public RewardModelConfig Trainer { get; init; } = new() { LearningRate = 1e-3 };
    public CheckpointSection Checkpointing { get; init; } = new();

    /// <summary>Trackers besides the run folder's files, as TRL's <c>report_to</c>: <c>[tensorboard]</c> writes event files into <c>&lt;run&gt;/tensorboard/</c>. The default value is empty.</summary>
    public IReadOnlyList<string> ReportTo { get; init; } = [];

    public IEnumerable<ConfigProblem> Problems()
    {
        if (Threads is < 1) yield return new ConfigProblem("threads", $"must be ≥ 1 or null (got {Threads}).", Threads);
        foreach (var e in ReportTargets.Problems(ReportTo)) yield return e;
        if (Data.Task is not null) yield return new ConfigProblem("data.task", "reward-model training reads preference pairs from 'train' files; tasks have none.");
        else if (Data.Train.Count == 0) yield return new ConfigProblem("data.train", "is required: preference JSONL ({\"prompt\",\"chosen\",\"rejected\"}).");
    }
}

/// <summary><c>aha dpo</c>: direct preference optimisation against the starting model as reference.</summary>
public sealed record DpoRunConfig : IValidatableConfig, IConfigAliases, IReportTargets, IOfflineRunConfig
{
    OfflineTrainingConfig IOfflineRunConfig.OfflineTrainer => Trainer;

    /// <inheritdoc />
    public IReadOnlyList<ConfigAlias> ConfigAliases() => TrlAliases.Dpo;

    /// <summary>cpu, cuda or cuda:N. The default value is cpu.</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Intra-op threads; null uses every core. Default null.</summary>
    public int? Threads { get; init; }
    public ModelSection Model { get; init; } = new();
    public DataSection Data { get; init; } = new();
    public DpoConfig Trainer { get; init; } = new() { LearningRate = 1e-3 };
    public CheckpointSection Checkpointing { get; init; } = new();

    /// <summary>Trackers besides the run folder's files, as TRL's <c>report_to</c>: <c>[tensorboard]</c> writes event files into <c>&lt;run&gt;/tensorboard/</c>. The default value is empty.</summary>
    public IReadOnlyList<string> ReportTo { get; init; } = [];

    public IEnumerable<ConfigProblem> Problems()
    {
        if (Threads is < 1) yield return new ConfigProblem("threads", $"must be ≥ 1 or null (got {Threads}).", Threads);
        foreach (var e in ReportTargets.Problems(ReportTo)) yield return e;
        if (Data.Task is not null) yield return new ConfigProblem("data.task", "DPO reads preference pairs from 'train' files; tasks have none.");
        else if (Data.Train.Count == 0) yield return new ConfigProblem("data.train", "is required: preference JSONL ({\"prompt\",\"chosen\",\"rejected\"}).");
    }
}

/// <summary>
/// <c>aha kto</c>: KTO against the starting model as reference, on unpaired JSONL (<c>data.train</c>) or, with no files,
/// a built-in task (each problem's correct cold-start completion desirable, a bare wrong answer undesirable).
/// </summary>
public sealed record KtoRunConfig : IValidatableConfig, IConfigAliases, IReportTargets, IOfflineRunConfig
{
    OfflineTrainingConfig IOfflineRunConfig.OfflineTrainer => Trainer;

    /// <inheritdoc />
    public IReadOnlyList<ConfigAlias> ConfigAliases() => TrlAliases.Kto;

    /// <summary>cpu, cuda or cuda:N. The default value is cpu.</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Intra-op threads; null uses every core. Default null.</summary>
    public int? Threads { get; init; }
    public ModelSection Model { get; init; } = new();
    public DataSection Data { get; init; } = new() { Difficulty = 1 };

    /// <summary><see cref="KtoConfig"/>; the learning rate defaults to 1e-3 for the tiny model (TRL's 1e-6 suits real ones).</summary>
    public KtoConfig Trainer { get; init; } = new() { LearningRate = 1e-3 };

    public CheckpointSection Checkpointing { get; init; } = new();

    /// <summary>Trackers besides the run folder's files, as TRL's <c>report_to</c>: <c>[tensorboard]</c> writes event files into <c>&lt;run&gt;/tensorboard/</c>. The default value is empty.</summary>
    public IReadOnlyList<string> ReportTo { get; init; } = [];

    public IEnumerable<ConfigProblem> Problems()
    {
        if (Threads is < 1) yield return new ConfigProblem("threads", $"must be ≥ 1 or null (got {Threads}).", Threads);
        foreach (var e in ReportTargets.Problems(ReportTo)) yield return e;
    }
}

/// <summary>What <see cref="OfflineRuns"/> reads from any offline command's config (sft, rm, dpo, kto).</summary>
public interface IOfflineRunConfig
{
    string Device { get; }
    int? Threads { get; }
    ModelSection Model { get; }
    DataSection Data { get; }
    CheckpointSection Checkpointing { get; }

    /// <summary>The trainer section's shared part (batch sizes, epochs, max_steps).</summary>
    OfflineTrainingConfig OfflineTrainer { get; }
}
