using Aha.Configuration;
using Aha.Data;
using Aha.Models;
using Aha.Tokenization;
using Aha.Tracking;

namespace Aha.Training.Offline;

/// <summary>
/// Supervised fine-tuning (InstructGPT step 1, R1's cold start): mean next-token cross-entropy over completion
/// tokens only, L = −Σ_t m_t log π_θ(y_t | x, y_&lt;t) / Σ_t m_t, the mean taken over every target token of the
/// optimizer step (so gradient accumulation is exact, as HF's <c>num_items_in_batch</c>). Metrics: loss, eval_loss,
/// learning_rate, grad_norm, epoch, perf/throughput, step_time.
/// <para>Departures from TRL: packing (<see cref="SftConfig.Packing"/>) packs each micro-batch on its own, so a step
/// trains the same examples packed or not; chat data always trains on assistant turns only (TRL trains on the whole
/// conversation unless <c>assistant_only_loss</c>); the LR schedule is warmup + cosine (HF's default is linear).</para>
/// </summary>
public sealed class SftTrainer : IOfflineTrainer<SftExample>
{
    readonly ITokenizer _tokenizer;
    readonly ChatTemplate _template;
    readonly ITrainingObserver _observer;
    readonly OfflineLoop<TokenizedSequence> _loop;

    public SftTrainer(CausalLM model, ITokenizer tokenizer, SftConfig config, ITrainingObserver? observer = null, ChatTemplate? template = null)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        Config = (config ?? throw new ArgumentNullException(nameof(config))).Validate();
        _template = template ?? ChatTemplate.For(tokenizer);
        _observer = observer ?? NullTrainingObserver.Instance;
        _loop = new OfflineLoop<TokenizedSequence>(Config, model, model.Config, new Objective(model, tokenizer.PadTokenId, Config), _observer);
    }

    public CausalLM Model { get; }
    public SftConfig Config { get; }

    /// <summary>Optimizer steps done (after <see cref="LoadState"/>, the saved step).</summary>
    public int Step => _loop.Step;

    /// <summary>Tokenizes the data and trains from <see cref="Step"/> to the end (see <see cref="OfflineLoop{TItem}.Run"/>).</summary>
    public OfflineRunResult Train(IReadOnlyList<SftExample> train, IReadOnlyList<SftExample>? eval = null,
        Action<int>? afterStep = null, CancellationToken cancellationToken = default)
    {
        var trainSeq = Tokenize(train, nameof(train));
        var evalSeq = eval is null ? null : Tokenize(eval, nameof(eval));
        return _loop.Run(trainSeq, evalSeq, afterStep, cancellationToken);
    }

    /// <summary>eval_loss (mean over target tokens) without training.</summary>
    public IReadOnlyDictionary<string, double> Evaluate(IReadOnlyList<SftExample> eval) => _loop.Evaluate(Tokenize(eval, nameof(eval)));

    /// <summary>Tokenized sequences, dropping (and reporting) those truncation leaves without a target.</summary>
    public List<TokenizedSequence> Tokenize(IReadOnlyList<SftExample> examples, string what = "data")
    {
        ArgumentNullException.ThrowIfNull(examples);
        var result = new List<TokenizedSequence>(examples.Count);
        int dropped = 0;
        foreach (var e in examples)
        {
            if (OfflineTokenization.Sft(e, _tokenizer, _template, Config.MaxLength, Config.AppendEos) is { } s) result.Add(s);
            else dropped++;
        }
        if (dropped > 0)
            _observer.OnMessage(TrainingMessageLevel.Warning, $"SFT {what}: dropped {dropped} of {examples.Count} examples with no completion token within MaxLength = {Config.MaxLength}.");
        return result;
    }

    /// <summary>Writes the model (HF config.json + model.safetensors), optimizer, RNG and step into <paramref name="dir"/>.</summary>
    public void SaveState(string dir) => _loop.SaveState(dir);

    /// <summary>Restores what <see cref="SaveState"/> wrote; the next <see cref="Train"/> continues from there.</summary>
    public void LoadState(string dir) => _loop.LoadState(dir);

    sealed class Objective(CausalLM model, int padId, SftConfig config) : IOfflineObjective<TokenizedSequence>
    {
        public double Units(IReadOnlyList<TokenizedSequence> items) => items.Sum(s => s.TrainedCount);

        public long Tokens(IReadOnlyList<TokenizedSequence> items) => items.Sum(s => (long)s.Ids.Length);

        public OfflineLoss Loss(IReadOnlyList<TokenizedSequence> microBatch)
        {
            var device = model.Backbone.EmbeddingWeight.device;
            using var batch = config.Packing
                ? SftBatch.CreatePacked(microBatch, config.MaxLength, padId, device)
                : SftBatch.Create(microBatch, padId, device);
            return new OfflineLoss(SftLoss.TokenSum(model, batch), new Dictionary<string, double>());
        }
    }
}
