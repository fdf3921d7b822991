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

    /// <summary>Most tokens per completion (RL and evaluation). The default value is null: the task's (48 for every built-in task).</summary>
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

    /// <summary>
    /// Write into <see cref="OutDir"/> even when it holds an earlier r1zero run, after deleting that run's files (a
    /// folder holding anything else is never touched). The default value is false: an existing non-empty folder is an
    /// error, so two runs never mix in one folder.
    /// </summary>
    public bool Overwrite { get; init; }

    /// <summary>
    /// Checks every field, and everything about the inputs that can be known before any work (folders and files exist,
    /// the task has enough distinct problems, the output folder is free); throws one <see cref="ArgumentException"/>
    /// listing all problems, each naming its command-line flag.
    /// </summary>
    public R1ZeroOptions Validate()
    {
        var errors = new List<string>();
        void Check(bool ok, string message) { if (!ok) errors.Add(message); }
        Check(R1ZeroTasks.Names.Contains(Task), $"--task must be one of {string.Join(", ", R1ZeroTasks.Names)} (got '{Task}')");
        Check(Control is "none" or "random-reward", $"--control must be none or random-reward (got '{Control}')");
        Check(TestProblems >= 1, $"--test-problems must be ≥ 1 (got {TestProblems})");
        Check(TrainProblems >= 1, $"--train-problems must be ≥ 1 (got {TrainProblems})");
        Check(!(HiddenSize < 8 || Heads < 1 || KvHeads < 1 || HiddenSize % Heads != 0 || Heads % KvHeads != 0 || HiddenSize / Heads % 2 != 0),
            $"model sizes must satisfy hidden % heads = 0, heads % kv_heads = 0, even head_dim (got --hidden {HiddenSize}, heads {Heads}, kv {KvHeads})");
        Check(Layers >= 1 && IntermediateSize >= 1, $"--layers and intermediate_size must be ≥ 1 (got {Layers}, {IntermediateSize})");
        Check(Pretrain.MaxSteps >= 0, $"--pretrain-steps must be ≥ 0 (got {Pretrain.MaxSteps})");
        Check(RlSteps >= 0, $"--steps must be ≥ 0 (got {RlSteps})");
        Check(NumGenerations >= 1, $"--num-generations must be ≥ 1 (got {NumGenerations})");
        Check(PromptsPerStep >= 1, $"--prompts-per-step must be ≥ 1 (got {PromptsPerStep})");
        Check(LearningRate > 0 && double.IsFinite(LearningRate), $"--lr must be a number > 0 (got {LearningRate})");
        Check(Beta is null || (Beta >= 0 && double.IsFinite(Beta.Value)), $"--beta must be ≥ 0 (got {Beta})");
        Check(MaxNewTokens is null or >= 1, $"--max-new-tokens must be ≥ 1 (got {MaxNewTokens})");
        Check(EvalK >= 1, $"--eval-k must be ≥ 1 (got {EvalK})");
        Check(HeldoutSubset >= 0 && HeldoutEvery >= 0, $"--heldout-every and heldout_subset must be ≥ 0 (got {HeldoutEvery}, {HeldoutSubset})");
        Check(Threads is null || Threads >= 1, $"--threads must be ≥ 1 (got {Threads})");
        Check(Template is not null && Aha.Data.PromptTemplate.Named(Template) is not null, $"--template must be r1zero, think or raw (got '{Template}')");
        if (ModelDir is null && DataPath is not null) errors.Add("--data needs --model (the built-in tasks generate their own data)");
        if (ModelDir is not null)
        {
            if (!Directory.Exists(ModelDir)) errors.Add($"--model: folder '{ModelDir}' does not exist; expected a Hugging Face model folder");
            else if (!File.Exists(Path.Combine(ModelDir, "config.json")))
                errors.Add($"--model: folder '{ModelDir}' has no config.json; expected a Hugging Face model folder (config.json, safetensors, tokenizer.json)");
        }
        if (DataPath is not null && !File.Exists(DataPath)) errors.Add($"--data: file '{DataPath}' does not exist");
        if (ModelDir is null && errors.Count == 0 && Task is "arithmetic" or "countdown" && R1ZeroTasks.DistinctProblems(Task) is var capacity)
        {
            // Arithmetic trims its train set to what the test set leaves; countdown draws both in full.
            int needed = Task == "arithmetic" ? TestProblems + 1 : TestProblems + TrainProblems;
            Check(needed <= capacity, Task == "arithmetic"
                ? $"--test-problems {TestProblems} leaves no train problem: the arithmetic task has {capacity} distinct problems"
                : $"--test-problems {TestProblems} + --train-problems {TrainProblems} = {needed} exceed the {capacity} distinct countdown problems");
        }
        errors.AddRange(Corpus.Problems().Select(p => "corpus " + p));
        if (OutputProblem() is { } outProblem) errors.Add(outProblem);
        if (errors.Count > 0) throw new ArgumentException("r1zero: " + string.Join("; ", errors) + ".");
        return this;
    }

    /// <summary>Why <see cref="OutDir"/> cannot take this run, or null.</summary>
    string? OutputProblem()
    {
        if (File.Exists(OutDir)) return $"--out: '{OutDir}' is a file; expected a folder";
        if (!Directory.Exists(OutDir) || !Directory.EnumerateFileSystemEntries(OutDir).Any()) return null;
        if (!Overwrite)
            return $"--out: folder '{OutDir}' is not empty (an earlier run?); choose another --out, or add --overwrite to replace an earlier r1zero run there";
        var foreign = R1ZeroOutput.Foreign(OutDir).FirstOrDefault();
        return foreign is null ? null
            : $"--overwrite: folder '{OutDir}' holds '{foreign}', which r1zero did not write; choose another --out";
    }
}
