using Aha.Configuration;
using Aha.Algorithms;
using Aha.Data;
using Aha.Models;
using Aha.Tokenization;
using Aha.Tracking;
using static TorchSharp.torch;

namespace Aha.Training.Offline;

/// <summary>
/// One DPO pair with its cached reference sequence log-probs (sums over completion tokens); both null for a
/// reference-free loss (SimPO, ORPO).
/// </summary>
public sealed record DpoItem(TokenizedPair Pair, double? ReferenceChosen, double? ReferenceRejected);

/// <summary>
/// DPO (arXiv:2305.18290): L = −log σ(β[(log π_θ(y_w) − log π_ref(y_w)) − (log π_θ(y_l) − log π_ref(y_l))]) with
/// sequence log-probs summed over completion tokens; cDPO label smoothing and IPO as <see cref="PreferenceLosses.Dpo"/>.
/// The reference log-probs are computed once, before the first step, in eval mode without gradients (TRL
/// <c>precompute_ref_log_probs</c>), so no reference model stays in memory: with no reference model given, the
/// policy's initial weights are the reference. They are saved with the state, so a resumed run needs no reference.
/// A loss whose registration says it needs no reference (<see cref="PreferenceLossEntry.NeedsReference"/>: SimPO,
/// ORPO) gets no reference pass at all and saves no reference log-probs.
/// Metrics (TRL names): loss, rewards/chosen, rewards/rejected, rewards/accuracies, rewards/margins, logps/chosen,
/// logps/rejected, lr, grad_norm; <c>eval_</c>-prefixed the same on eval data.
/// <para>Departures from TRL: IPO uses length-averaged log-probs (as TRL) but the logged rewards/* are then β times
/// those averaged log-ratios; no separate max_prompt_length (one MaxLength, start kept); no padding-free mode.</para>
/// </summary>
public sealed class DpoTrainer : IOfflineTrainer<PreferenceExample>
{
    public const string ReferenceFile = "dpo_reference_logps.json";

    readonly ReferenceTraining<DpoItem> _run;   // reference log-probs cached as [pair][chosen, rejected] per split

    /// <param name="reference">The frozen reference; null uses <paramref name="policy"/> as it is before training.</param>
    public DpoTrainer(CausalLM policy, ITokenizer tokenizer, DpoConfig config, CausalLM? reference = null,
        ITrainingObserver? observer = null, ChatTemplate? template = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(tokenizer);
        Config = (config ?? throw new ArgumentNullException(nameof(config))).Validate();
        _run = new ReferenceTraining<DpoItem>(policy, tokenizer, Config, reference, observer, template,
            new Objective(policy, tokenizer.PadTokenId, Config), ReferenceFile, "DPO");
    }

    public CausalLM Model => _run.Model;
    public DpoConfig Config { get; }
    public int Step => _run.Step;

    /// <summary>The registered preference loss <see cref="DpoConfig.LossType"/> names.</summary>
    public PreferenceLossEntry Loss => PreferenceLossRegistry.All.Get(Config.LossType);

    /// <summary>Precomputes the reference log-probs (or takes them from a loaded state), then trains from <see cref="Step"/>.</summary>
    public OfflineRunResult Train(IReadOnlyList<PreferenceExample> train, IReadOnlyList<PreferenceExample>? eval = null,
        Action<int>? afterStep = null, CancellationToken cancellationToken = default)
    {
        var trainPairs = PreferenceTokenizing.Tokenize(train, _run.Tokenizer, _run.Template, Config, _run.Observer, "DPO train");
        var evalPairs = eval is null ? null : PreferenceTokenizing.Tokenize(eval, _run.Tokenizer, _run.Template, Config, _run.Observer, "DPO eval");
        if (!Loss.NeedsReference)
        {
            static List<DpoItem> Free(List<TokenizedPair> pairs) => pairs.Select(p => new DpoItem(p, null, null)).ToList();
            return _run.Run(Free(trainPairs), evalPairs is null ? null : Free(evalPairs), afterStep, cancellationToken);
        }
        var trainItems = Attach("train", trainPairs);
        var evalItems = evalPairs is null ? null : Attach("eval", evalPairs);
        return _run.Run(trainItems, evalItems, afterStep, cancellationToken);
    }

