using Aha.Configuration;
namespace Aha.Training.Offline;

/// <summary>
/// The knobs every offline trainer (SFT, reward model, DPO) shares: epochs, batch and gradient accumulation,
/// AdamW, warmup + cosine learning rate, gradient clipping, evaluation cadence, truncation and the seed. Names follow
/// HF <c>TrainingArguments</c> where the meaning is the same. Each trainer's config derives from this one and sets
/// its own learning-rate default.
/// </summary>
public abstract record OfflineTrainingConfig : IValidatableConfig
{
    /// <summary>Passes over the training data. Ignored when <see cref="MaxSteps"/> is set. The default value is 1 (HF: 3).</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Optimizer steps to run, overriding <see cref="Epochs"/> (the data is cycled, reshuffled per epoch). Default null.</summary>
    public int? MaxSteps { get; init; }

    /// <summary>Examples (SFT) or pairs (RM, DPO) per forward pass: HF's <c>per_device_train_batch_size</c>. The default value is 8.</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>
    /// Micro-batches summed into one optimizer step; the effective batch is <see cref="BatchSize"/> × this. The loss
    /// is normalised over the whole step (all its tokens or pairs), so accumulation gives the full-batch gradient
    /// exactly. The default value is 1.
    /// </summary>
    public int GradientAccumulationSteps { get; init; } = 1;

    /// <summary>Examples per forward pass during evaluation and reference precomputation. Default null: <see cref="BatchSize"/>.</summary>
    public int? EvalBatchSize { get; init; }

    /// <summary>Peak learning rate of AdamW. Each trainer sets its own default (SFT 2e-5, RM 1e-5, DPO 1e-6, as TRL).</summary>
    public double LearningRate { get; init; } = 2e-5;

    /// <summary>Linear warmup length in optimizer steps; wins over <see cref="WarmupRatio"/> when &gt; 0. The default value is 0.</summary>
    public int WarmupSteps { get; init; }

    /// <summary>Warmup as a fraction of the total steps (HF <c>warmup_ratio</c>). The default value is 0.</summary>
    public double WarmupRatio { get; init; }

    /// <summary>
    /// Cosine decay floor as a fraction of the peak learning rate: 0 decays to zero (HF "cosine"), 1 keeps the rate
    /// constant after warmup. The default value is 0.
    /// </summary>
    public double MinLrRatio { get; init; }

    /// <summary>Decoupled weight decay (arXiv:1711.05101) on matrices only; norms and biases get none. The default value is 0 (TRL).</summary>
    public double WeightDecay { get; init; }

    /// <summary>AdamW β1. The default value is 0.9.</summary>
    public double AdamBeta1 { get; init; } = 0.9;

    /// <summary>AdamW β2. The default value is 0.999.</summary>
    public double AdamBeta2 { get; init; } = 0.999;

    /// <summary>AdamW ε. The default value is 1e-8.</summary>
    public double AdamEpsilon { get; init; } = 1e-8;

    /// <summary>Gradient clipping by global L2 norm; 0 disables clipping (grad_norm is still logged). The default value is 1.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Evaluate every this many optimizer steps (and always after the last); 0 evaluates only at the end. The default value is 0.</summary>
    public int EvalSteps { get; init; }

    /// <summary>
    /// Longest sequence (prompt + completion) in tokens. Longer ones keep their start (TRL SFT's "keep_start");
    /// an example left with no completion token is dropped and counted in a warning. The default value is 1024.
    /// </summary>
    public int MaxLength { get; init; } = 1024;

    /// <summary>Append the tokenizer's EOS to plain-text completions (ChatML turns already end in &lt;|im_end|&gt;). The default value is true.</summary>
    public bool AppendEos { get; init; } = true;

    /// <summary>Seed of the per-epoch data shuffle (and of nothing else: these trainers draw no random numbers). The default value is 42 (HF).</summary>
    public long Seed { get; init; } = 42;

