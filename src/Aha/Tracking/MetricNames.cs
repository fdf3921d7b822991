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

    // What the on-policy trainers (GRPO family, PPO) report beside the shared names above; keys that do not apply
    // (kl without a reference, the value metrics without a critic) are left out rather than written as NaN.
    /// <summary>Mean overlong shaping term (≤ 0), when shaping is on: <c>rewards/overlong/mean</c>.</summary>
    public const string OverlongMean = "rewards/overlong/mean";
    /// <summary>Generation rounds this step (1 without dynamic sampling).</summary>
    public const string GenRounds = "gen_rounds";
    /// <summary>Groups in the trained batch.</summary>
    public const string BatchGroups = "batch/groups";
    /// <summary>Groups in the trained batch whose scores are not all equal.</summary>
    public const string BatchInformativeGroups = "batch/informative_groups";
    /// <summary>Batch mean of Σ_t k_t(π_old ‖ π_ref) at sampling, what the adaptive controller sees (KL in reward only).</summary>
    public const string KlSequence = "kl/seq";
    /// <summary>β used this step.</summary>
    public const string KlCoef = "kl_coef";
    /// <summary>Rollout correction: token mean of rollout_logp − old_logp, KL(π_rollout ‖ π_old) by k1 (veRL rollout_corr/kl), the
    /// sampler/trainer mismatch KL. Reported whenever π_old comes from a trainer forward (rollout correction on, μ &gt; 1,
    /// several mini-batches, KL in reward, overlapped rollouts).</summary>
    public const string RolloutCorrKl = "rollout_corr/kl";
    /// <summary>Rollout correction: the same KL by k3 (veRL rollout_corr/k3_kl).</summary>
    public const string RolloutCorrK3Kl = "rollout_corr/k3_kl";
    /// <summary>Rollout correction: token mean of π_old/π_rollout before truncation.</summary>
    public const string RolloutCorrRatioMean = "rollout_corr/ratio_mean";
    /// <summary>Rollout correction: largest token ratio π_old/π_rollout.</summary>
    public const string RolloutCorrRatioMax = "rollout_corr/ratio_max";
    /// <summary>Rollout correction: largest sequence ratio Π_t π_old/π_rollout.</summary>
    public const string RolloutCorrSeqRatioMax = "rollout_corr/seq_ratio_max";
    /// <summary>Rollout correction: fraction of loss tokens removed by masked IS.</summary>
    public const string RolloutCorrMaskedFrac = "rollout_corr/masked_frac";
    /// <summary>Token mean of k3(π_old ‖ π_θ), how far the updates moved the policy from the sampler.</summary>
    public const string ApproxKl = "approx_kl";
    /// <summary>Seconds the engine spent generating this step's batch (on a background thread when overlapped).</summary>
    public const string TimingGen = "timing_s/gen";
    /// <summary>Seconds spent scoring this step's batch (rewards, with generation when overlapped).</summary>
    public const string TimingReward = "timing_s/reward";
    /// <summary>Seconds the trainer waited for the batch: generation + scoring in sync mode, only the part the previous update did not hide when overlapped.</summary>
    public const string TimingWaitRollout = "timing_s/wait_rollout";
    /// <summary>Seconds the trainer spent pushing weights to the engine (writing the HF folder and the servers' reload).</summary>
    public const string TimingWeightSync = "timing_s/weight_sync";
    /// <summary>Seconds from batch in hand to the end of the optimizer step(s): frozen-model forwards, advantages, updates.</summary>
    public const string TimingUpdate = "timing_s/update";
    /// <summary>Wall time of the step on the trainer thread (same as <see cref="StepS"/>, under veRL's name).</summary>
    public const string TimingStep = "timing_s/step";
    /// <summary>Seconds of the frozen reference's no-grad forwards (π_ref log-probs; 0 without a reference).</summary>
    public const string TimingRef = "timing_s/ref";
    /// <summary>Seconds of the policy's no-grad forwards for π_old (0 when π_old is π_θ.detach(): μ = 1, one mini-batch).</summary>
    public const string TimingOldLogProb = "timing_s/old_log_prob";
    /// <summary>Seconds of the critic's no-grad forwards for V_old (PPO; 0 otherwise).</summary>
    public const string TimingValues = "timing_s/values";
    /// <summary>Seconds of rollout correction and the advantage estimator.</summary>
    public const string TimingAdv = "timing_s/adv";
    /// <summary>Seconds of the policy's forwards, backwards, clipping and optimizer steps over every pass and mini-batch.</summary>
    public const string TimingUpdateActor = "timing_s/update_actor";
    /// <summary>Seconds of the critic's forwards, backwards, clipping and optimizer steps (PPO; 0 otherwise).</summary>
    public const string TimingUpdateCritic = "timing_s/update_critic";
    /// <summary>Model FLOPs utilisation of the step: the matmul FLOPs of its trainer-side forwards and backwards (ref,
    /// old_log_prob, values, updates; not generation) by <see cref="Benchmarks.ModelFlops"/>, over timing_s/step × the fp32
    /// matmul ceiling measured once per process (<see cref="Benchmarks.MatmulProbe.Ceiling"/>). CPU devices only.</summary>
    public const string PerfMfu = "perf/mfu";
    /// <summary>The actor update's FLOPs over timing_s/update_actor × the ceiling (veRL's perf/mfu/actor). CPU devices only.</summary>
    public const string PerfMfuActor = "perf/mfu/actor";
    /// <summary>Mean over the trained samples of t − v: the trainer's step minus the weight version that sampled the sample (0 in sync mode).</summary>
    public const string StalenessMean = "staleness/mean";
    /// <summary>Largest t − v over the trained samples (≤ rollout.max_staleness).</summary>
    public const string StalenessMax = "staleness/max";
    /// <summary>Groups dropped this step for being staler than rollout.max_staleness.</summary>
    public const string StalenessDroppedGroups = "staleness/dropped_groups";
    /// <summary>PPO: fraction of tokens where the clipped value term was the larger.</summary>
    public const string ValueClipFrac = "value_clip_frac";
}
