using Aha.Configuration;
using Aha.R1Zero;
using Aha.Training.Offline;
using Aha.Training.OnPolicy;

namespace Aha.Training.Runs;

/// <summary>
/// <c>aha r1zero</c>: every setting of the mini DeepSeek-R1-Zero recipe (<see cref="R1ZeroRecipe"/>). The defaults are
/// the demo sized for 2 CPU cores (a ≈0.45M-parameter Qwen2-style model, ≈1 minute of pretraining, 150 RL steps);
/// <c>configs/r1zero.yaml</c> spells every one of them out.
/// </summary>
public sealed record R1ZeroConfig : IValidatableConfig
{
    /// <summary><c>arithmetic</c>, <c>selfcheck</c>, <c>countdown</c> or <c>tool-arithmetic</c> (see <see cref="R1ZeroTasks"/>); with <c>model.path</c> and <c>data.path</c> the data file replaces it. The default value is selfcheck.</summary>
    public string Task { get; init; } = "selfcheck";

    /// <summary><c>none</c>, or <c>random-reward</c>: the reward is replaced by a coin flip (the control that must not improve). The default value is none.</summary>
    public string Control { get; init; } = "none";

    /// <summary>Seed of everything: problem split, corpus, initialisation, pretraining order, sampling. The default value is 0.</summary>
    public long Seed { get; init; }

    /// <summary>cpu, cuda or cuda:N. The default value is cpu.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Intra-op threads; null uses every core. The default value is null.</summary>
    public int? Threads { get; init; }

    public R1ZeroDataSection Data { get; init; } = new();

    /// <summary>How the synthetic "web text" corpus is written (built-in tasks only).</summary>
    public CorpusOptions Corpus { get; init; } = new();

    public R1ZeroModelSection Model { get; init; } = new();

    /// <summary>Pretraining on the corpus (<see cref="Pretrainer"/>; batches drawn with replacement, seeded by <see cref="Seed"/>).</summary>
    public PretrainOptions Pretrain { get; init; } = new();

    public R1ZeroRlSection Rl { get; init; } = new();

    public R1ZeroEvalSection Eval { get; init; } = new();

    /// <summary>Test-time compute before and after RL: pass@N, maj@N and best-of-N by a reward model trained on the base model's own samples.</summary>
    public R1ZeroScalingSection Scaling { get; init; } = new();

    /// <summary>RL-stage checkpoints (what <c>--resume</c> continues from). The default saves every 50 steps and keeps 2.</summary>
    public CheckpointSection Checkpointing { get; init; } = new() { Every = 50 };

    /// <summary>True when the run starts from a built-in task's synthetic corpus (pretraining), not a model folder.</summary>
    public bool BuiltIn => Model.Path is null;

    /// <summary>Rules across sections: the task, the control, the files named, and the task's number of distinct problems.</summary>
    public IEnumerable<ConfigProblem> Problems()
    {
        if (!R1ZeroTasks.Names.Contains(Task)) yield return new ConfigProblem("task", $"must be one of {string.Join(", ", R1ZeroTasks.Names)} (got '{Task}').", Task);
        if (Control is not ("none" or "random-reward")) yield return new ConfigProblem("control", $"must be none or random-reward (got '{Control}').", Control);
        if (Threads is < 1) yield return new ConfigProblem("threads", $"must be ≥ 1 or null (got {Threads}).", Threads);
        if (Model.Path is null && Data.Path is not null)
            yield return new ConfigProblem("data.path", "needs model.path (--model): the built-in tasks generate their own data.", Data.Path);
        if (Model.Path is { } dir)
        {
            if (!Directory.Exists(dir)) yield return new ConfigProblem("model.path", $"folder '{dir}' does not exist; expected a Hugging Face model folder.", dir);
            else if (!File.Exists(Path.Combine(dir, "config.json")))
                yield return new ConfigProblem("model.path", $"folder '{dir}' has no config.json; expected a Hugging Face model folder (config.json, safetensors, tokenizer.json).", dir);
        }
        if (Model.Path is not null && Data.Path is { } file && !File.Exists(file)) yield return new ConfigProblem("data.path", $"file '{file}' does not exist.", file);
        if (BuiltIn && Data.TestProblems >= 1 && Data.TrainProblems >= 1 && Task is "arithmetic" or "selfcheck" or "countdown")
        {
            // Arithmetic and selfcheck trim their train set to what the test set leaves; countdown draws both in full.
            int capacity = R1ZeroTasks.DistinctProblems(Task);
            bool trims = Task != "countdown";
            int needed = trims ? Data.TestProblems + 1 : Data.TestProblems + Data.TrainProblems;
            if (needed > capacity)
                yield return new ConfigProblem("data.test_problems", trims
                    ? $"{Data.TestProblems} leaves no train problem: the {Task} task has {capacity} distinct problems."
                    : $"{Data.TestProblems} + data.train_problems {Data.TrainProblems} = {needed} exceed the {capacity} distinct countdown problems.", Data.TestProblems);
        }
    }
}

