namespace Aha.Tracking;

/// <summary>
/// The stable, slash-grouped metric names trainers report (TRL's where the meaning is the same). Tracking's console,
/// plots and warnings look metrics up by these names; a trainer may report any other name too.
/// </summary>
public static class MetricNames
{
    /// <summary><c>reward/mean</c>: mean total reward of the step's completions.</summary>
    public const string RewardMean = "reward/mean";
    /// <summary><c>reward/std</c>: standard deviation of the total reward.</summary>
    public const string RewardStd = "reward/std";
    /// <summary><c>accuracy</c>: fraction of completions a verifier judged correct (0..1).</summary>
    public const string Accuracy = "accuracy";
    /// <summary><c>frac_zero_std_groups</c>: fraction of prompt groups whose rewards are all equal (no signal).</summary>
    public const string FracZeroStdGroups = "frac_zero_std_groups";
    /// <summary><c>kl</c>: mean per-token KL(π_θ ‖ π_ref) estimate.</summary>
    public const string Kl = "kl";
    /// <summary><c>entropy</c>: mean per-token policy entropy, nats.</summary>
    public const string Entropy = "entropy";
    /// <summary><c>loss</c>: the optimised loss.</summary>
    public const string Loss = "loss";
    /// <summary><c>clip_frac/low</c>: fraction of tokens clipped at 1 − ε_low.</summary>
    public const string ClipFracLow = "clip_frac/low";
    /// <summary><c>clip_frac/high</c>: fraction of tokens clipped at 1 + ε_high.</summary>
    public const string ClipFracHigh = "clip_frac/high";
    /// <summary><c>ratio/mean</c>: mean importance ratio ρ over completion tokens.</summary>
    public const string RatioMean = "ratio/mean";
    /// <summary><c>grad_norm</c>: global gradient norm before clipping.</summary>
    public const string GradNorm = "grad_norm";
    /// <summary><c>lr</c>: learning rate used by the step.</summary>
    public const string Lr = "lr";
    /// <summary><c>completion_len/mean</c>: mean completion length, tokens.</summary>
    public const string CompletionLenMean = "completion_len/mean";
    /// <summary><c>completion_len/max</c>: longest completion, tokens.</summary>
    public const string CompletionLenMax = "completion_len/max";
    /// <summary><c>truncated_frac</c>: fraction of completions that hit max_new_tokens.</summary>
    public const string TruncatedFrac = "truncated_frac";
    /// <summary><c>tokens_per_s</c>: generated plus trained tokens per second of the step.</summary>
    public const string TokensPerS = "tokens_per_s";
    /// <summary><c>step_s</c>: wall time of the step, seconds.</summary>
    public const string StepS = "step_s";
    /// <summary><c>value_loss</c>: PPO critic loss.</summary>
    public const string ValueLoss = "value_loss";
    /// <summary><c>explained_var</c>: PPO critic explained variance, 1 − Var(R − V)/Var(R).</summary>
    public const string ExplainedVar = "explained_var";

    /// <summary><c>reward/&lt;fn&gt;/mean</c>: mean score of one reward function.</summary>
    public static string RewardFunctionMean(string function) => $"reward/{function}/mean";
}