    /// <summary>
    /// Reference sequence log-probs [pair][chosen, rejected] (sums over completion tokens), from the reference model or,
    /// without one, from the policy as it is now.
    /// </summary>
    public double[][] ReferenceLogProbs(IReadOnlyList<TokenizedPair> pairs) => _run.ReferenceLogProbs(pairs);

    /// <summary>
    /// Σ over completion tokens of log π(y_t | x, y_&lt;t) for chosen rows then rejected rows: ([2B] sums, [2B] lengths).
    /// </summary>
    public static (Tensor Sums, Tensor Lengths) SequenceLogProbs(CausalLM model, IReadOnlyList<TokenizedPair> pairs, int padId)
    {
        using var batch = PairBatch.Create(pairs, padId, model.Backbone.EmbeddingWeight.device);
        var logp = batch.CompletionLogProbs(model);                                  // [2B, C]
        var mask = batch.CompletionMask;                                             // [2B, C]
        return ((logp * mask).sum(1), mask.sum(1));                                  // [2B], [2B]
    }

    List<DpoItem> Attach(string split, List<TokenizedPair> pairs) =>
        _run.WithReference(split, pairs, p => p, (p, reference) => new DpoItem(p, reference[0], reference[1]));

    /// <summary>Writes the policy (HF folder), optimizer, RNG, step and the cached reference log-probs.</summary>
    public void SaveState(string dir) => _run.SaveState(dir);

    public void LoadState(string dir) => _run.LoadState(dir);

    sealed class Objective(CausalLM model, int padId, DpoConfig config) : IOfflineObjective<DpoItem>
    {
        public double Units(IReadOnlyList<DpoItem> items) => items.Count;

        public long Tokens(IReadOnlyList<DpoItem> items) => items.Sum(i => PairBatch.Tokens(i.Pair));

        public OfflineLoss Loss(IReadOnlyList<DpoItem> microBatch)
        {
            int b = microBatch.Count;
            var device = model.Backbone.EmbeddingWeight.device;
            var (sums, lengths) = SequenceLogProbs(model, microBatch.Select(i => i.Pair).ToList(), padId); // [2B], [2B]
            var entry = PreferenceLossRegistry.All.Get(config.LossType);
            // IPO (as TRL), SimPO and ORPO compare per-token mean log-probs
            var norm = entry.LengthNormalized ? lengths.clamp_min(1) : null;                            // [2B]
            var policy = norm is null ? sums : sums / norm;                                              // [2B]
            Tensor? refer = null;
            if (entry.NeedsReference)
            {
                refer = torch.tensor(microBatch.Select(i => i.ReferenceChosen!.Value).Concat(microBatch.Select(i => i.ReferenceRejected!.Value)).ToArray(),
                    dtype: sums.dtype, device: device);                                                  // [2B]
                if (norm is not null) refer = refer / norm;
            }
            var input = new PreferenceInput(policy.narrow(0, 0, b), policy.narrow(0, b, b),
                refer?.narrow(0, 0, b), refer?.narrow(0, b, b), config.Beta, config.LabelSmoothing, config.SimpoGamma);
            var (loss, stats, extra) = PreferenceLosses.Preference(entry, input);
            var lp = sums.detach().to_type(ScalarType.Float64).cpu().data<double>().ToArray();
            var metrics = extra.ToDictionary(e => e.Key, e => e.Value * b);
            return new OfflineLoss(loss * b, new Dictionary<string, double>(metrics)
            {
                [MetricNames.RewardsChosen] = stats.ChosenReward * b,
                [MetricNames.RewardsRejected] = stats.RejectedReward * b,
                [MetricNames.RewardsAccuracies] = stats.Accuracy * b,
                [MetricNames.RewardsMargins] = stats.Margin * b,
                ["logps/chosen"] = lp.Take(b).Sum(),
                ["logps/rejected"] = lp.Skip(b).Sum(),
            });
        }
    }
}
