using Aha.Configuration;
using Aha.Algorithms;
using Aha.Rewards;
using Aha.Tracking;

namespace Aha.Training.OnPolicy;

/// <summary>
/// Every knob of <see cref="OnPolicyTrainer"/> (GRPO / DAPO / Dr. GRPO / RLOO / REINFORCE++ / PPO), TRL-style: each
/// field has a default and says what it does, where it comes from and what practice recommends. The algorithm fields
/// (estimator, clip, aggregation, KL, β, dynamic sampling, overlong shaping) default to the chosen
/// <see cref="Preset"/>; a non-null value overrides the preset. <see cref="Problems"/> lists every invalid field and
/// combination as data; <see cref="ResolveAlgorithm"/> (what the trainer calls) throws them in one <see cref="ConfigException"/>.
/// </summary>
public sealed record OnPolicyConfig : IValidatableConfig
{
    // ---- algorithm (preset + overrides) ----

    /// <summary>Algorithm preset: <c>grpo</c>, <c>dapo</c>, <c>dr_grpo</c>, <c>rloo</c>, <c>reinforce_pp</c>, <c>ppo</c>,
    /// <c>gspo</c>, <c>cispo</c>, <c>sapo</c> or <c>gmpo</c> (see <see cref="Presets"/>). The default value is <c>grpo</c>.</summary>
    public string Preset { get; init; } = "grpo";

    /// <summary>Advantage estimator by name (<see cref="AdvantageEstimatorRegistry"/>: grpo, dr_grpo, rloo, reinforce_pp,
    /// reinforce_pp_baseline, gae); null takes the preset's. <c>gae</c> needs a value model.</summary>
    public string? Estimator { get; init; }

    /// <summary>Policy loss by name (<see cref="PolicyLossRegistry"/>: vanilla, pg, gspo, gspo_token, cispo, sapo, gmpo,
    /// clip_cov, kl_cov); null takes the preset's.</summary>
    public string? PolicyLoss { get; init; }

    /// <summary>ε_low: the ratio is clipped below at 1 − ε_low (PPO arXiv:1707.06347, 0.2; ≥ 1 removes the lower clip,
    /// as CISPO). Null takes the preset's.</summary>
    public double? ClipLow { get; init; }

    /// <summary>ε_high: the ratio is clipped above at 1 + ε_high. DAPO's clip-higher (arXiv:2503.14476) recommends 0.28 so
    /// low-probability tokens can grow and entropy does not collapse. Null takes the preset's (0.2, DAPO 0.28).</summary>
    public double? ClipHigh { get; init; }

    /// <summary>Dual-clip c &gt; 1 bounding the loss of Â &lt; 0 tokens at −Â·c (Ye et al., arXiv:1912.09729; veRL uses 3).
    /// Vanilla loss only. Null takes the preset's (none of them clip twice).</summary>
    public double? DualClip { get; init; }

    /// <summary>Loss aggregation by name: token-mean (DAPO), seq-mean-token-mean (GRPO), seq-mean-token-sum (RLOO),
    /// seq-mean-token-sum-norm (Dr. GRPO, L_norm = <see cref="MaxNewTokens"/>), token-sum. Null takes the preset's.</summary>
    public string? Aggregation { get; init; }

    /// <summary>KL estimator by name: k1, k2, k3, abs, k1+, k3+ (Schulman 2020; "+" = straight-through with k2's gradient,
    /// veRL ≥ 0.8). GRPO puts k3 in the loss; PPO, RLOO and REINFORCE++ put k1 in the reward. Null takes the preset's.</summary>
    public string? KlEstimator { get; init; }

    /// <summary>Where β·KL enters: <c>loss</c> (+β·agg(k)), <c>reward</c> (−β·k per token, or −β·Σ_t k for
    /// sequence-level estimators) or <c>none</c>. Null takes the preset's.</summary>
    public KlPlacement? KlPlacement { get; init; }

