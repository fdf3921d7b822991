using Aha.Algorithms;
using Aha.Configuration;
using Aha.Data;
using Aha.Models;
using Aha.Tokenization;
using Aha.Tracking;
using static TorchSharp.torch;

namespace Aha.Training.Offline;

/// <summary>
/// Reward model (InstructGPT step 2, arXiv:2203.02155): a <see cref="ScalarHeadModel"/> scores prompt + completion
/// at its last real token, trained with the Bradley-Terry loss L = −mean log σ(r(x, y_w) − r(x, y_l)) (plus optional
/// centering). Chosen and rejected go through one forward pass of 2B rows. Metrics (TRL names where they exist):
/// loss, accuracy (fraction with r_w &gt; r_l, ties wrong), margin (mean r_w − r_l), rewards/chosen, rewards/rejected,
/// and the same with an <c>eval_</c> prefix.
/// <para>Departures from TRL: no per-pair margin column; the sequence is scored at its last real token even when
/// that is a pad-looking id (we use the attention mask, not the pad id).</para>
/// </summary>
public sealed class RewardModelTrainer : IOfflineTrainer<PreferenceExample>
{
    readonly ITokenizer _tokenizer;
    readonly ChatTemplate _template;
    readonly ITrainingObserver _observer;
    readonly OfflineLoop<TokenizedPair> _loop;

    public RewardModelTrainer(ScalarHeadModel model, ITokenizer tokenizer, RewardModelConfig config, ITrainingObserver? observer = null, ChatTemplate? template = null)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        Config = (config ?? throw new ArgumentNullException(nameof(config))).Validate();
        _template = template ?? ChatTemplate.For(tokenizer);
        _observer = observer ?? NullTrainingObserver.Instance;
        _loop = new OfflineLoop<TokenizedPair>(Config, model, model.Config, new Objective(model, tokenizer.PadTokenId, Config.CenterRewardsCoefficient), _observer);
    }

    public ScalarHeadModel Model { get; }
    public RewardModelConfig Config { get; }
    public int Step => _loop.Step;

    public OfflineRunResult Train(IReadOnlyList<PreferenceExample> train, IReadOnlyList<PreferenceExample>? eval = null,
        Action<int>? afterStep = null, CancellationToken cancellationToken = default)
    {
        var trainPairs = PreferenceTokenizing.Tokenize(train, _tokenizer, _template, Config, _observer, "reward-model train");
        var evalPairs = eval is null ? null : PreferenceTokenizing.Tokenize(eval, _tokenizer, _template, Config, _observer, "reward-model eval");
        return _loop.Run(trainPairs, evalPairs, afterStep, cancellationToken);
    }

    /// <summary>eval_loss, eval_accuracy, eval_margin, eval_rewards/chosen, eval_rewards/rejected.</summary>
    public IReadOnlyDictionary<string, double> Evaluate(IReadOnlyList<PreferenceExample> eval) =>
        _loop.Evaluate(PreferenceTokenizing.Tokenize(eval, _tokenizer, _template, Config, _observer, "reward-model eval"));

    /// <summary>
    /// Scores prompt + completion texts → one reward each, formatted as in training (EOS appended to the completion
    /// when <see cref="OfflineTrainingConfig.AppendEos"/>; pass chat text already rendered, ending in &lt;|im_end|&gt;).
    /// </summary>
    public double[] Score(IReadOnlyList<(string Prompt, string Completion)> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        return Model.ScoreSequences(samples.Select(s => (IReadOnlyList<int>)[.. _tokenizer.Encode(s.Prompt), .. Completion(s.Completion)]).ToList(),
            _tokenizer.PadTokenId);
    }

    List<int> Completion(string text)
    {
        var ids = _tokenizer.Encode(text).ToList();
        if (Config.AppendEos && !text.EndsWith(ChatTemplate.ImEnd, StringComparison.Ordinal) && _tokenizer.EosTokenId is int eos) ids.Add(eos);
        return ids;
    }

    /// <summary>Writes the model (HF config.json + model.safetensors with <c>score.weight</c>), optimizer, RNG and step.</summary>
    public void SaveState(string dir) => _loop.SaveState(dir);

    public void LoadState(string dir) => _loop.LoadState(dir);

    sealed class Objective(ScalarHeadModel model, int padId, double centering) : IOfflineObjective<TokenizedPair>
    {
        public double Units(IReadOnlyList<TokenizedPair> items) => items.Count;

        public long Tokens(IReadOnlyList<TokenizedPair> items) => items.Sum(PairBatch.Tokens);

        public OfflineLoss Loss(IReadOnlyList<TokenizedPair> microBatch)
        {
            int b = microBatch.Count;
            using var batch = PairBatch.Create(microBatch, padId, model.Backbone.EmbeddingWeight.device);
            var scores = model.Score(batch.Ids, batch.AttentionMask);                 // [2B]
            var (loss, stats) = PreferenceLosses.BradleyTerry(scores.narrow(0, 0, b), scores.narrow(0, b, b), centeringCoefficient: centering);
            return new OfflineLoss(loss * b, new Dictionary<string, double>
            {
                [MetricNames.Accuracy] = stats.Accuracy * b,
                [MetricNames.Margin] = stats.Margin * b,
                [MetricNames.RewardsChosen] = stats.ChosenMean * b,
                [MetricNames.RewardsRejected] = stats.RejectedMean * b,
            });
        }
    }
}

/// <summary>Shared by the pairwise trainers: tokenize, drop what truncation empties, say so.</summary>
internal static class PreferenceTokenizing
{
    public static List<TokenizedPair> Tokenize(IReadOnlyList<PreferenceExample> examples, ITokenizer tokenizer, ChatTemplate template,
        OfflineTrainingConfig config, ITrainingObserver observer, string what)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var result = new List<TokenizedPair>(examples.Count);
        int dropped = 0;
        foreach (var e in examples)
        {
            if (OfflineTokenization.Pair(e, tokenizer, template, config.MaxLength, config.AppendEos) is { } p) result.Add(p);
            else dropped++;
        }
        if (dropped > 0)
            observer.OnMessage(TrainingMessageLevel.Warning, $"{what}: dropped {dropped} of {examples.Count} pairs with an empty prompt or no completion token within MaxLength = {config.MaxLength}.");
        return result;
    }
}
