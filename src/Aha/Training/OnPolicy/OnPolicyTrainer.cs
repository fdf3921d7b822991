using System.Diagnostics;
using Aha.Algorithms;
using Aha.Data;
using Aha.Environments;
using Aha.Generation;
using Aha.IO;
using Aha.Models;
using Aha.Rewards;
using Aha.Tokenization;
using Aha.Tracking;
using Aha.Training.Checkpointing;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Aha.Training.OnPolicy;

/// <summary>
/// One on-policy trainer for GRPO, DAPO, Dr. GRPO, RLOO, REINFORCE++ and PPO, chosen by <see cref="OnPolicyConfig"/>
/// (preset + overrides). Per step:
/// <list type="number">
/// <item>pull <c>PromptsPerStep</c> prompts, sample G completions each through the <see cref="IRolloutEngine"/>;</item>
/// <item>score them with the <see cref="RewardScorer"/> (+ DAPO overlong shaping); with dynamic sampling drop
/// zero-variance groups and sample more prompts until the batch is full or <c>MaxGenRounds</c> is reached;</item>
/// <item>one no-grad pass for what the advantages need: π_ref log-probs (β &gt; 0), π_old log-probs (μ &gt; 1, several
/// mini-batches, or KL in the reward), critic values V_old (PPO);</item>
/// <item>advantages by estimator: group baselines on r_i (− β·Σ_t k_t when KL is in the reward); REINFORCE++ and GAE
/// on token rewards r_t = −β·k_t + 1[t = last]·r, REINFORCE++ whitened over the batch, GAE with the critic;</item>
/// <item>μ passes over mini-batches, each split into micro-batches whose losses sum exactly to the mini-batch loss
/// (<see cref="AggregationNorm"/>): clipped surrogate (ε_low/ε_high, dual clip) + β·agg(k) when KL is in the loss −
/// c_H·agg(H); backward; clip grad norm; AdamW step. PPO also steps the critic on the clipped value loss with its own
/// optimiser.</item>
/// </list>
/// <para>
/// Departures from the papers and where we chose between implementations:
/// <list type="bullet">
/// <item>π_old: with μ = 1 and one mini-batch, π_old = π_θ.detach() (as TRL), so ρ ≡ 1 exactly and no extra forward is
/// run; otherwise π_old log-probs come from a fresh no-grad forward of the policy before the first update, never from
/// the rollout engine (its KV-cached, possibly remote numerics differ slightly from the trainer's).</item>
/// <item>KL in the reward with a sequence-level estimator (grpo, dr_grpo, rloo) subtracts β·Σ_t k_t from r_i before
/// the baseline, as TRL's RLOO; REINFORCE++ and PPO spread it per token.</item>
/// <item>Dynamic sampling keeps at most <c>PromptsPerStep</c> informative groups (the surplus of the last round is
/// dropped, as veRL); after <c>MaxGenRounds</c> it trains on what it has, and if nothing informative was sampled at all
/// it trains on the last round (advantages ≈ 0) and warns. Reward metrics cover every round.</item>
/// <item>Overlong shaping counts a truncated completion as one token longer than generated (it had not finished), so
/// the hard penalty hits truncation when L_max = max_new_tokens.</item>
/// <item>Mini-batches are taken in order, not reshuffled per pass (as veRL's actor).</item>
/// <item>Sampling seeds derive from (seed, step, round), so there is no generator state to save and a resumed run
/// samples exactly what the uninterrupted one did (in <c>sync</c> mode: an overlapped run regenerates the batch that
/// was in flight at the checkpoint with the newer weights).</item>
/// <item>Overlapped rollouts (<see cref="RolloutSchedule"/>: one_step_off, async) train on samples from θ_{t−k}; π_old
/// is then always the trainer's own forward at θ_t, so the ratio ρ = π_θ/π_old starts at 1 and the gap to the
/// sampler is what rollout correction (rollout_is/rollout_rs) weighs, as veRL's recomputed old log-probs.</item>
/// <item>The reference model is a frozen copy of the policy as given to the constructor (only when β &gt; 0); a policy
/// with LoRA adapters is its own reference with the adapters switched off, as TRL with PEFT.
/// <see cref="LoadState"/> expects a trainer built from the same initial policy; it does not save the reference.</item>
/// </list>
/// </para>
/// </summary>
public sealed class OnPolicyTrainer : IDisposable
{
    const string PolicyDir = "policy", CriticDir = "critic";
    // trainer_state.json fields besides the step: where the prompt stream stands, the adaptive β, and what the
    // checkpoint was made with (checked on load)
    const string PromptPositionField = "prompt_position", BetaField = "beta", PresetField = "preset", SeedField = "seed", HasCriticField = "has_critic";
    const string OptimizerFile = "optimizer.bin", CriticOptimizerFile = "critic_optimizer.bin";