/// <summary>The problems: how many are held out and trained on, or a data file with <c>model.path</c>.</summary>
public sealed record R1ZeroDataSection : IValidatableConfig
{
    /// <summary>Held-out evaluation problems (never in the corpus nor in RL). The default value is 500.</summary>
    public int TestProblems { get; init; } = 500;

    /// <summary>Problems the corpus and RL draw from (arithmetic and selfcheck: at most what remains after the test set). The default value is 3000.</summary>
    public int TrainProblems { get; init; } = 3000;

    /// <summary>GSM8K-style JSONL (<c>question</c>/<c>answer</c> with "#### n", or <c>prompt</c>/<c>answer</c>), with <c>model.path</c>: the first
    /// <see cref="TestProblems"/> records are held out, the next <see cref="TrainProblems"/> are RL's. The default value is null.</summary>
    public string? Path { get; init; }

    /// <summary>Prompt template of <see cref="Path"/>'s records: <c>r1zero</c> (DeepSeek-R1-Zero's), <c>think</c> or <c>raw</c>. The default value is r1zero.</summary>
    public string Template { get; init; } = "r1zero";

    public IEnumerable<ConfigProblem> Problems()
    {
        if (TestProblems < 1) yield return new ConfigProblem("test_problems", $"must be ≥ 1 (got {TestProblems}).", TestProblems);
        if (TrainProblems < 1) yield return new ConfigProblem("train_problems", $"must be ≥ 1 (got {TrainProblems}).", TrainProblems);
        if (Aha.Data.PromptTemplate.Named(Template) is null) yield return new ConfigProblem("template", $"must be r1zero, think or raw (got '{Template}').", Template);
    }
}

/// <summary>The model: a Hugging Face folder (no pretraining), or the shape of the small Qwen2 model pretrained on the corpus.</summary>
public sealed record R1ZeroModelSection : IValidatableConfig
{
    /// <summary>A Hugging Face model folder (config.json, safetensors, tokenizer.json); skips pretraining and ignores the sizes below. Without
    /// <c>data.path</c> the built-in <c>task</c> is used (e.g. the <c>base_model/</c> of an earlier run with the same seed). The default value is null.</summary>
    public string? Path { get; init; }

    /// <summary>Model width. The default value is 128.</summary>
    public int HiddenSize { get; init; } = 128;

    /// <summary>Decoder layers. The default value is 3.</summary>
    public int Layers { get; init; } = 3;

    /// <summary>Attention heads. The default value is 4.</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Key/value heads (grouped-query attention). The default value is 2.</summary>
    public int KvHeads { get; init; } = 2;

    /// <summary>SwiGLU width. The default value is 256.</summary>
    public int IntermediateSize { get; init; } = 256;

    public IEnumerable<ConfigProblem> Problems()
    {
        if (HiddenSize < 8 || Heads < 1 || KvHeads < 1 || HiddenSize % Heads != 0 || Heads % KvHeads != 0 || HiddenSize / Heads % 2 != 0)
            yield return new ConfigProblem("hidden_size", $"sizes must satisfy hidden_size ≥ 8, hidden_size % heads = 0, heads % kv_heads = 0 and an even head_dim " +
                                                          $"(got hidden_size {HiddenSize}, heads {Heads}, kv_heads {KvHeads}).", HiddenSize);
        if (Layers < 1) yield return new ConfigProblem("layers", $"must be ≥ 1 (got {Layers}).", Layers);
        if (IntermediateSize < 1) yield return new ConfigProblem("intermediate_size", $"must be ≥ 1 (got {IntermediateSize}).", IntermediateSize);
    }
}

/// <summary>
/// Pure RL (<see cref="OnPolicyTrainer"/>) with the correctness reward and a small format bonus only. The knobs not
/// listed here (clip, KL estimator, aggregation, temperature 1, constant learning rate, …) are the preset's and
/// <see cref="OnPolicyConfig"/>'s defaults.
/// </summary>
public sealed record R1ZeroRlSection : IValidatableConfig
{
    /// <summary>RL optimizer steps. The default value is 150.</summary>
    public int Steps { get; init; } = 150;