    /// <summary>KL coefficient β. 0 skips the reference model entirely. Practice: 0.001–0.04 (GRPO 0.04, PPO 0.05,
    /// DAPO / Dr. GRPO 0). With <see cref="AdaptiveKl"/> this is the initial β. Null takes the preset's.</summary>
    public double? Beta { get; init; }

    /// <summary>SAPO gate temperature for Â &gt; 0 (veRL tau_pos / TRL sapo_temperature_pos). The default value is 1.0.</summary>
    public double SapoTauPos { get; init; } = 1.0;

    /// <summary>SAPO gate temperature for Â ≤ 0; above τ_pos damps negative updates faster. The default value is 1.05.</summary>
    public double SapoTauNeg { get; init; } = 1.05;

    /// <summary>Clip-Cov: fraction of tokens detached (arXiv:2505.22617; veRL clip_cov_ratio). The default value is 2e-4.</summary>
    public double ClipCovRatio { get; init; } = 2e-4;

    /// <summary>Clip-Cov: lower covariance bound of the candidates (veRL clip_cov_lb). The default value is 1.</summary>
    public double ClipCovLow { get; init; } = 1.0;

    /// <summary>Clip-Cov: upper covariance bound of the candidates (veRL clip_cov_ub). The default value is 5.</summary>
    public double ClipCovHigh { get; init; } = 5.0;

    /// <summary>KL-Cov: fraction of tokens, those of largest covariance, KL-penalised (veRL kl_cov_ratio). The default value is 2e-4.</summary>
    public double KlCovRatio { get; init; } = 2e-4;

    /// <summary>KL-Cov: coefficient of |logp − old_logp| on those tokens (veRL ppo_kl_coef). The default value is 0.1.</summary>
    public double KlCovCoef { get; init; } = 0.1;

    /// <summary>Rollout correction, truncated IS: <c>none</c>, <c>token</c> or <c>sequence</c> (veRL rollout_is; TRL
    /// vllm_importance_sampling_mode token_truncate / sequence_truncate). The loss is weighted by min(π_old/π_rollout, C).
    /// Needed when the rollout engine's numerics or weights differ from the trainer's (remote, async). The default value is none.</summary>
    public RolloutCorrectionLevel RolloutIs { get; init; }

    /// <summary>C of truncated IS (veRL rollout_is_threshold; TRL clip_max 3.0). The default value is 2.</summary>
    public double RolloutIsThreshold { get; init; } = 2.0;

    /// <summary>Rollout correction, masked IS: <c>none</c>, <c>token</c> or <c>sequence</c> — tokens or whole sequences whose
    /// ratio π_old/π_rollout leaves [rollout_rs_low, rollout_rs_high] leave the loss (veRL rollout_rs token_k1 / seq_sum_k1;
    /// TRL token_mask / sequence_mask). The default value is none.</summary>
    public RolloutCorrectionLevel RolloutRs { get; init; }

    /// <summary>Lower ratio bound of masked IS. The default value is 0 (none).</summary>
    public double RolloutRsLow { get; init; }

    /// <summary>Upper ratio bound of masked IS. The default value is 2.</summary>
    public double RolloutRsHigh { get; init; } = 2.0;

    /// <summary>DAPO dynamic sampling: drop groups whose rewards are all equal (zero advantage, zero signal) and sample
    /// new prompts until <see cref="PromptsPerStep"/> informative groups are collected, at most
    /// <see cref="MaxGenRounds"/> rounds. Null takes the preset's (on for dapo).</summary>
    public bool? DynamicSampling { get; init; }

    /// <summary>DAPO overlong reward shaping (see <see cref="OverlongMode"/>, <see cref="OverlongMaxLength"/>,
    /// <see cref="OverlongBuffer"/>, <see cref="OverlongPenalty"/>). Null takes the preset's (on for dapo).</summary>
    public bool? OverlongShaping { get; init; }