    /// <summary>Examples per evaluation forward pass after defaults are applied.</summary>
    public int ResolvedEvalBatchSize => EvalBatchSize ?? BatchSize;

    /// <summary>Examples per optimizer step.</summary>
    public int EffectiveBatchSize => BatchSize * GradientAccumulationSteps;

    /// <summary>One problem per invalid knob, at its snake_case key; derived configs add theirs after these.</summary>
    public virtual IEnumerable<ConfigProblem> Problems()
    {
        if (Epochs < 1) yield return new ConfigProblem("epochs", $"epochs must be ≥ 1 (got {Epochs})", Epochs);
        if (MaxSteps is int s && s < 1) yield return new ConfigProblem("max_steps", $"max_steps must be ≥ 1 or null (got {s})", s);
        if (BatchSize < 1) yield return new ConfigProblem("batch_size", $"batch_size must be ≥ 1 (got {BatchSize})", BatchSize);
        if (GradientAccumulationSteps < 1) yield return new ConfigProblem("gradient_accumulation_steps", $"gradient_accumulation_steps must be ≥ 1 (got {GradientAccumulationSteps})", GradientAccumulationSteps);
        if (EvalBatchSize is int e && e < 1) yield return new ConfigProblem("eval_batch_size", $"eval_batch_size must be ≥ 1 or null (got {e})", e);
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) yield return new ConfigProblem("learning_rate", $"learning_rate must be > 0 and finite (got {LearningRate})", LearningRate);
        if (WarmupSteps < 0) yield return new ConfigProblem("warmup_steps", $"warmup_steps must be ≥ 0 (got {WarmupSteps})", WarmupSteps);
        if (!(WarmupRatio >= 0 && WarmupRatio < 1)) yield return new ConfigProblem("warmup_ratio", $"warmup_ratio must be in [0, 1) (got {WarmupRatio})", WarmupRatio);
        if (!(MinLrRatio >= 0 && MinLrRatio <= 1)) yield return new ConfigProblem("min_lr_ratio", $"min_lr_ratio must be in [0, 1] (got {MinLrRatio})", MinLrRatio);
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay)) yield return new ConfigProblem("weight_decay", $"weight_decay must be ≥ 0 and finite (got {WeightDecay})", WeightDecay);
        if (!(AdamBeta1 >= 0 && AdamBeta1 < 1)) yield return new ConfigProblem("adam_beta1", $"adam_beta1 must be in [0, 1) (got {AdamBeta1})", AdamBeta1);
        if (!(AdamBeta2 >= 0 && AdamBeta2 < 1)) yield return new ConfigProblem("adam_beta2", $"adam_beta2 must be in [0, 1) (got {AdamBeta2})", AdamBeta2);
        if (!(AdamEpsilon > 0)) yield return new ConfigProblem("adam_epsilon", $"adam_epsilon must be > 0 (got {AdamEpsilon})", AdamEpsilon);
        if (!(MaxGradNorm >= 0) || double.IsInfinity(MaxGradNorm)) yield return new ConfigProblem("max_grad_norm", $"max_grad_norm must be ≥ 0 and finite; 0 disables clipping (got {MaxGradNorm})", MaxGradNorm);
        if (EvalSteps < 0) yield return new ConfigProblem("eval_steps", $"eval_steps must be ≥ 0; 0 evaluates at the end only (got {EvalSteps})", EvalSteps);
        if (MaxLength < 2) yield return new ConfigProblem("max_length", $"max_length must be ≥ 2 tokens (got {MaxLength})", MaxLength);
    }

    /// <summary>The learning-rate schedule for a run of <paramref name="totalSteps"/> optimizer steps.</summary>
    public LrSchedule Schedule(int totalSteps)
    {
        int warmup = WarmupSteps > 0 ? WarmupSteps : (int)Math.Ceiling(WarmupRatio * totalSteps);
        return new LrSchedule(LearningRate, warmup, totalSteps, MinLrRatio);
    }
}