    /// <summary>On-policy preset: grpo, dapo, dr_grpo, rloo, reinforce_pp, ppo (or gspo, cispo, sapo, gmpo); null takes the task's
    /// (dr_grpo for selfcheck, grpo for the other tasks and for a data file). The default value is null.</summary>
    public string? Preset { get; init; }

    /// <summary>G, completions per prompt. The default value is 8.</summary>
    public int NumGenerations { get; init; } = 8;

    /// <summary>Prompts per RL step. The default value is 16.</summary>
    public int PromptsPerStep { get; init; } = 16;

    /// <summary>Policy (and critic) learning rate; tiny models need far more than the 1e-6 of real ones. Null takes the task's
    /// (0.0005; 0.0001 for countdown, and 0.0005 for a data file). The default value is null.</summary>
    public double? LearningRate { get; init; }

    /// <summary>KL coefficient β; null keeps the preset's. The default value is null.</summary>
    public double? Beta { get; init; }

    /// <summary>Most tokens per completion (RL and evaluation); null takes the task's (96 for countdown, 48 for the other built-in tasks and for a data file). The default value is null.</summary>
    public int? MaxNewTokens { get; init; }

    /// <summary>Weight of the format reward (DeepSeek-R1's format bonus); null takes the task's (0.1; 0 for tool-arithmetic, whose
    /// calls are not in the think-and-answer format, and 0.1 for a data file). The default value is null.</summary>
    public double? FormatBonus { get; init; }

    /// <summary>Sampled completions of each step written to completions.jsonl (the aha-step examples come from them). The default value is 8.</summary>
    public int LogSamplesPerStep { get; init; } = 8;

    /// <summary>The trainer's config for a run of <paramref name="seed"/> whose correctness reward is <paramref name="accuracyReward"/>;
    /// <paramref name="learningRate"/> and <paramref name="preset"/> are <see cref="LearningRate"/> and <see cref="Preset"/> or, where null, the task's.</summary>
    public OnPolicyConfig Trainer(long seed, string accuracyReward, int maxNewTokens, double learningRate, string preset) => new()
    {
        Preset = preset, NumGenerations = NumGenerations, PromptsPerStep = PromptsPerStep, MaxNewTokens = maxNewTokens,
        LearningRate = learningRate, CriticLearningRate = learningRate, Beta = Beta, Seed = seed,
        AccuracyReward = accuracyReward, LogSamplesPerStep = LogSamplesPerStep,
    };

    /// <summary>This section's rules, and the trainer's own on the config it makes (an unknown preset, G = 1 with a group baseline, …).</summary>
    public IEnumerable<ConfigProblem> Problems()
    {
        if (Steps < 0) yield return new ConfigProblem("steps", $"must be ≥ 0 (got {Steps}).", Steps);
        if (MaxNewTokens is < 1) yield return new ConfigProblem("max_new_tokens", $"must be ≥ 1 or null for the task's (got {MaxNewTokens}).", MaxNewTokens);
        if (FormatBonus is { } bonus && (!(bonus >= 0) || !double.IsFinite(bonus)))
            yield return new ConfigProblem("format_bonus", $"must be ≥ 0 or null for the task's (got {bonus}).", bonus);
        if (LogSamplesPerStep < 0) yield return new ConfigProblem("log_samples_per_step", $"must be ≥ 0 (got {LogSamplesPerStep}).", LogSamplesPerStep);
        // The trainer's keys are this section's; its critic_learning_rate is learning_rate here, and max_new_tokens is checked above.
        foreach (var p in Trainer(0, "math", MaxNewTokens ?? 1, LearningRate ?? R1ZeroTask.DefaultLearningRate, Preset ?? R1ZeroTask.DefaultPreset).Problems().Where(p => p.Key is not ("critic_learning_rate" or "max_new_tokens")))
            yield return p;
    }
}

/// <summary>The held-out evaluation before and after RL, and the held-out curve during RL.</summary>
public sealed record R1ZeroEvalSection : IValidatableConfig
{
    /// <summary>Samples per problem for sampled pass@1, pass@k and maj@k (summary.json's <c>k</c>). The default value is 8.</summary>
    public int K { get; init; } = 8;

    /// <summary>Sampling temperature of those samples. The default value is 1.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Prompts per generation batch. The default value is 128.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Greedy accuracy on the first this-many held-out problems is logged every <see cref="HeldoutEvery"/> RL steps (0: none). The default value is 100.</summary>
    public int HeldoutSubset { get; init; } = 100;