    // ---- rollout ----

    /// <summary>G, completions sampled per prompt (a group). Group baselines need G ≥ 2; practice 8–16 (DeepSeekMath 64).
    /// The default value is 8.</summary>
    public int NumGenerations { get; init; } = 8;

    /// <summary>Prompts (groups) per optimisation step; the batch is PromptsPerStep · G completions. With dynamic
    /// sampling, the number of informative groups to collect. The default value is 8.</summary>
    public int PromptsPerStep { get; init; } = 8;

    /// <summary>Most tokens per completion; also DAPO's L_max by default and Dr. GRPO's L_norm. Practice 1024–2048 for
    /// reasoning models. The default value is 256.</summary>
    public int MaxNewTokens { get; init; } = 256;

    /// <summary>Sampling temperature; log-probs, ratios and entropy are computed under the same temperature (as veRL).
    /// Must be &gt; 0: greedy groups carry no signal. The default value is 1.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Nucleus sampling threshold; 1 disables (recommended for RL: truncation biases π_old). The default value is 1.</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Top-k sampling; 0 disables (recommended for RL). The default value is 0.</summary>
    public int TopK { get; init; }

    /// <summary>Token ids that end a completion; null means the tokenizer's EOS. The default value is null.</summary>
    public IReadOnlyList<int>? StopTokenIds { get; init; }

    /// <summary>Strings that end a completion. The default value is none.</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    // ---- optimisation ----

    /// <summary>Policy AdamW peak learning rate. Practice 1e-6–5e-6 for pretrained models (TRL 1e-6), 1e-3–1e-2 for
    /// tiny random ones. The default value is 1e-6.</summary>
    public double LearningRate { get; init; } = 1e-6;

    /// <summary>AdamW decoupled weight decay on matrices (norms and biases never decay). The default value is 0.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Linear LR warmup steps. The default value is 0.</summary>
    public int WarmupSteps { get; init; }

    /// <summary>Total steps for cosine decay to <see cref="MinLrRatio"/>·lr; 0 keeps the LR constant after warmup
    /// (common in RL). The default value is 0.</summary>
    public int TotalSteps { get; init; }

    /// <summary>Floor of the cosine decay as a fraction of the peak LR. The default value is 0.</summary>
    public double MinLrRatio { get; init; }

    /// <summary>μ, optimisation passes over each rollout batch (GRPO's μ, PPO's epochs). μ = 1 with one mini-batch is
    /// strictly on-policy (ρ ≡ 1). TRL default 1; PPO-RLHF often 4. The default value is 1.</summary>
    public int NumIterations { get; init; } = 1;

    /// <summary>Completions per optimiser step; 0 means the whole batch (one step per pass). Must divide
    /// PromptsPerStep · G and be a multiple of G, so groups stay whole. The default value is 0.</summary>
    public int MiniBatchSize { get; init; }

    /// <summary>Completions per forward/backward (gradient accumulation inside a mini-batch; the result is the same as
    /// the whole mini-batch at once). 0 means the mini-batch. Must divide the mini-batch. The default value is 0.</summary>
    public int MicroBatchSize { get; init; }

    /// <summary>Micro-batches by a token budget instead of <see cref="MicroBatchSize"/>: consecutive completions while
    /// their prompt + completion tokens (padding excluded) fit, a longer one alone; veRL's dynamic batch size
    /// (<c>use_dynamic_bsz: true</c> with <c>ppo_max_token_len_per_gpu</c> = this; the no-grad forwards use it too). The
    /// result is the same as the whole mini-batch at once. 0 is off. The default value is 0.</summary>
    public int MicroBatchTokens { get; init; }

    /// <summary>Pack each micro-batch's sequences side by side into rows no longer than the step's longest sequence,
    /// attending block-diagonally with positions restarting per sequence, instead of padding every row to the longest
    /// prompt + longest completion (veRL's <c>use_remove_padding</c>, TRL's <c>padding_free</c>). The same logits, without
    /// the padding's work. The default value is false.</summary>
    public bool Packing { get; init; }

