namespace Aha.R1Zero;

/// <summary>
/// Every setting of the mini R1-Zero run (<c>aha r1zero</c>). Defaults are sized for 2 CPU cores: a ≈0.4M-parameter
/// Qwen2-style model, ≈2 minutes of pretraining, ≈2 minutes of GRPO.
/// </summary>
public sealed record R1ZeroOptions
{
    /// <summary><c>arithmetic</c> (default), <c>selfcheck</c>, <c>countdown</c> or <c>tool-arithmetic</c> (learns to call a calculator). Ignored with <see cref="ModelDir"/> and <see cref="DataPath"/>.</summary>
    public string Task { get; init; } = "arithmetic";

    /// <summary>Output folder. The default value is <c>runs/r1zero</c>.</summary>
    public string OutDir { get; init; } = Path.Combine("runs", "r1zero");

    /// <summary>Seed of everything (data, corpus, init, pretraining order, sampling). The default value is 0.</summary>
    public long Seed { get; init; }

    /// <summary>Intra-op threads; null = all logical processors. The default value is null.</summary>
    public int? Threads { get; init; }

    /// <summary><c>none</c> or <c>random-reward</c> (the reward is replaced by a coin flip). The default value is none.</summary>
    public string Control { get; init; } = "none";

    // ---- data ----

    /// <summary>Held-out evaluation problems (never in the corpus nor in RL). The default value is 500.</summary>
    public int TestProblems { get; init; } = 500;

    /// <summary>Problems the corpus and RL draw from (arithmetic: at most what remains after the test set). The default value is 3000.</summary>
    public int TrainProblems { get; init; } = 3000;

    /// <summary>How the corpus is written.</summary>
    public CorpusOptions Corpus { get; init; } = new();

    // ---- model (ignored with ModelDir) ----

    public int HiddenSize { get; init; } = 128;
    public int Layers { get; init; } = 3;
    public int Heads { get; init; } = 4;
    public int KvHeads { get; init; } = 2;
    public int IntermediateSize { get; init; } = 256;

    /// <summary>Pretraining; set <see cref="PretrainOptions.MaxSteps"/> to 0 to skip.</summary>
    public PretrainOptions Pretrain { get; init; } = new();

    // ---- RL ----

    /// <summary>On-policy preset: grpo (default), dapo, dr_grpo, rloo, reinforce_pp, ppo.</summary>
    public string Preset { get; init; } = "grpo";

    /// <summary>RL optimizer steps. The default value is 150.</summary>
    public int RlSteps { get; init; } = 150;

    /// <summary>G, completions per prompt. The default value is 8.</summary>
    public int NumGenerations { get; init; } = 8;

    /// <summary>Prompts per RL step. The default value is 16.</summary>
    public int PromptsPerStep { get; init; } = 16;

    /// <summary>Policy learning rate (tiny random models need far more than the 1e-6 of real ones). The default value is 5e-4.</summary>
    public double LearningRate { get; init; } = 5e-4;

    /// <summary>KL β; null keeps the preset's. The default value is null.</summary>
    public double? Beta { get; init; }

    /// <summary>Most tokens per completion (RL and evaluation). The default value is null: the task's (96 for selfcheck, 48 otherwise).</summary>
    public int? MaxNewTokens { get; init; }

    /// <summary>Weight of the format reward (DeepSeek-R1's format bonus). The default value is 0.1.</summary>
    public double FormatBonus { get; init; } = 0.1;

    // ---- evaluation ----

    /// <summary>Samples per problem for sampled pass@1, pass@k and maj@k. The default value is 8.</summary>
    public int EvalK { get; init; } = 8;

    /// <summary>Sampling temperature of the evaluation. The default value is 1.</summary>
    public double EvalTemperature { get; init; } = 1.0;

    /// <summary>Greedy accuracy on the first this-many test problems is logged every <see cref="HeldoutEvery"/> RL steps. The default value is 100.</summary>
    public int HeldoutSubset { get; init; } = 100;

    /// <summary>RL steps between held-out curve points (0 = only before and after). The default value is 10.</summary>
    public int HeldoutEvery { get; init; } = 10;

    // ---- bring your own model ----

    /// <summary>A Hugging Face model folder (config.json, safetensors, tokenizer.json); skips pretraining. Without
    /// <see cref="DataPath"/> the built-in <see cref="Task"/> is used (e.g. the <c>base_model/</c> of an earlier run).</summary>
    public string? ModelDir { get; init; }

    /// <summary>GSM8K-style JSONL (<c>question</c>/<c>answer</c> with "#### n", or <c>prompt</c>/<c>answer</c>) used with <see cref="ModelDir"/>.</summary>
    public string? DataPath { get; init; }

    /// <summary>Prompt template with <see cref="ModelDir"/>: <c>r1zero</c> (DeepSeek-R1-Zero's), <c>think</c> or <c>raw</c>. The default value is r1zero.</summary>
    public string Template { get; init; } = "r1zero";

    /// <summary>"cpu" or "cuda". The default value is cpu.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Checks every field; throws one <see cref="ArgumentException"/> listing all problems.</summary>
    public R1ZeroOptions Validate()
    {
        var errors = new List<string>();
        if (!R1ZeroTasks.Names.Contains(Task)) errors.Add($"task must be one of {string.Join(", ", R1ZeroTasks.Names)} (got '{Task}')");
        if (MaxNewTokens < 1) errors.Add($"max_new_tokens must be ≥ 1 (got {MaxNewTokens})");
        if (Control is not ("none" or "random-reward")) errors.Add($"control must be none or random-reward (got '{Control}')");
        if (TestProblems < 1) errors.Add($"test_problems must be ≥ 1 (got {TestProblems})");
        if (TrainProblems < 1) errors.Add($"train_problems must be ≥ 1 (got {TrainProblems})");
        if (HiddenSize < 8 || Heads < 1 || KvHeads < 1 || HiddenSize % Heads != 0 || Heads % KvHeads != 0 || HiddenSize / Heads % 2 != 0)
            errors.Add($"model sizes must satisfy hidden % heads = 0, heads % kv_heads = 0, even head_dim (got hidden {HiddenSize}, heads {Heads}, kv {KvHeads})");
        if (Layers < 1 || IntermediateSize < 1) errors.Add($"layers and intermediate_size must be ≥ 1 (got {Layers}, {IntermediateSize})");
        if (RlSteps < 0) errors.Add($"rl_steps must be ≥ 0 (got {RlSteps})");
        if (EvalK < 1) errors.Add($"eval_k must be ≥ 1 (got {EvalK})");
        if (HeldoutSubset < 0 || HeldoutEvery < 0) errors.Add("heldout_subset and heldout_every must be ≥ 0");
        if (DataPath is not null && ModelDir is null) errors.Add("--data needs --model (the built-in tasks generate their own data)");
        if (Template is not ("r1zero" or "think" or "raw")) errors.Add($"template must be r1zero, think or raw (got '{Template}')");
        try { Corpus.Validate(); } catch (ArgumentException e) { errors.Add(e.Message.Split(" (Parameter")[0]); }
        if (errors.Count > 0) throw new ArgumentException("Invalid r1zero options: " + string.Join("; ", errors) + ".", nameof(R1ZeroOptions));
        return this;
    }
}
