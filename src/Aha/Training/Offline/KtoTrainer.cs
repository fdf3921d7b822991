using Aha.Configuration;
using Aha.Algorithms;
using Aha.Data;
using Aha.Models;
using Aha.Tokenization;
using Aha.Tracking;
using static TorchSharp.torch;

namespace Aha.Training.Offline;

/// <summary>
/// One KTO example as ids. <see cref="Rows"/> holds the prompt, its own completion (as <c>Chosen</c>) and the
/// completion of another example (as <c>Rejected</c>): the mismatched pair (x, y') of KTO's reference point, collated
/// with <see cref="PairBatch"/> like a DPO pair. Reference sequence log-probs of both, null when the loss needs none.
/// </summary>
public sealed record KtoItem(TokenizedPair Rows, bool Desirable, double? Reference, double? ReferenceMismatched);

/// <summary>
/// KTO (Ethayarajh et al., arXiv:2402.01306) as TRL's <c>KTOTrainer</c>: with r = log π_θ(y|x) − log π_ref(y|x) summed
/// over completion tokens, a desirable example's loss is λ_D·(1 − σ(β(r − z0))), an undesirable one's
/// λ_U·(1 − σ(β(z0 − r))), and the batch loss their plain mean (<see cref="UnpairedPreferenceLosses"/>). The reference
/// point z0 = max(0, mean sg[log π_θ(y'|x) − log π_ref(y'|x)]) is estimated on each micro-batch from its mismatched
/// pairs (x, y'), whose policy log-probs come from a forward without gradients (TRL: the same).
/// <para>Mismatched pairs are fixed once, before training: each example's y' is the completion of the nearest earlier
/// example (cyclically, in data order) with a different prompt, so an example unpaired from a DPO pair is not matched
/// with its own sibling. The reference log-probs of (x, y) and (x, y') are computed once before the first step (TRL
/// <c>precompute_ref_log_probs</c>) and saved with the state, so no reference model stays in memory and a resumed run
/// needs none.</para>
/// <para>Metrics (TRL names): loss, kl (z0), rewards/chosen, rewards/rejected (mean β·r over desirable / undesirable
/// examples, left out when the step has none), rewards/margins, logps/chosen, logps/rejected, lr, grad_norm;
/// <c>eval_</c>-prefixed the same on eval data.</para>
/// <para>Departures from TRL: TRL rotates completions by one within each consecutive block of batch_size examples
/// and samples sequentially, so a batch's y' are its own y; here the loop shuffles each epoch, so a micro-batch's
/// mismatched completions come from examples that may sit in other micro-batches (the same estimator of the KL
/// baseline). Per-class metrics are means over the whole optimizer step (TRL: means of per-micro-batch means).
/// No logits/* or entropy metrics.</para>
/// </summary>
public sealed class KtoTrainer : IOfflineTrainer<UnpairedExample>
{
    public const string ReferenceFile = "kto_reference_logps.json";

    readonly ReferenceTraining<KtoItem> _run;   // reference log-probs cached as [example][matched, mismatched] per split

    /// <param name="reference">The frozen reference; null uses <paramref name="policy"/> as it is before training.</param>
    public KtoTrainer(CausalLM policy, ITokenizer tokenizer, KtoConfig config, CausalLM? reference = null,
        ITrainingObserver? observer = null, ChatTemplate? template = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(tokenizer);
        Config = (config ?? throw new ArgumentNullException(nameof(config))).Validate();
        _run = new ReferenceTraining<KtoItem>(policy, tokenizer, Config, reference, observer, template,
            new Objective(policy, tokenizer.PadTokenId, Config, Loss), ReferenceFile, "KTO");
    }

    public CausalLM Model => _run.Model;
    public KtoConfig Config { get; }
    public int Step => _run.Step;

    /// <summary>The registered loss <see cref="KtoConfig.LossType"/> names.</summary>
    public UnpairedLossEntry Loss => UnpairedPreferenceLosses.All.Get(Config.LossType);