    /// <summary>Clip the global gradient norm to this value; null disables (the norm is still logged). Practice 1.0.
    /// The default value is 1.</summary>
    public double? MaxGradNorm { get; init; } = 1.0;

    /// <summary>Entropy bonus: − c·agg(H) is added to the loss. Practice 0 (veRL/TRL default); DAPO prefers clip-higher.
    /// The default value is 0.</summary>
    public double EntropyCoef { get; init; }

    /// <summary>Seed for sampling (each generation call uses a seed derived from it, the step and the round, so a resumed
    /// run samples what the uninterrupted one did). The default value is 0.</summary>
    public long Seed { get; init; }

    // ---- DAPO ----

    /// <summary>Dynamic sampling: most generation rounds per step; after the last, train on the informative groups
    /// collected so far (veRL's max_num_gen_batches, default 10 there). The default value is 3.</summary>
    public int MaxGenRounds { get; init; } = 3;

    /// <summary>Overlong shaping mode: soft (DAPO eq. 13, a linear ramp over the buffer before L_max) or hard
    /// (−λ beyond L_max). A truncated completion counts as longer than L_max. The default value is soft.</summary>
    public OverlongMode OverlongMode { get; init; } = OverlongMode.Soft;

    /// <summary>L_max of overlong shaping; null means <see cref="MaxNewTokens"/>. DAPO: 20480. The default value is null.</summary>
    public int? OverlongMaxLength { get; init; }

    /// <summary>L_buf of soft shaping; null means L_max / 5 (DAPO: 4096 of 20480). The default value is null.</summary>
    public int? OverlongBuffer { get; init; }

    /// <summary>λ, the largest overlong penalty. DAPO: 1. The default value is 1.</summary>
    public double OverlongPenalty { get; init; } = 1.0;

    /// <summary>DAPO overlong filtering: truncated completions (stopped by max_new_tokens) get mask 0 in the loss; their
    /// rewards still count in their group's baseline. The default value is false.</summary>
    public bool MaskTruncatedCompletions { get; init; }

    // ---- PPO ----

    /// <summary>Critic (value model) AdamW learning rate. veRL 1e-5; often 2–10× the policy's. The default value is 1e-5.</summary>
    public double CriticLearningRate { get; init; } = 1e-5;

    /// <summary>Value clip c: ½·max((V − R)², (V_old + clip(V − V_old, ±c) − R)²); null disables. veRL/TRL 0.2.
    /// The default value is 0.2.</summary>
    public double? ValueClip { get; init; } = 0.2;

    /// <summary>Discount γ of GAE and REINFORCE++ returns. RLHF uses 1. The default value is 1.</summary>
    public double Gamma { get; init; } = 1.0;

    /// <summary>GAE λ (arXiv:1506.02438). InstructGPT / TRL 0.95. The default value is 0.95.</summary>
    public double Lambda { get; init; } = 0.95;

    /// <summary>Whiten GAE advantages over the batch (veRL, TRL). The default value is true.</summary>
    public bool WhitenAdvantages { get; init; } = true;

    /// <summary>Adaptive KL controller (Ziegler et al., arXiv:1909.08593): after each step
    /// β ← β·(1 + clip((KL − target)/target, −0.2, 0.2)·n/horizon), KL the batch mean of Σ_t k_t, n the batch size.
    /// Needs KL placement <c>reward</c>. The default value is false (fixed β).</summary>
    public bool AdaptiveKl { get; init; }

    /// <summary>Target sequence KL (nats) of the adaptive controller. Ziegler et al. / TRL: 6. The default value is 6.</summary>
    public double KlTarget { get; init; } = 6.0;

    /// <summary>Horizon (in samples) of the adaptive controller. Ziegler et al. / TRL: 10000. The default value is 10000.</summary>
    public double KlHorizon { get; init; } = 10000;