    readonly OnPolicyConfig _config;
    readonly AlgorithmSpec _algo;
    readonly CausalLM _policy;
    readonly CausalLM? _reference;
    readonly ScalarHeadModel? _critic;
    readonly ITokenizer _tokenizer;
    readonly RewardScorer _scorer;
    readonly IPromptSource _prompts;
    readonly ITrainingObserver _observer;
    readonly RolloutPipeline _rollouts;
    readonly RolloutSchedule _schedule;
    readonly IRolloutEngine _engine;
    readonly AdamW _optimizer;
    readonly AdamW? _criticOptimizer;
    readonly Parameter[] _policyParams;
    readonly Parameter[] _criticParams;
    readonly LrSchedule _lr;
    readonly LrSchedule _criticLr;
    readonly KlController _kl;
    readonly Device _device;
    readonly double? _matmulGflops;

    /// <param name="config">Validated here; an invalid config throws listing every problem.</param>
    /// <param name="policy">π_θ, trained in place.</param>
    /// <param name="tokenizer">Encodes prompts, decodes completions for the rewards; its EOS stops generation by default.</param>
    /// <param name="scorer">The rewards (e.g. correctness + format, or a <see cref="Rewards.RewardModelReward"/> for PPO-RLHF).</param>
    /// <param name="prompts">Where prompts come from; its position is saved with the state.</param>
    /// <param name="valueModel">The critic, required by (and only by) the <c>gae</c> estimator; trained in place.</param>
    /// <param name="engine">Samples completions; default a <see cref="LocalRolloutEngine"/> on <paramref name="policy"/>.</param>
    /// <param name="observer">Receives metrics, samples and warnings; default none.</param>
    /// <param name="environment">Multi-turn environments: each sample is a trajectory (policy turns + observations, loss on
    /// the policy's tokens only; reward = rewards on the response + the environment's); default single-turn.</param>
    /// <param name="schedule">Whether generation overlaps the update (<c>one_step_off</c>, <c>async</c>: only with an engine
    /// that has its own weights, an <see cref="IPolicyWeightSync"/>) and the staleness bound; default sync.</param>
    /// <param name="algorithm">What <c>config.ResolveAlgorithm()</c> returned, when the caller has resolved it already
    /// (a run resolves its algorithm once); default: resolved here.</param>
    public OnPolicyTrainer(OnPolicyConfig config, CausalLM policy, ITokenizer tokenizer, RewardScorer scorer, IPromptSource prompts,
        ScalarHeadModel? valueModel = null, IRolloutEngine? engine = null, ITrainingObserver? observer = null,
        MultiTurnEnvironment? environment = null, RolloutSchedule? schedule = null, AlgorithmSpec? algorithm = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(prompts);
        RolloutPipeline.CheckEngine(schedule ?? new RolloutSchedule(), engine);
        _algo = algorithm ?? config.ResolveAlgorithm();   // resolving validates every knob in the same pass
        _config = config;
        if (_algo.NeedsCritic && valueModel is null)
            throw new ArgumentException($"The {_algo.Estimator.Name} estimator needs a value model (critic); pass valueModel.", nameof(valueModel));
        if (!_algo.NeedsCritic && valueModel is not null)
            throw new ArgumentException($"A value model was given but estimator {_algo.Estimator.Name} does not use a critic; use gae (preset ppo) or drop it.", nameof(valueModel));
        var rewardNames = scorer.Rewards.Select(r => r.Function.Name).ToList();
        if (config.AccuracyReward is { } acc && !rewardNames.Contains(acc))
            throw new ArgumentException($"accuracy_reward '{acc}' is not one of the scorer's rewards ({string.Join(", ", rewardNames)}).", nameof(config));
        if (_algo.OverlongShaping && scorer.Rewards.Any(r => r.Function is OverlongReward))
            throw new ArgumentException("Overlong shaping is on in the config and the scorer also has an OverlongReward; the penalty would count twice. Turn one off.", nameof(scorer));

        _policy = policy;
        _critic = valueModel;
        _tokenizer = tokenizer;
        _scorer = scorer;
        _prompts = prompts;
        _observer = observer ?? NullTrainingObserver.Instance;
        _device = policy.Backbone.EmbeddingWeight.device;
        _kl = new KlController(_algo.Beta, config.AdaptiveKl, config.KlTarget, config.KlHorizon);
        // with LoRA the reference is the policy itself with its adapters off (no second copy, as TRL/PEFT)
        _reference = !_algo.NeedsReference ? null : Models.Lora.LoraAdapters.Of(policy) is null ? FrozenCopy(policy) : policy;

        var sampling = new SamplingParams
        {
            MaxNewTokens = config.MaxNewTokens, Temperature = config.Temperature, TopP = config.TopP, TopK = config.TopK,
            StopTokenIds = config.StopTokenIds ?? (tokenizer.EosTokenId is int eos ? [eos] : []),
            StopStrings = config.StopStrings,
        }.Validate();
        _engine = engine ?? new LocalRolloutEngine(policy, tokenizer);
        var multiTurn = environment is null ? null : new MultiTurnRollout(_engine, tokenizer, environment.Environments, environment.Format, environment.Options);
        _schedule = schedule ?? new RolloutSchedule();
        var collector = new RolloutCollector(config, _algo, _engine, tokenizer, scorer, prompts, sampling, multiTurn);
        _rollouts = new RolloutPipeline(_schedule, collector, _engine, prompts, policy);
        PlannedSteps = config.TotalSteps > 0 ? config.TotalSteps : null;

        int total = config.TotalSteps > 0 ? config.TotalSteps : int.MaxValue;
        double minRatio = config.TotalSteps > 0 ? config.MinLrRatio : 1.0;
        _lr = new LrSchedule(config.LearningRate, config.WarmupSteps, total, minRatio);
        _criticLr = _lr with { PeakLr = config.CriticLearningRate };
        _policyParams = TrainableWeights.Of(policy);
        _optimizer = OptimizerFactory.AdamW(_policyParams, config.LearningRate, config.WeightDecay);
        _criticParams = valueModel is null ? [] : TrainableWeights.Of(valueModel);
        _criticOptimizer = valueModel is null ? null : OptimizerFactory.AdamW(_criticParams, config.CriticLearningRate, config.WeightDecay);
        // perf/mfu's denominator, measured before the first step so no step pays for it; the probe runs on the CPU only
        _matmulGflops = _device.type == DeviceType.CPU ? Benchmarks.MatmulProbe.Ceiling : null;
    }