    /// <summary>Pairs each example with a mismatched completion, precomputes the reference log-probs (or takes them
    /// from a loaded state), then trains from <see cref="Step"/>.</summary>
    /// <exception cref="ArgumentException">Fewer than two examples survive tokenization (no mismatched pair exists).</exception>
    public OfflineRunResult Train(IReadOnlyList<UnpairedExample> train, IReadOnlyList<UnpairedExample>? eval = null,
        Action<int>? afterStep = null, CancellationToken cancellationToken = default)
    {
        var trainRows = Tokenize(train, "KTO train");
        var evalRows = eval is null ? null : Tokenize(eval, "KTO eval");
        WarnIfUnbalanced(trainRows);
        var trainItems = Attach("train", trainRows);
        var evalItems = evalRows is null ? null : Attach("eval", evalRows);
        return _run.Run(trainItems, evalItems, afterStep, cancellationToken);
    }

    /// <summary>
    /// Reference sequence log-probs [example][matched, mismatched] (sums over completion tokens), from the reference
    /// model or, without one, from the policy as it is now.
    /// </summary>
    public double[][] ReferenceLogProbs(IReadOnlyList<(TokenizedPair Rows, bool Desirable)> rows) =>
        _run.ReferenceLogProbs(rows.Select(r => r.Rows).ToList());