    // ---- reporting ----

    /// <summary>Name of the reward function whose value 1 counts as correct, for the <c>accuracy</c> metric; null
    /// logs no accuracy. The default value is null.</summary>
    public string? AccuracyReward { get; init; }

    /// <summary>Completions of the trained batch passed to <see cref="ITrainingObserver.OnSamples"/> each step (from
    /// the start of the batch). The default value is 4.</summary>
    public int LogSamplesPerStep { get; init; } = 4;

    /// <summary>
    /// The preset with this config's overrides applied, every name looked up in its registry, every knob checked in the
    /// same pass (what a trainer calls once).
    /// </summary>
    /// <exception cref="ConfigException">Any problem (<see cref="Problems"/>), unknown names listing the valid ones.</exception>
    public AlgorithmSpec ResolveAlgorithm()
    {
        var problems = Check(out var spec);
        return problems.Count == 0 ? spec! : throw new ConfigException(nameof(OnPolicyConfig), problems);
    }

    AlgorithmSpec? TryResolveAlgorithm(List<ConfigProblem> problems)
    {
        AlgorithmPreset p;
        try { p = Presets.Get(Preset); }
        catch (ArgumentException e)
        {
            problems.Add(new ConfigProblem("preset", e.Message.Split(" (Parameter")[0], Preset));
            return null;
        }
        var loss = new PolicyLossSettings(ClipLow ?? p.ClipLow, ClipHigh ?? p.ClipHigh, DualClip ?? p.DualClip,
            SapoTauPos, SapoTauNeg, ClipCovRatio, ClipCovLow, ClipCovHigh, KlCovRatio, KlCovCoef);
        var correction = new RolloutCorrectionSettings(RolloutIs, RolloutIsThreshold, RolloutRs, RolloutRsLow, RolloutRsHigh);
        var unknown = new List<(string Key, string Message)>();
        var spec = AlgorithmSpec.Resolve(p, Estimator, PolicyLoss, Aggregation, KlEstimator, KlPlacement ?? p.KlPlacement,
            Beta ?? p.Beta, loss, correction, DynamicSampling ?? p.DynamicSampling, OverlongShaping ?? p.OverlongShaping, unknown);
        problems.AddRange(unknown.Select(u => new ConfigProblem(u.Key, u.Message)));
        return spec;
    }

    /// <summary>PromptsPerStep · G, the completions of one step's batch.</summary>
    public int BatchSize => PromptsPerStep * NumGenerations;

    /// <summary>L_max of overlong shaping.</summary>
    public int ResolvedOverlongMaxLength => OverlongMaxLength ?? MaxNewTokens;

    /// <summary>L_buf of soft overlong shaping.</summary>
    public int ResolvedOverlongBuffer => OverlongBuffer ?? Math.Max(1, ResolvedOverlongMaxLength / 5);

    /// <summary>Every field and cross-field rule, each broken one as a problem at its key (<see cref="IValidatableConfig"/>).</summary>
    public IEnumerable<ConfigProblem> Problems() => Check(out _);

