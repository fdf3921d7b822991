using Aha.Tracking;

namespace Aha.Training.OnPolicy;

/// <summary>
/// The metric names <see cref="OnPolicyTrainer"/> reports each step through <see cref="ITrainingObserver.OnStep"/>.
/// Reward, length and group metrics cover every completion sampled in the step (all dynamic-sampling rounds: each
/// round samples the current policy afresh); loss-side metrics cover the trained batch over all μ passes, token-weighted.
/// Keys that do not apply (kl without a reference, accuracy without <see cref="OnPolicyConfig.AccuracyReward"/>, the
/// value metrics without a critic) are left out rather than written as NaN.
/// </summary>
public static class OnPolicyMetrics
{
    /// <summary>Mean total score (weighted rewards + overlong shaping).</summary>
    public const string RewardMean = MetricNames.RewardMean;
    /// <summary>Population standard deviation of the total score.</summary>
    public const string RewardStd = MetricNames.RewardStd;
    /// <summary>Mean of one reward function over the samples where it applies: <c>reward/{name}/mean</c>.</summary>
    public static string RewardFunctionMean(string name) => MetricNames.RewardFunctionMean(name);
    /// <summary>Mean overlong shaping term (≤ 0), when shaping is on: <c>rewards/overlong/mean</c>.</summary>
    public const string OverlongMean = "rewards/overlong/mean";
    /// <summary>Fraction of samples whose <see cref="OnPolicyConfig.AccuracyReward"/> is exactly 1.</summary>
    public const string Accuracy = MetricNames.Accuracy;
    /// <summary>Fraction of sampled groups whose scores are all equal (no signal for group baselines).</summary>
    public const string FracZeroStdGroups = MetricNames.FracZeroStdGroups;
    /// <summary>Generation rounds this step (1 without dynamic sampling).</summary>
    public const string GenRounds = "gen_rounds";
    /// <summary>Groups in the trained batch.</summary>
    public const string BatchGroups = "batch/groups";
    /// <summary>Groups in the trained batch whose scores are not all equal.</summary>
    public const string BatchInformativeGroups = "batch/informative_groups";
    /// <summary>Token mean of the configured KL estimator between π_θ and π_ref at the training forwards.</summary>
    public const string Kl = MetricNames.Kl;
    /// <summary>Batch mean of Σ_t k_t(π_old ‖ π_ref) at sampling, what the adaptive controller sees (KL in reward only).</summary>
    public const string KlSequence = "kl/seq";
    /// <summary>β used this step.</summary>
    public const string KlCoef = "kl_coef";
    /// <summary>Token mean of the policy entropy (temperature-scaled), at the training forwards.</summary>
    public const string Entropy = MetricNames.Entropy;
    /// <summary>Fraction of tokens with ρ &lt; 1 − ε_low and Â &lt; 0.</summary>
    public const string ClipFracLow = MetricNames.ClipFracLow;
    /// <summary>Fraction of tokens with ρ &gt; 1 + ε_high and Â &gt; 0.</summary>
    public const string ClipFracHigh = MetricNames.ClipFracHigh;
    /// <summary>Fraction of tokens clipped at either bound: low + high (they never overlap: Â &lt; 0 vs Â &gt; 0).</summary>
    public const string ClipFracRegion = MetricNames.ClipFracRegion;
    /// <summary>Fraction of tokens with Â &lt; 0 and ρ &gt; c (dual clip only).</summary>
    public const string ClipFracDual = MetricNames.ClipFracDual;
    /// <summary>Clip-Cov / KL-Cov: fraction of tokens whose gradient was cut or KL-penalised (0 for other losses).</summary>
    public const string ClipFracCov = MetricNames.ClipFracCov;
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
    /// <summary>Rollout correction: largest |old_logp − rollout_logp|, under TRL's name.</summary>
    public const string RolloutCorrLogpDiffMax = MetricNames.SamplingLogpDiffMax;
    /// <summary>Rollout correction: fraction of loss tokens removed by masked IS.</summary>
    public const string RolloutCorrMaskedFrac = "rollout_corr/masked_frac";
    /// <summary>Token mean of ρ = π_θ/π_old.</summary>
    public const string RatioMean = MetricNames.RatioMean;
    /// <summary>Token mean of k3(π_old ‖ π_θ), how far the updates moved the policy from the sampler.</summary>
    public const string ApproxKl = "approx_kl";
    /// <summary>Mean over optimiser steps of the global policy gradient norm before clipping.</summary>
    public const string GradNorm = MetricNames.GradNorm;
    /// <summary>Policy learning rate this step.</summary>
    public const string Lr = MetricNames.Lr;
    /// <summary>Mean over optimiser steps of the total policy loss (surrogate + KL − entropy bonus).</summary>
    public const string Loss = MetricNames.Loss;
    /// <summary>Mean completion length in tokens.</summary>
    public const string CompletionLenMean = MetricNames.CompletionLenMean;
    /// <summary>Shortest completion in tokens.</summary>
    public const string CompletionLenMin = MetricNames.CompletionLenMin;
    /// <summary>Longest completion in tokens.</summary>
    public const string CompletionLenMax = MetricNames.CompletionLenMax;
    /// <summary>Fraction of completions stopped by max_new_tokens.</summary>
    public const string TruncatedFrac = MetricNames.TruncatedFrac;
    /// <summary>Completion tokens sampled in the step (every generation round) per second of step time.</summary>
    public const string GeneratedTokensPerSecond = MetricNames.GeneratedTokensPerS;
    /// <summary>Wall time of the step in seconds (generation, scoring and optimisation).</summary>
    public const string StepSeconds = MetricNames.StepS;
    /// <summary>Whether a metric is read from a clock or the machine (<see cref="MetricNames.IsClock"/>): it differs run to run, the others reproduce.</summary>
    public static bool IsClock(string name) => MetricNames.IsClock(name);

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
    /// <summary>Wall time of the step on the trainer thread (same as <see cref="StepSeconds"/>, under veRL's name).</summary>
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
    /// <summary>Tokens of the trained batch (prompt + completion, padding excluded) per second of timing_s/step, as veRL's perf/throughput.</summary>
    public const string PerfThroughput = MetricNames.Throughput;
    /// <summary>Mean over the trained samples of t − v: the trainer's step minus the weight version that sampled the sample (0 in sync mode).</summary>
    public const string StalenessMean = "staleness/mean";
    /// <summary>Largest t − v over the trained samples (≤ rollout.max_staleness).</summary>
    public const string StalenessMax = "staleness/max";
    /// <summary>Groups dropped this step for being staler than rollout.max_staleness.</summary>
    public const string StalenessDroppedGroups = "staleness/dropped_groups";
    /// <summary>PPO: mean over optimiser steps of the clipped value loss.</summary>
    public const string ValueLoss = MetricNames.ValueLoss;
    /// <summary>PPO: fraction of tokens where the clipped value term was the larger.</summary>
    public const string ValueClipFrac = "value_clip_frac";
    /// <summary>PPO: 1 − Var(R − V_old)/Var(R) over the batch, before the critic update (as veRL); left out when the returns are constant.</summary>
    public const string ExplainedVar = MetricNames.ExplainedVar;
}