    /// <summary>Optimisation steps completed (the step number reported to the observer after the step).</summary>
    public int GlobalStep { get; private set; }

    /// <summary>The current KL coefficient β (changes only with the adaptive controller).</summary>
    public double Beta => _kl.Beta;

    /// <summary>The resolved algorithm (preset + overrides, names looked up in the registries).</summary>
    public AlgorithmSpec Algorithm => _algo;

    /// <summary>The frozen reference policy, or null when β = 0 (and the estimator does not ask for it).</summary>
    public CausalLM? Reference => _reference;

    /// <summary>
    /// Steps the caller will run in all (<see cref="Train"/> sets it). An overlapped schedule starts no generation for a
    /// step at or beyond it; null (unknown) lets one batch be generated in vain after the last step.
    /// </summary>
    public int? PlannedSteps { get; set; }

    /// <summary>Runs steps until <see cref="GlobalStep"/> reaches <paramref name="totalSteps"/>.</summary>
    public void Train(int totalSteps, CancellationToken cancellationToken = default)
    {
        PlannedSteps = totalSteps;
        while (GlobalStep < totalSteps)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Step();
        }
    }

    /// <summary>One step: rollout, rewards, advantages, μ passes of updates. Returns (and reports) the step's metrics.</summary>
    public IReadOnlyDictionary<string, double> Step()
    {
        var clock = Stopwatch.StartNew();
        int step = GlobalStep;
        double lr = _lr.At(step), beta = _kl.Beta;
        OptimizerFactory.SetLearningRate(_optimizer, lr);
        if (_criticOptimizer is not null) OptimizerFactory.SetLearningRate(_criticOptimizer, _criticLr.At(step));

        // an engine with its own weights is sent θ_step before it samples for this step (sync), or for the next one (overlapped)
        var taken = _rollouts.Take(step, PlannedSteps);
        var rollout = taken.Rollout;
        var updateClock = Stopwatch.StartNew();
        if (rollout.NothingInformative && _algo.DynamicSampling)
            _observer.OnMessage(TrainingMessageLevel.Warning,
                $"step {step + 1}: no informative group in {rollout.Rounds} generation round(s); training on the last round (advantages ≈ 0).");
        if (rollout.Failures.Count > 0)
            _observer.OnMessage(TrainingMessageLevel.Warning,
                $"step {step + 1}: {rollout.Failures.Count} reward call(s) failed and were scored {_scorer.Options.FailureScore}; first: {rollout.Failures[0]}");

        var samples = rollout.Trained.SelectMany(g => g.Samples).ToList();
        // one group id per prompt's samples; the estimators accept any ids, so other producers may interleave or split them
        var groups = GroupIds.From(rollout.Trained.SelectMany((g, i) => g.Samples.Select(_ => (long)i)).ToArray());
        var rowTokens = samples.Select(s => _config.MaskTruncatedCompletions && s.Completion.Truncated ? 0 : s.LossTokens).ToArray();
        var rowLengths = samples.Select(s => s.PromptIds.Count + s.Completion.TokenIds.Length).ToArray();
        var plan = BatchPlan.Create(rowTokens, rowLengths, _config, _algo);

        var result = new Dictionary<string, double>();
        var phases = new StepPhases();
        double[] sequenceAdvantages;
        using (var scope = torch.NewDisposeScope())
        using (var batch = SequenceBatch.Create(samples.Select(s => s.PromptIds).ToList(),
                   samples.Select(s => (IReadOnlyList<int>)s.Completion.TokenIds).ToList(), _tokenizer.PadTokenId, _device,
                   samples.Any(s => s.LossMask is not null) ? samples.Select(s => s.LossMask ?? Enumerable.Repeat(true, s.Completion.TokenIds.Length).ToArray()).ToList() : null))
        {
            var forward = _config.Packing
                ? new CompletionForward(batch, samples.Select(s => s.PromptIds).ToList(), samples.Select(s => (IReadOnlyList<int>)s.Completion.TokenIds).ToList(), _tokenizer.PadTokenId)
                : new CompletionForward(batch);
            var mask = _config.MaskTruncatedCompletions
                ? batch.CompletionMask * torch.tensor(rowTokens.Select(t => t > 0 ? 1f : 0f).ToArray(), device: _device).unsqueeze(1) // [B, C]
                : batch.CompletionMask;                                                                                      // [B, C]
            var scores = torch.tensor(samples.Select(s => (float)s.Score).ToArray(), device: _device); // [B]

            // 3. what the advantages and the loss need from the frozen models, before any update
            var refLogp = _reference is not null ? phases.Time(StepPhase.Ref, () => NoGradRows(plan, (s, c) => ReferenceLogProbs(forward, s, c))) : null; // [B, C]
            bool klInReward = refLogp is not null && beta > 0 && _algo.KlPlacement == KlPlacement.Reward;
            bool correct = _algo.RolloutCorrection.Enabled;
            // overlapped rollouts always recompute π_old, so the mismatch KL(π_rollout ‖ π_old) of stale samples is reported
            var oldLogp = !plan.OnPolicy || klInReward || correct || _schedule.Overlapped
                ? phases.Time(StepPhase.OldLogProb, () => NoGradRows(plan, (s, c) => forward.LogProbs(_policy, s, c, _config.Temperature))) : null;   // [B, C]
            var oldValues = _critic is not null ? phases.Time(StepPhase.Values, () => NoGradRows(plan, (s, c) => forward.Values(_critic, s, c))) : null; // [B, C]
            long advStart = Stopwatch.GetTimestamp();

            // rollout correction: π_old (the trainer's forward) against π_rollout (the engine's log-probs)
            RolloutCorrectionResult? correction = null;
            if (oldLogp is not null)
            {
                correction = RolloutCorrection.Compute(oldLogp, RolloutLogProbs(samples, batch.CompletionLength), mask, _algo.RolloutCorrection);
                if (_algo.RolloutCorrection.Rs != RolloutCorrectionLevel.None)
                {
                    mask = correction.Mask;                                                                            // [B, C]
                    plan = BatchPlan.Create(RowTokens(mask), rowLengths, _config, _algo);                              // counts after rejection
                }
            }
            var rolloutWeights = correct ? correction?.Weights : null;                                                 // [B, C] or null

            // 4. advantages
            var klReward = klInReward ? _algo.Kl.Estimate(oldLogp!, refLogp!) * mask : null;                            // [B, C]
            var (advantages, returns) = Advantages(scores, mask, groups, klReward, beta, oldValues);                   // [B, C] each
            phases.Since(StepPhase.Adv, advStart);

            // 5. μ passes over mini-batches (the generator feeds losses that draw tokens at random, e.g. Clip-Cov)
            using var lossRandom = new Generator(unchecked((ulong)SeededRandom.Derive(_config.Seed, $"loss/{step}")), CPU);
            var (sums, stats) = Optimize(forward, plan, mask, advantages, returns, oldLogp, refLogp, oldValues, beta, rolloutWeights, lossRandom, phases);

            // read everything once
            var reads = new Scalars();
            var (entropy, loss, kl, valueLoss) = (reads.Add(sums.Entropy), reads.Add(sums.Loss), reads.Add(sums.Kl), reads.Add(sums.ValueLoss));
            var correctionReads = correction is null ? null : new (string Metric, ScalarRead Value)[]
            {
                (MetricNames.RolloutCorrKl, reads.Add(correction.MismatchKl)),
                (MetricNames.RolloutCorrK3Kl, reads.Add(correction.K3Kl)),
                (MetricNames.RolloutCorrRatioMean, reads.Add(correction.RatioMean)),
                (MetricNames.RolloutCorrRatioMax, reads.Add(correction.RatioMax)),
                (MetricNames.RolloutCorrSeqRatioMax, reads.Add(correction.SequenceRatioMax)),
                (MetricNames.SamplingLogpDiffMax, reads.Add(correction.LogpDiffMax)),
                (MetricNames.RolloutCorrMaskedFrac, reads.Add(correction.MaskedFraction)),
            };
            ScalarRead? klSequence = klReward is null ? null : reads.Add(klReward.sum(1).mean());
            reads.Read();
            foreach (var (metric, value) in correctionReads ?? []) result[metric] = value.Value;
            double trainedTokens = Math.Max(1.0, plan.Tokens * _config.NumIterations);
            result[MetricNames.Entropy] = entropy.Value / trainedTokens;
            result[MetricNames.Loss] = loss.Value / Math.Max(1, stats.OptimizerSteps);
            if (refLogp is not null) result[MetricNames.Kl] = kl.Value / trainedTokens;
            if (_critic is not null)
            {
                result[MetricNames.ValueLoss] = valueLoss.Value / Math.Max(1, stats.OptimizerSteps);
                result[MetricNames.ValueClipFrac] = stats.ValueClip / Math.Max(1.0, stats.Tokens);
                double explained = ValueLoss.ExplainedVariance(oldValues!, returns!, mask);
                if (!double.IsNaN(explained)) result[MetricNames.ExplainedVar] = explained; // NaN: the returns are constant
            }
            if (klSequence is { } klSeq)
            {
                result[MetricNames.KlSequence] = klSeq.Value;
                _kl.Update(klSeq.Value, samples.Count);
            }
            if (refLogp is not null) result[MetricNames.KlCoef] = beta;
            double tokens = Math.Max(1.0, stats.Tokens);
            result[MetricNames.ClipFracLow] = stats.ClipLow / tokens;
            result[MetricNames.ClipFracHigh] = stats.ClipHigh / tokens;
            result[MetricNames.ClipFracRegion] = (stats.ClipLow + stats.ClipHigh) / tokens;
            if (_algo.Loss.DualClip is not null) result[MetricNames.ClipFracDual] = stats.DualClip / tokens;
            result[MetricNames.ClipFracCov] = stats.Cov / tokens;
            result[MetricNames.RatioMean] = stats.Tokens > 0 ? stats.Ratio / stats.Tokens : 1.0;
            result[MetricNames.ApproxKl] = stats.ApproxKl / tokens;
            result[MetricNames.GradNorm] = stats.GradNorm / Math.Max(1, stats.OptimizerSteps);
            result[MetricNames.Lr] = lr;

            int logged = Math.Min(_config.LogSamplesPerStep, samples.Count);
            sequenceAdvantages = logged == 0 ? [] : ReadSequenceAdvantages(advantages, mask, logged);
        }

        double update = updateClock.Elapsed.TotalSeconds;
        double pushed = taken.SyncSeconds + _rollouts.AfterUpdate(step + 1, PlannedSteps);   // async: θ_{step+1} goes out now

        AddRolloutMetrics(result, rollout);
        double seconds = clock.Elapsed.TotalSeconds;
        result[MetricNames.StepS] = seconds;
        result[MetricNames.TimingGen] = rollout.GenSeconds;
        result[MetricNames.TimingReward] = rollout.RewardSeconds;
        result[MetricNames.TimingWaitRollout] = taken.WaitSeconds;
        result[MetricNames.TimingWeightSync] = pushed;
        result[MetricNames.TimingUpdate] = update;
        result[MetricNames.TimingStep] = seconds;
        phases.Report(result);
        AddPerfMetrics(result, samples, phases, seconds);
        result[MetricNames.StalenessMean] = taken.StalenessMean;
        result[MetricNames.StalenessMax] = taken.StalenessMax;
        result[MetricNames.StalenessDroppedGroups] = taken.DroppedGroups;
        result[MetricNames.GeneratedTokensPerS] = rollout.Sampled.Sum(g => g.Samples.Sum(s => s.Completion.TokenIds.Length)) / Math.Max(seconds, 1e-9);

        GlobalStep++;
        _observer.OnStep(GlobalStep, result);
        if (sequenceAdvantages.Length > 0)
            _observer.OnSamples(GlobalStep, samples.Take(sequenceAdvantages.Length).Select((s, i) => new SampleRecord(
                s.Item.Prompt, s.Text, s.Item.Answer, s.Score,
                s.Reward.Components.Where(c => c.Value is not null).ToDictionary(c => c.Name, c => c.Value!.Value),
                sequenceAdvantages[i], s.Completion.TokenIds.Length, s.Completion.FinishReason.ToString())).ToList());
        return result;
    }

    /// <summary>
    /// Advantages [B, C] and returns [B, C] from the estimator the spec names, given what it declares it needs: token
    /// rewards r_t = −β·k_t + 1[t = last]·r (KL spread per token), or sequence scores r_i − β·Σ_t k_t (KL in the reward
    /// with a sequence-level estimator); values for a critic.
    /// </summary>
    (Tensor Advantages, Tensor Returns) Advantages(Tensor scores, Tensor mask, GroupIds groups, Tensor? klReward, double beta, Tensor? values)
    {
        var estimator = _algo.Estimator;
        var tokenRewards = estimator.Has(EstimatorNeeds.TokenRewards)
            ? AdvantageEstimators.TokenRewards(scores, mask, klReward, beta)                                       // [B, C]
            : null;
        var sequenceScores = klReward is null || tokenRewards is not null ? scores : scores - beta * klReward.sum(1); // [B]
        var settings = new AdvantageSettings(_config.Gamma, _config.Lambda, _config.WhitenAdvantages);
        var r = estimator.Compute(new AdvantageInput(sequenceScores, mask, groups, settings, tokenRewards, values));
        return (r.Advantages, r.Returns);
    }

    /// <summary>The engine's per-token log-probs π_rollout, right-padded to C: [B, C] (0 on padding).</summary>
    Tensor RolloutLogProbs(IReadOnlyList<RolloutSample> samples, int width)
    {
        var lp = new float[samples.Count, width];
        for (int i = 0; i < samples.Count; i++)
        {
            var row = samples[i].Completion.LogProbs;
            for (int t = 0; t < row.Length && t < width; t++) lp[i, t] = row[t];
        }
        return torch.tensor(lp, device: _device);
    }

    /// <summary>Loss tokens per row of a mask (one read).</summary>
    static int[] RowTokens(Tensor mask)
    {
        using var counts = mask.sum(1).to_type(ScalarType.Int32).cpu();
        return counts.data<int>().ToArray();
    }

    /// <summary>Loss-side sums kept on the device until the step's single read.</summary>
    sealed record DeviceSums(Tensor Entropy, Tensor Loss, Tensor Kl, Tensor ValueLoss);

    /// <summary>Token-weighted sums of the per-call statistics the loss functions return.</summary>
    sealed class HostStats
    {
        public double Tokens, ClipLow, ClipHigh, DualClip, Cov, Ratio, ApproxKl, ValueClip, GradNorm;
        public int OptimizerSteps;
    }

    (DeviceSums, HostStats) Optimize(CompletionForward forward, BatchPlan plan, Tensor mask, Tensor advantages, Tensor? returns,
        Tensor? oldLogp, Tensor? refLogp, Tensor? oldValues, double beta, Tensor? rolloutWeights, Generator generator, StepPhases phases)
    {
        long loopStart = Stopwatch.GetTimestamp();
        long criticTicks = 0;   // the critic's share of the loop below; the rest is the actor's
        var sums = new DeviceSums(Zero(), Zero(), Zero(), Zero());
        var stats = new HostStats();
        double temperature = _config.Temperature, entropyCoef = _config.EntropyCoef;
        double maxNorm = _config.MaxGradNorm ?? double.PositiveInfinity;
        var agg = _algo.Aggregation.Mode;
        _policy.train();
        _critic?.train();
        for (int pass = 0; pass < _config.NumIterations; pass++)
        {
            foreach (var mini in plan.MiniBatches)
            {
                _optimizer.zero_grad();
                _criticOptimizer?.zero_grad();
                foreach (var (start, count, microTokens) in mini.Micro)
                {
                    using var scope = torch.NewDisposeScope();
                    var m = mask.narrow(0, start, count);                                              // [b, C]
                    var logits = forward.Logits(_policy, start, count);                                            // [b, C, V]
                    if (temperature != 1.0) logits = logits / temperature;
                    var logp = TokenLogProbs.Gather(logits, forward.CompletionIds(start, count));                  // [b, C]
                    var old = oldLogp is null ? logp.detach() : oldLogp.narrow(0, start, count);       // [b, C]
                    var (loss, ps) = _algo.PolicyLoss.Compute(new PolicyLossInput(logp, old, advantages.narrow(0, start, count), m,
                        agg, _algo.Loss, mini.Norm, rolloutWeights?.narrow(0, start, count), generator));
                    Tensor entropy;                                                                    // [b, C]
                    if (entropyCoef > 0)
                    {
                        entropy = TokenDistribution.Entropy(logits);
                        loss = loss - entropyCoef * LossAggregation.Aggregate(entropy, m, agg, mini.Norm);
                    }
                    else using (torch.no_grad()) entropy = TokenDistribution.Entropy(logits.detach());
                    if (refLogp is not null)
                    {
                        var k = _algo.Kl.Estimate(logp, refLogp.narrow(0, start, count));              // [b, C]
                        if (_algo.KlPlacement == KlPlacement.Loss) loss = loss + beta * LossAggregation.Aggregate(k, m, agg, mini.Norm);
                        sums.Kl.add_((k.detach() * m).sum());
                    }
                    loss.backward();
                    sums.Entropy.add_((entropy.detach() * m).sum());
                    sums.Loss.add_(loss.detach());
                    stats.Tokens += microTokens;
                    stats.ClipLow += ps.ClipFractionLow * microTokens;
                    stats.ClipHigh += ps.ClipFractionHigh * microTokens;
                    stats.DualClip += ps.DualClipFraction * microTokens;
                    stats.Cov += ps.CovFraction * microTokens;
                    stats.Ratio += ps.RatioMean * microTokens;
                    stats.ApproxKl += ps.ApproxKl * microTokens;

                    if (_critic is not null)
                    {
                        long criticStart = Stopwatch.GetTimestamp();
                        var values = forward.Values(_critic, start, count);                                        // [b, C]
                        var (valueLoss, vs) = ValueLoss.Clipped(values, oldValues!.narrow(0, start, count),
                            returns!.narrow(0, start, count), m, _config.ValueClip, AggregationMode.TokenMean, mini.Norm);
                        valueLoss.backward();
                        sums.ValueLoss.add_(valueLoss.detach());
                        stats.ValueClip += vs.ClipFraction * microTokens;
                        criticTicks += Stopwatch.GetTimestamp() - criticStart;
                    }
                }
                stats.GradNorm += torch.nn.utils.clip_grad_norm_(_policyParams, maxNorm);
                _optimizer.step();
                if (_criticOptimizer is not null)
                {
                    long criticStart = Stopwatch.GetTimestamp();
                    torch.nn.utils.clip_grad_norm_(_criticParams, maxNorm);
                    _criticOptimizer.step();
                    criticTicks += Stopwatch.GetTimestamp() - criticStart;
                }
                stats.OptimizerSteps++;
            }
        }
        double critic = criticTicks / (double)Stopwatch.Frequency;
        phases.Add(StepPhase.UpdateActor, Stopwatch.GetElapsedTime(loopStart).TotalSeconds - critic);
        if (_critic is not null) phases.Add(StepPhase.UpdateCritic, critic);
        return (sums, stats);
    }

    Tensor Zero() => torch.zeros(Array.Empty<long>(), dtype: ScalarType.Float32, device: _device);

    /// <summary>Runs <paramref name="f"/>(start, count) without grad over the batch in micro-batch chunks and concatenates: [B, C].</summary>
    static Tensor NoGradRows(BatchPlan plan, Func<long, long, Tensor> f)
    {
        using var noGrad = torch.no_grad();
        var parts = new List<Tensor>();
        foreach (var (start, count, _) in plan.MiniBatches.SelectMany(m => m.Micro))
        {
            using var scope = torch.NewDisposeScope();
            parts.Add(f(start, count).MoveToOuterDisposeScope());
        }
        return parts.Count == 1 ? parts[0] : torch.cat(parts, 0);
    }

    /// <summary>Masked mean advantage of the first <paramref name="n"/> rows (one read): the sequence's advantage for group estimators.</summary>
    static double[] ReadSequenceAdvantages(Tensor advantages, Tensor mask, int n)
    {
        using var _ = torch.no_grad();
        var a = advantages.narrow(0, 0, n);
        var m = mask.narrow(0, 0, n);
        using var mean = ((a * m).sum(1) / m.sum(1).clamp_min(1.0)).to_type(ScalarType.Float64).cpu(); // [n]
        return mean.data<double>().ToArray();
    }

    void AddRolloutMetrics(Dictionary<string, double> result, RolloutResult rollout)
    {
        var all = rollout.Sampled.SelectMany(g => g.Samples).ToList();
        var scores = all.Select(s => s.Score).ToArray();
        double mean = scores.Average();
        result[MetricNames.RewardMean] = mean;
        result[MetricNames.RewardStd] = Math.Sqrt(scores.Sum(x => (x - mean) * (x - mean)) / scores.Length);
        foreach (var name in _scorer.Rewards.Select(r => r.Function.Name))
        {
            var values = all.Select(s => s.Reward[name]?.Value).Where(x => x is not null).Select(x => x!.Value).ToArray();
            if (values.Length > 0) result[MetricNames.RewardFunctionMean(name)] = values.Average();
        }
        if (_algo.OverlongShaping) result[MetricNames.OverlongMean] = all.Average(s => s.Overlong);
        if (_config.AccuracyReward is { } acc)
            result[MetricNames.Accuracy] = all.Count(s => s.Reward[acc]?.Value == 1.0) / (double)all.Count;
        result[MetricNames.FracZeroStdGroups] = rollout.Sampled.Count(g => !g.Informative) / (double)rollout.Sampled.Count;
        result[MetricNames.GenRounds] = rollout.Rounds;
        result[MetricNames.BatchGroups] = rollout.Trained.Count;
        result[MetricNames.BatchInformativeGroups] = rollout.Trained.Count(g => g.Informative);
        var lengths = all.Select(s => s.Completion.TokenIds.Length).ToArray();
        result[MetricNames.CompletionLenMean] = lengths.Average();
        result[MetricNames.CompletionLenMin] = lengths.Min();
        result[MetricNames.CompletionLenMax] = lengths.Max();
        result[MetricNames.TruncatedFrac] = all.Count(s => s.Completion.Truncated) / (double)all.Count;
        MultiTurnMetrics.Add(result, all.Where(s => s.Trajectory is not null).Select(s => s.Trajectory!).ToList());
    }

    /// <summary>
    /// perf/throughput (prompt + completion tokens of the trained batch per second of the step) and, on the CPU, perf/mfu
    /// and perf/mfu/actor: the <see cref="Benchmarks.ModelFlops"/> of the passes this step ran over those tokens.
    /// </summary>
    void AddPerfMetrics(Dictionary<string, double> result, IReadOnlyList<RolloutSample> samples, StepPhases phases, double seconds)
    {
        double tokens = samples.Sum(s => (double)s.PromptIds.Count + s.Completion.TokenIds.Length);
        double completionTokens = samples.Sum(s => (double)s.Completion.TokenIds.Length);
        result[MetricNames.Throughput] = tokens / Math.Max(seconds, 1e-9);
        if (_matmulGflops is not double gflops) return;
        double forward = Benchmarks.ModelFlops.Forward(_policy.Config, tokens, completionTokens);
        double actor = _config.NumIterations * (forward + Benchmarks.ModelFlops.Backward(forward));
        double flops = actor + (phases.Ran(StepPhase.Ref) ? forward : 0) + (phases.Ran(StepPhase.OldLogProb) ? forward : 0);
        if (_critic is not null)
        {
            double value = Benchmarks.ModelFlops.ValueForward(_critic.Config, tokens);
            flops += value + _config.NumIterations * (value + Benchmarks.ModelFlops.Backward(value));
        }
        result[MetricNames.PerfMfu] = flops / (Math.Max(seconds, 1e-9) * gflops * 1e9);
        result[MetricNames.PerfMfuActor] = actor / (Math.Max(phases[StepPhase.UpdateActor], 1e-9) * gflops * 1e9);
    }

    /// <summary>π_ref log-probs: the frozen copy, or the policy with its LoRA adapters switched off on this thread.</summary>
    Tensor ReferenceLogProbs(CompletionForward forward, long start, long count)
    {
        using var off = ReferenceEquals(_reference, _policy) ? Models.Lora.LoraAdapters.DisabledOn(_policy) : null;
        return forward.LogProbs(_reference!, start, count, _config.Temperature);
    }

    static CausalLM FrozenCopy(CausalLM policy)
    {
        var w = policy.Backbone.EmbeddingWeight;
        var copy = new CausalLM(policy.Config, w.device, w.dtype);
        var source = policy.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using (torch.no_grad())
            foreach (var (name, p) in copy.named_parameters())
            {
                p.copy_(source[name]);
                p.requires_grad = false;
            }
        copy.eval();
        return copy;
    }

    /// <summary>
    /// Writes what a resumed run needs into <paramref name="dir"/> (created if missing): policy weights (HF layout, in
    /// <c>policy/</c>), AdamW state, critic weights and optimiser (PPO), and <c>trainer_state.json</c> (step, prompt
    /// position, β). Atomic renames and keeping the last K checkpoints are the caller's business.
    /// </summary>
    public void SaveState(string dir)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dir);
        Directory.CreateDirectory(dir);
        TrainableWeights.Save(_policy, _policy.Config, Path.Combine(dir, PolicyDir));
        _optimizer.save_state_dict(Path.Combine(dir, OptimizerFile));
        if (_critic is not null)
        {
            TrainableWeights.Save(_critic, _critic.Config, Path.Combine(dir, CriticDir));
            _criticOptimizer!.save_state_dict(Path.Combine(dir, CriticOptimizerFile));
        }
        new TrainerState { Step = GlobalStep }
            .With(PromptPositionField, _rollouts.CommittedPromptPosition).With(BetaField, _kl.Beta)
            .With(PresetField, _algo.Name).With(SeedField, _config.Seed).With(HasCriticField, _critic is not null)
            .Save(dir);
    }

    /// <summary>
    /// Restores what <see cref="SaveState"/> wrote into this trainer, which must have been built like the saving one
    /// (same config, same initial policy — the reference is its frozen copy — and a prompt source over the same data).
    /// </summary>
    /// <exception cref="InvalidDataException">A file is missing or does not match this trainer (names file and field).</exception>
    public void LoadState(string dir)
    {
        _rollouts.ThrowIfRunning();
        ArgumentException.ThrowIfNullOrWhiteSpace(dir);
        var statePath = Path.Combine(dir, TrainerState.FileName);
        if (!File.Exists(statePath)) throw new InvalidDataException($"{statePath}: not found; not an on-policy trainer state folder.");
        var state = TrainerState.Load(dir);
        var (preset, hasCritic) = (state.Get<string>(PresetField), state.Get<bool>(HasCriticField));
        long promptPosition = state.Get<long>(PromptPositionField);
        double beta = state.Get<double>(BetaField);
        if (preset != _algo.Name)
            throw new InvalidDataException($"{statePath}: field '{PresetField}' is '{preset}' but this trainer runs '{_algo.Name}'.");
        if (hasCritic != (_critic is not null))
            throw new InvalidDataException($"{statePath}: field '{HasCriticField}' is {hasCritic} but this trainer {(_critic is null ? "has no" : "has a")} value model.");
        TrainableWeights.Load(_policy, Path.Combine(dir, PolicyDir));
        Checkpointing.TrainingStateFiles.LoadOptimizer(_optimizer, RequireFile(dir, OptimizerFile)); // errors name the file
        if (_critic is not null)
        {
            TrainableWeights.Load(_critic, Path.Combine(dir, CriticDir));
            Checkpointing.TrainingStateFiles.LoadOptimizer(_criticOptimizer!, RequireFile(dir, CriticOptimizerFile));
        }
        GlobalStep = state.Step;
        _prompts.Position = promptPosition;
        _rollouts.Restart();
        _kl.Beta = beta;
    }

    static string RequireFile(string dir, string name)
    {
        var path = Path.Combine(dir, name);
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: not found in the trainer state folder.");
        return path;
    }

    public void Dispose()
    {
        _rollouts.Dispose();
        if (!ReferenceEquals(_reference, _policy)) _reference?.Dispose();
        _optimizer.Dispose();
        _criticOptimizer?.Dispose();
    }
}