    /// <summary>
    /// Tokenizes (dropping examples truncation empties, with a warning) and gives each example its mismatched
    /// completion: that of the nearest earlier example, cyclically, whose prompt differs (any other one when all
    /// prompts are equal), cut to fit <see cref="OfflineTrainingConfig.MaxLength"/> after this prompt.
    /// </summary>
    public List<(TokenizedPair Rows, bool Desirable)> Tokenize(IReadOnlyList<UnpairedExample> examples, string what)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var tokenized = new List<(int[] Prompt, int[] Completion, bool Label)>(examples.Count);
        foreach (var e in examples)
            if (OfflineTokenization.Unpaired(e, _run.Tokenizer, _run.Template, Config.MaxLength, Config.AppendEos) is { } t)
                tokenized.Add((t.Prompt, t.Completion, e.Label));
        if (tokenized.Count < examples.Count)
            _run.Observer.OnMessage(TrainingMessageLevel.Warning,
                $"{what}: dropped {examples.Count - tokenized.Count} of {examples.Count} examples with an empty prompt or no completion token within MaxLength = {Config.MaxLength}.");
        int n = tokenized.Count;
        if (n < 2)
            throw new ArgumentException($"{what}: KTO needs at least two examples (each is paired with another's completion to estimate its reference point); got {n}.", nameof(examples));
        var rows = new List<(TokenizedPair, bool)>(n);
        for (int i = 0; i < n; i++)
        {
            int j = (i + n - 1) % n;
            for (int k = 1; k < n; k++)
            {
                int c = (i + n - k) % n;
                if (!tokenized[c].Prompt.AsSpan().SequenceEqual(tokenized[i].Prompt)) { j = c; break; }
            }
            var (prompt, completion, label) = tokenized[i];
            int room = Math.Max(1, Config.MaxLength - prompt.Length);
            rows.Add((new TokenizedPair(prompt, completion, tokenized[j].Completion.Take(room).ToArray()), label));
        }
        return rows;
    }

    /// <summary>TRL's check of the class weights against the paper's eq. 8 (λ_D·n_D / (λ_U·n_U) in [1, 4/3]).</summary>
    void WarnIfUnbalanced(List<(TokenizedPair Rows, bool Desirable)> rows)
    {
        int desirable = Math.Max(rows.Count(r => r.Desirable), 1), undesirable = Math.Max(rows.Count - desirable, 1);
        if (desirable == undesirable) return;
        double dLow = Math.Round(undesirable * Config.UndesirableWeight / desirable, 2), dHigh = Math.Round(undesirable * Config.UndesirableWeight / desirable * 1.33, 2);
        double uLow = Math.Round(desirable * Config.DesirableWeight / undesirable / 1.33, 2), uHigh = Math.Round(desirable * Config.DesirableWeight / undesirable, 2);
        bool dOk = dLow <= Config.DesirableWeight && Config.DesirableWeight <= dHigh;
        bool uOk = uLow <= Config.UndesirableWeight && Config.UndesirableWeight <= uHigh;
        if (!dOk && !uOk)
            _run.Observer.OnMessage(TrainingMessageLevel.Warning,
                $"KTO train: {desirable} desirable and {undesirable} undesirable examples, and the class weights are outside the range the paper recommends (eq. 8); " +
                $"set EITHER desirable_weight in [{dLow}, {dHigh}] OR undesirable_weight in [{uLow}, {uHigh}].");
    }

    List<KtoItem> Attach(string split, List<(TokenizedPair Rows, bool Desirable)> rows) =>
        _run.WithReference(split, rows, r => r.Rows, (r, reference) => new KtoItem(r.Rows, r.Desirable, reference[0], reference[1]));

    /// <summary>Writes the policy (HF folder), optimizer, RNG, step and the cached reference log-probs.</summary>
    public void SaveState(string dir) => _run.SaveState(dir);

    public void LoadState(string dir) => _run.LoadState(dir);

    sealed class Objective(CausalLM model, int padId, KtoConfig config, UnpairedLossEntry entry) : IOfflineObjective<KtoItem>
    {
        public double Units(IReadOnlyList<KtoItem> items) => items.Count;

        public long Tokens(IReadOnlyList<KtoItem> items) =>
            items.Sum(i => (long)i.Rows.Prompt.Length + i.Rows.Chosen.Length + (entry.NeedsReferencePoint ? i.Rows.Prompt.Length + i.Rows.Rejected.Length : 0));

        public OfflineLoss Loss(IReadOnlyList<KtoItem> microBatch)
        {
            int b = microBatch.Count;
            var device = model.Backbone.EmbeddingWeight.device;
            var prompts = microBatch.Select(i => (IReadOnlyList<int>)i.Rows.Prompt).ToList();
            var policy = LogProbSums(prompts, microBatch.Select(i => (IReadOnlyList<int>)i.Rows.Chosen).ToList(), device);   // [B]
            var reference = torch.tensor(microBatch.Select(i => i.Reference!.Value).ToArray(), dtype: policy.dtype, device: device); // [B]
            var desirable = torch.tensor(microBatch.Select(i => i.Desirable).ToArray(), device: device);                       // [B]
            Tensor z0 = torch.zeros([], dtype: policy.dtype, device: device);
            if (entry.NeedsReferencePoint)
            {
                Tensor mismatched;
                using (torch.no_grad())
                    mismatched = LogProbSums(prompts, microBatch.Select(i => (IReadOnlyList<int>)i.Rows.Rejected).ToList(), device); // [B]
                var referenceMismatched = torch.tensor(microBatch.Select(i => i.ReferenceMismatched!.Value).ToArray(), dtype: policy.dtype, device: device);
                z0 = UnpairedPreferenceLosses.ReferencePoint(mismatched, referenceMismatched);
            }
            var terms = UnpairedPreferenceLosses.Compute(entry, new UnpairedInput(policy, reference, desirable, z0,
                config.Beta, config.DesirableWeight, config.UndesirableWeight));

            var rewards = terms.Reward.to_type(ScalarType.Float64).cpu().data<double>().ToArray();
            var logps = policy.detach().to_type(ScalarType.Float64).cpu().data<double>().ToArray();
            double Sum(double[] v, bool label) => microBatch.Select((item, k) => item.Desirable == label ? v[k] : 0).Sum();
            double chosen = microBatch.Count(i => i.Desirable), rejected = b - chosen;
            var sums = new Dictionary<string, double>
            {
                ["kl"] = z0.to_type(ScalarType.Float64).cpu().item<double>() * b,
                [MetricNames.RewardsChosen] = Sum(rewards, true), [MetricNames.RewardsRejected] = Sum(rewards, false),
                ["logps/chosen"] = Sum(logps, true), ["logps/rejected"] = Sum(logps, false),
            };
            var units = new Dictionary<string, double>
            {
                [MetricNames.RewardsChosen] = chosen, [MetricNames.RewardsRejected] = rejected, ["logps/chosen"] = chosen, ["logps/rejected"] = rejected,
            };
            return new OfflineLoss(terms.PerExample.sum(), sums, units);
        }

        /// <summary>TRL's rewards/margins: the step's mean desirable reward minus its mean undesirable one.</summary>
        public void Derive(Dictionary<string, double> metrics)
        {
            if (metrics.TryGetValue(MetricNames.RewardsChosen, out var c) && metrics.TryGetValue(MetricNames.RewardsRejected, out var r))
                metrics[MetricNames.RewardsMargins] = c - r;
        }

        /// <summary>Σ over completion tokens of log π_θ(y_t | x, y_&lt;t), one per row: [B].</summary>
        Tensor LogProbSums(IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<IReadOnlyList<int>> completions, Device device)
        {
            using var batch = SequenceBatch.Create(prompts, completions, padId, device);
            return (batch.CompletionLogProbs(model) * batch.CompletionMask).sum(1);      // [B, C] → [B]
        }
    }
}