    /// <summary>RL steps between held-out curve points (0 = only before and after RL). The default value is 10.</summary>
    public int HeldoutEvery { get; init; } = 10;

    public IEnumerable<ConfigProblem> Problems()
    {
        if (K < 1) yield return new ConfigProblem("k", $"must be ≥ 1 (got {K}).", K);
        if (!(Temperature > 0) || !double.IsFinite(Temperature)) yield return new ConfigProblem("temperature", $"must be > 0; greedy pass@1 is measured anyway (got {Temperature}).", Temperature);
        if (BatchSize < 1) yield return new ConfigProblem("batch_size", $"must be ≥ 1 (got {BatchSize}).", BatchSize);
        if (HeldoutSubset < 0) yield return new ConfigProblem("heldout_subset", $"must be ≥ 0 (got {HeldoutSubset}).", HeldoutSubset);
        if (HeldoutEvery < 0) yield return new ConfigProblem("heldout_every", $"must be ≥ 0; 0 logs only before and after RL (got {HeldoutEvery}).", HeldoutEvery);
    }
}

/// <summary>
/// How much inference compute buys before and after RL (Snell et al. 2024, arXiv:2408.03314): held-out accuracy against
/// N samples per problem for pass@N, maj@N and best-of-N, best-of-N ranked by an outcome reward model trained on the
/// base model's own verified samples of training problems (<see cref="ComputeScalingStage"/>).
/// </summary>
public sealed record R1ZeroScalingSection : IValidatableConfig
{
    /// <summary>Samples per held-out problem, the largest N of the table (N = 1, 2, 4, … up to it); 0 skips the measurement and the reward model. The default value is 64.</summary>
    public int Samples { get; init; } = 64;

    /// <summary>Held-out problems measured (the first of the test split). The default value is 64.</summary>
    public int HeldoutProblems { get; init; } = 64;

    /// <summary>The best-of-N scorer: a reward model trained on the base model's own samples.</summary>
    public R1ZeroRewardModelSection RewardModel { get; init; } = new();

    public IEnumerable<ConfigProblem> Problems()
    {
        if (Samples < 0) yield return new ConfigProblem("samples", $"must be ≥ 0; 0 skips the measurement (got {Samples}).", Samples);
        if (HeldoutProblems < 1) yield return new ConfigProblem("heldout_problems", $"must be ≥ 1 (got {HeldoutProblems}).", HeldoutProblems);
    }
}

/// <summary>
/// The outcome reward model of <see cref="R1ZeroScalingSection"/>: the base model with a scalar head, trained with the
/// Bradley-Terry loss (<see cref="RewardModelTrainer"/>) on pairs (a right completion of a training problem over a wrong
/// one of the same problem) from the base model's samples; the verifier's verdicts are the only labels.
/// </summary>
public sealed record R1ZeroRewardModelSection : IValidatableConfig
{
    /// <summary>Training problems the base model samples (never held-out ones). The default value is 512.</summary>
    public int TrainProblems { get; init; } = 512;

    /// <summary>Samples per such problem. The default value is 8.</summary>
    public int SamplesPerProblem { get; init; } = 8;

    /// <summary>At most this many pairs per problem (each right and wrong sample used before any repeats). The default value is 4.</summary>
    public int PairsPerProblem { get; init; } = 4;

    /// <summary>Passes over the pairs. The default value is 2.</summary>
    public int Epochs { get; init; } = 2;

    /// <summary>Pairs per optimizer step. The default value is 32.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>AdamW learning rate; tiny models need far more than TRL's 1e-5. The default value is 0.001.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>The trainer's config for a run of <paramref name="seed"/>.</summary>
    public RewardModelConfig Trainer(long seed) => new()
    {
        Epochs = Epochs, BatchSize = BatchSize, LearningRate = LearningRate, WarmupSteps = 0, Seed = seed,
    };

    public IEnumerable<ConfigProblem> Problems()
    {
        if (TrainProblems < 1) yield return new ConfigProblem("train_problems", $"must be ≥ 1 (got {TrainProblems}).", TrainProblems);
        if (SamplesPerProblem < 2) yield return new ConfigProblem("samples_per_problem", $"must be ≥ 2: a pair needs a right and a wrong sample of one problem (got {SamplesPerProblem}).", SamplesPerProblem);
        if (PairsPerProblem < 1) yield return new ConfigProblem("pairs_per_problem", $"must be ≥ 1 (got {PairsPerProblem}).", PairsPerProblem);
        foreach (var p in Trainer(0).Problems().Where(p => p.Key is "epochs" or "batch_size" or "learning_rate")) yield return p;
    }
}