    List<ConfigProblem> Check(out AlgorithmSpec? spec)
    {
        var errors = new List<ConfigProblem>();
        void Check(bool ok, string key, object? value, string message) { if (!ok) errors.Add(new ConfigProblem(key, message, value)); }

        var a = spec = TryResolveAlgorithm(errors);
        bool groupBaseline = a?.Estimator.Has(EstimatorNeeds.GroupBaseline) == true;
        Check(NumGenerations >= 1, "num_generations", NumGenerations, $"num_generations must be ≥ 1 (got {NumGenerations})");
        Check(!groupBaseline || NumGenerations != 1, "num_generations", NumGenerations,
            $"num_generations is 1 but estimator {a?.Estimator.Name} uses a group baseline, and a group of one has none (Â = r, as veRL); use G ≥ 2 (practice 8–16)");
        Check(PromptsPerStep >= 1, "prompts_per_step", PromptsPerStep, $"prompts_per_step must be ≥ 1 (got {PromptsPerStep})");
        Check(MaxNewTokens >= 1, "max_new_tokens", MaxNewTokens, $"max_new_tokens must be ≥ 1 (got {MaxNewTokens})");
        Check(Temperature > 0 && double.IsFinite(Temperature), "temperature", Temperature, $"temperature must be > 0 (got {Temperature}); greedy groups are identical and carry no signal");
        Check(TopP > 0 && TopP <= 1, "top_p", TopP, $"top_p must be in (0, 1] (got {TopP})");
        Check(TopK >= 0, "top_k", TopK, $"top_k must be ≥ 0 (got {TopK})");

        Check(LearningRate > 0 && double.IsFinite(LearningRate), "learning_rate", LearningRate, $"learning_rate must be > 0 (got {LearningRate})");
        Check(WeightDecay >= 0, "weight_decay", WeightDecay, $"weight_decay must be ≥ 0 (got {WeightDecay})");
        Check(WarmupSteps >= 0, "warmup_steps", WarmupSteps, $"warmup_steps must be ≥ 0 (got {WarmupSteps})");
        Check(TotalSteps >= 0, "total_steps", TotalSteps, $"total_steps must be ≥ 0 (got {TotalSteps}; 0 keeps the LR constant)");
        Check(TotalSteps == 0 || TotalSteps > WarmupSteps, "total_steps", TotalSteps, $"total_steps ({TotalSteps}) must exceed warmup_steps ({WarmupSteps}) for a cosine decay, or be 0");
        Check(MinLrRatio >= 0 && MinLrRatio <= 1, "min_lr_ratio", MinLrRatio, $"min_lr_ratio must be in [0, 1] (got {MinLrRatio})");
        Check(NumIterations >= 1, "num_iterations", NumIterations, $"num_iterations must be ≥ 1 (got {NumIterations})");
        Check(MiniBatchSize >= 0, "mini_batch_size", MiniBatchSize, $"mini_batch_size must be ≥ 0 (got {MiniBatchSize}; 0 means the whole batch)");
        Check(MicroBatchSize >= 0, "micro_batch_size", MicroBatchSize, $"micro_batch_size must be ≥ 0 (got {MicroBatchSize}; 0 means the mini-batch)");
        if (MiniBatchSize > 0 && NumGenerations >= 1 && PromptsPerStep >= 1)
        {
            Check(BatchSize % MiniBatchSize == 0, "mini_batch_size", MiniBatchSize,
                $"mini_batch_size ({MiniBatchSize}) must divide the batch prompts_per_step · num_generations ({PromptsPerStep} · {NumGenerations} = {BatchSize})");
            Check(MiniBatchSize % NumGenerations == 0, "mini_batch_size", MiniBatchSize,
                $"mini_batch_size ({MiniBatchSize}) must be a multiple of num_generations ({NumGenerations}) so groups stay whole");
        }
        Check(MicroBatchTokens >= 0, "micro_batch_tokens", MicroBatchTokens, $"micro_batch_tokens must be ≥ 0 (got {MicroBatchTokens}; 0 means micro-batches of micro_batch_size rows)");
        Check(MicroBatchTokens == 0 || MicroBatchSize == 0, "micro_batch_tokens", MicroBatchTokens,
            $"micro_batch_tokens ({MicroBatchTokens}) and micro_batch_size ({MicroBatchSize}) are both set; micro-batches are sized by one of them, set the other to 0");
        int mini = MiniBatchSize > 0 ? MiniBatchSize : BatchSize;
        if (MicroBatchSize > 0 && mini > 0)
            Check(mini % MicroBatchSize == 0, "micro_batch_size", MicroBatchSize, $"micro_batch_size ({MicroBatchSize}) must divide the mini-batch ({mini})");
        Check(MaxGradNorm is null || MaxGradNorm > 0, "max_grad_norm", MaxGradNorm, $"max_grad_norm must be > 0 or null for no clipping (got {MaxGradNorm})");
        Check(EntropyCoef >= 0 && double.IsFinite(EntropyCoef), "entropy_coef", EntropyCoef, $"entropy_coef must be ≥ 0 (got {EntropyCoef})");

        if (a is not null)
        {
            errors.AddRange(a.Loss.Problems().Concat(a.RolloutCorrection.Problems()).Select(p => new ConfigProblem(p.Key, p.Message)));
            Check(a.Beta >= 0 && double.IsFinite(a.Beta), "beta", a.Beta, $"beta must be ≥ 0 (got {a.Beta})");
            Check(!(a.Beta > 0 && a.KlPlacement == Algorithms.KlPlacement.None), "beta", a.Beta,
                $"beta is {a.Beta} but kl_placement is none; set kl_placement to loss or reward, or beta to 0");
            Check(!AdaptiveKl || a.KlPlacement == Algorithms.KlPlacement.Reward, "adaptive_kl", AdaptiveKl,
                $"adaptive_kl needs kl_placement reward (got {a.KlPlacement.ToName()})");
            Check(!AdaptiveKl || a.Beta > 0, "adaptive_kl", AdaptiveKl, "adaptive_kl needs an initial beta > 0");
            Check(!a.DynamicSampling || NumGenerations >= 2, "dynamic_sampling", a.DynamicSampling,
                $"dynamic_sampling needs num_generations ≥ 2 (got {NumGenerations}): a group of one always has zero variance");
        }
        Check(KlTarget > 0, "kl_target", KlTarget, $"kl_target must be > 0 (got {KlTarget})");
        Check(KlHorizon > 0, "kl_horizon", KlHorizon, $"kl_horizon must be > 0 (got {KlHorizon})");

        Check(MaxGenRounds >= 1, "max_gen_rounds", MaxGenRounds, $"max_gen_rounds must be ≥ 1 (got {MaxGenRounds})");
        Check(OverlongMaxLength is null || OverlongMaxLength >= 1, "overlong_max_length", OverlongMaxLength, $"overlong_max_length must be ≥ 1 (got {OverlongMaxLength})");
        Check(OverlongBuffer is null || (OverlongBuffer >= 1 && OverlongBuffer <= ResolvedOverlongMaxLength), "overlong_buffer", OverlongBuffer,
            $"overlong_buffer must be in 1..overlong_max_length ({ResolvedOverlongMaxLength}) (got {OverlongBuffer})");
        Check(OverlongPenalty >= 0 && double.IsFinite(OverlongPenalty), "overlong_penalty", OverlongPenalty, $"overlong_penalty must be ≥ 0 (got {OverlongPenalty})");

        Check(CriticLearningRate > 0 && double.IsFinite(CriticLearningRate), "critic_learning_rate", CriticLearningRate, $"critic_learning_rate must be > 0 (got {CriticLearningRate})");
        Check(ValueClip is null || ValueClip > 0, "value_clip", ValueClip, $"value_clip must be > 0 or null for no clipping (got {ValueClip})");
        Check(Gamma >= 0 && Gamma <= 1, "gamma", Gamma, $"gamma must be in [0, 1] (got {Gamma})");
        Check(Lambda >= 0 && Lambda <= 1, "lambda", Lambda, $"lambda must be in [0, 1] (got {Lambda})");

        Check(AccuracyReward is null || AccuracyReward.Trim().Length > 0, "accuracy_reward", AccuracyReward, "accuracy_reward must be a reward function name or null");
        Check(LogSamplesPerStep >= 0, "log_samples_per_step", LogSamplesPerStep, $"log_samples_per_step must be ≥ 0 (got {LogSamplesPerStep})");

        return errors;
    }
}
