namespace Aha.Tracking;

/// <summary>
/// The stable, slash-grouped metric names trainers report: TRL's (<c>GRPOTrainer</c>, <c>DPOTrainer</c>, the HF
/// <c>Trainer</c>) where the meaning is the same, veRL's <c>timing_s/*</c> and <c>perf/*</c> for what TRL lacks, ours
/// otherwise. Tracking's console, plots and warnings look metrics up by these names; a trainer may report any other
/// name too. The names earlier releases wrote are in <see cref="MetricAliases"/>.
/// </summary>
public static class MetricNames
{
    /// <summary><c>reward</c> (TRL): mean total reward of the step's completions.</summary>
    public const string RewardMean = "reward";
    /// <summary><c>reward_std</c> (TRL): population standard deviation of the total reward.</summary>
    public const string RewardStd = "reward_std";
    /// <summary><c>accuracy</c>: fraction of completions a verifier judged correct (0..1); the reward model's pairwise accuracy (TRL).</summary>
    public const string Accuracy = "accuracy";
    /// <summary><c>frac_reward_zero_std</c> (TRL): fraction of prompt groups whose rewards are all equal (no signal).</summary>
    public const string FracZeroStdGroups = "frac_reward_zero_std";
    /// <summary><c>kl</c> (TRL): mean per-token KL(π_θ ‖ π_ref) estimate.</summary>
    public const string Kl = "kl";
    /// <summary><c>entropy</c> (TRL): mean per-token policy entropy, nats.</summary>
    public const string Entropy = "entropy";
    /// <summary><c>loss</c> (TRL): the optimised loss.</summary>
    public const string Loss = "loss";
    /// <summary><c>clip_ratio/low_mean</c> (TRL): fraction of tokens clipped at 1 − ε_low (ρ &lt; 1 − ε_low and Â &lt; 0).</summary>
    public const string ClipFracLow = "clip_ratio/low_mean";
    /// <summary><c>clip_ratio/high_mean</c> (TRL): fraction of tokens clipped at 1 + ε_high (ρ &gt; 1 + ε_high and Â &gt; 0).</summary>
    public const string ClipFracHigh = "clip_ratio/high_mean";
    /// <summary><c>clip_ratio/region_mean</c> (TRL): fraction of tokens clipped at either bound (low + high, which never overlap).</summary>
    public const string ClipFracRegion = "clip_ratio/region_mean";
    /// <summary><c>clip_ratio/dual_mean</c>: fraction of tokens with Â &lt; 0 and ρ &gt; c (dual clip only).</summary>
    public const string ClipFracDual = "clip_ratio/dual_mean";
    /// <summary><c>clip_ratio/cov_mean</c>: Clip-Cov / KL-Cov, fraction of tokens whose gradient was cut or KL-penalised.</summary>
    public const string ClipFracCov = "clip_ratio/cov_mean";
    /// <summary><c>ratio/mean</c>: mean importance ratio ρ over completion tokens.</summary>
    public const string RatioMean = "ratio/mean";
    /// <summary><c>grad_norm</c> (TRL): global gradient norm before clipping.</summary>
    public const string GradNorm = "grad_norm";
    /// <summary><c>learning_rate</c> (TRL, the HF Trainer): learning rate used by the step.</summary>
    public const string Lr = "learning_rate";
    /// <summary><c>completions/mean_length</c> (TRL): mean completion length, tokens.</summary>
    public const string CompletionLenMean = "completions/mean_length";
    /// <summary><c>completions/min_length</c> (TRL): shortest completion, tokens.</summary>
    public const string CompletionLenMin = "completions/min_length";
    /// <summary><c>completions/max_length</c> (TRL): longest completion, tokens.</summary>
    public const string CompletionLenMax = "completions/max_length";
    /// <summary><c>completions/clipped_ratio</c> (TRL): fraction of completions cut by max_new_tokens before they ended.</summary>
    public const string TruncatedFrac = "completions/clipped_ratio";
    /// <summary><c>perf/generated_tokens_per_s</c>: completion tokens sampled in the step per second of step wall time.</summary>
    public const string GeneratedTokensPerS = "perf/generated_tokens_per_s";
    /// <summary><c>perf/throughput</c> (veRL): tokens of the step's trained batch (prompt and completion, padding
    /// excluded) per second of step wall time — the training forwards' token rate in every trainer.</summary>
    public const string Throughput = "perf/throughput";
    /// <summary><c>perf/samples_per_s</c>: completions sampled and scored per second (rejection sampling).</summary>
    public const string SamplesPerS = "perf/samples_per_s";
    /// <summary><c>step_time</c> (TRL): wall time of the step, seconds.</summary>
    public const string StepS = "step_time";
    /// <summary><c>sampling/sampling_logp_difference/max</c> (TRL): largest |log π_old − log π_rollout| over the
    /// loss tokens, the sampler/trainer mismatch.</summary>
    public const string SamplingLogpDiffMax = "sampling/sampling_logp_difference/max";
    /// <summary><c>value_loss</c>: PPO critic loss.</summary>
    public const string ValueLoss = "value_loss";
    /// <summary><c>explained_var</c>: PPO critic explained variance, 1 − Var(R − V)/Var(R).</summary>
    public const string ExplainedVar = "explained_var";
    /// <summary><c>rewards/chosen</c> (TRL DPO/KTO): mean implicit reward of the chosen (desirable) completions.</summary>
    public const string RewardsChosen = "rewards/chosen";
    /// <summary><c>rewards/rejected</c> (TRL DPO/KTO): mean implicit reward of the rejected (undesirable) completions.</summary>
    public const string RewardsRejected = "rewards/rejected";
    /// <summary><c>rewards/margins</c> (TRL DPO/KTO): mean of chosen − rejected implicit reward.</summary>
    public const string RewardsMargins = "rewards/margins";
    /// <summary><c>rewards/accuracies</c> (TRL DPO): fraction of pairs whose chosen implicit reward is the larger.</summary>
    public const string RewardsAccuracies = "rewards/accuracies";
    /// <summary><c>margin</c> (TRL reward trainer): mean r(chosen) − r(rejected).</summary>
    public const string Margin = "margin";

    /// <summary><c>rewards/&lt;fn&gt;/mean</c> (TRL): mean score of one reward function.</summary>
    public static string RewardFunctionMean(string function) => $"rewards/{function}/mean";

    /// <summary>Whether a metric is read from a clock or the machine (step time, throughput, <c>timing_s/*</c>,
    /// <c>perf/*</c>, and their deprecated names): it differs run to run, every other metric reproduces.</summary>
    public static bool IsClock(string name) => IsClockName(name) || (MetricAliases.CanonicalOf(name) is { } c && IsClockName(c));

    static bool IsClockName(string name) =>
        name == StepS || name.StartsWith("timing_s/", StringComparison.Ordinal) || name.StartsWith("perf/", StringComparison.Ordinal);
}
