using System.Diagnostics;
using Aha.Checkpoints;
using Aha.Data;
using Aha.Models;
using Aha.Tracking;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Aha.Training.Offline;

/// <summary>
/// The one training loop of SFT, reward modelling and DPO (nanoGPT's train.py, HF Trainer's inner loop): epochs over a
/// list shuffled per epoch from the seed, micro-batches of <see cref="OfflineTrainingConfig.BatchSize"/> accumulated
/// into each optimizer step, warmup + cosine LR, global-norm clipping, AdamW without decay on 1-D parameters,
/// evaluation every N steps, and one <see cref="ITrainingObserver.OnStep"/> per step.
/// <para>The data position is a pure function of the step (epoch = step / steps_per_epoch, order from
/// seed and epoch), so a resumed run needs only the step to continue exactly. A last partial step of an epoch
/// uses the leftover examples (no drop_last).</para>
/// </summary>
public sealed class OfflineLoop<TItem>
{
    readonly OfflineTrainingConfig _config;
    readonly nn.Module _model;
    readonly ModelConfig _modelConfig;
    readonly IOfflineObjective<TItem> _objective;
    readonly ITrainingObserver _observer;
    readonly List<Parameter> _parameters;
    int _orderEpoch = -1;
    int[] _order = [];

    public OfflineLoop(OfflineTrainingConfig config, nn.Module model, ModelConfig modelConfig, IOfflineObjective<TItem> objective, ITrainingObserver? observer = null)
    {
        _config = config ?? throw new ArgumentNullException(nameof(config));
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _modelConfig = modelConfig ?? throw new ArgumentNullException(nameof(modelConfig));
        _objective = objective ?? throw new ArgumentNullException(nameof(objective));
        _observer = observer ?? NullTrainingObserver.Instance;
        _parameters = TrainableWeights.Of(model).ToList();
        Optimizer = OptimizerFactory.AdamW(_parameters, config.LearningRate, config.WeightDecay,
            config.AdamBeta1, config.AdamBeta2, config.AdamEpsilon);
    }

    /// <summary>Optimizer steps done so far (restored by <see cref="LoadState"/>).</summary>
    public int Step { get; private set; }

    public AdamW Optimizer { get; }

    /// <summary>Training-set size the state was saved with (checked on resume), or null before any run.</summary>
    public int? TrainSize { get; private set; }

    /// <summary>Optimizer steps in one epoch of <paramref name="trainSize"/> examples: ⌈n / (batch · accumulation)⌉.</summary>
    public int StepsPerEpoch(int trainSize) => (trainSize + _config.EffectiveBatchSize - 1) / _config.EffectiveBatchSize;

    /// <summary>Total optimizer steps of a run: <see cref="OfflineTrainingConfig.MaxSteps"/>, else epochs × steps per epoch.</summary>
    public int TotalSteps(int trainSize) => _config.MaxSteps ?? _config.Epochs * StepsPerEpoch(trainSize);

    /// <summary>
    /// Trains from <see cref="Step"/> to the total. <paramref name="afterStep"/> runs after each optimizer step with the
    /// number of steps done (the place to save a checkpoint); cancelling stops cleanly between steps.
    /// </summary>
    public OfflineRunResult Run(IReadOnlyList<TItem> train, IReadOnlyList<TItem>? eval = null,
        Action<int>? afterStep = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0) throw new ArgumentException("The training set is empty.", nameof(train));
        if (TrainSize is int n && n != train.Count)
            throw new ArgumentException($"The saved state was trained on {n} examples but {train.Count} were given; resume with the same data.", nameof(train));
        TrainSize = train.Count;
        int total = TotalSteps(train.Count);
        var schedule = _config.Schedule(total);
        IReadOnlyDictionary<string, double> last = new Dictionary<string, double>();
        IReadOnlyDictionary<string, double> lastEval = new Dictionary<string, double>();
        bool hasEval = eval is { Count: > 0 };
        while (Step < total && !cancellationToken.IsCancellationRequested)
        {
            var metrics = TrainStep(train, schedule.At(Step));
            Step++;
            if (hasEval && (Step == total || (_config.EvalSteps > 0 && Step % _config.EvalSteps == 0)))
            {
                lastEval = Evaluate(eval!);
                foreach (var (k, v) in lastEval) metrics[k] = v;
            }
            _observer.OnStep(Step, metrics);
            last = metrics;
            afterStep?.Invoke(Step);
        }
        return new OfflineRunResult(Step, last, lastEval);
    }

    /// <summary>Mean loss and metrics over <paramref name="eval"/>, without gradients, named <c>eval_*</c>.</summary>
    public Dictionary<string, double> Evaluate(IReadOnlyList<TItem> eval)
    {
        ArgumentNullException.ThrowIfNull(eval);
        var sums = new Dictionary<string, double>();
        var ownUnits = new Dictionary<string, double>();
        double units = 0;
        _model.eval();
        try
        {
            using var _ = torch.no_grad();
            foreach (var chunk in eval.Chunk(_config.ResolvedEvalBatchSize))
            {
                using var scope = torch.NewDisposeScope();
                units += _objective.Units(chunk);
                Accumulate(sums, ownUnits, _objective.Loss(chunk));
            }
        }
        finally { _model.train(); }
        return Means(sums, ownUnits, units).ToDictionary(kv => "eval_" + kv.Key, kv => kv.Value);
    }

    Dictionary<string, double> TrainStep(IReadOnlyList<TItem> train, double lr)
    {
        var sw = Stopwatch.StartNew();
        var items = StepItems(train, Step);
        var micro = items.Chunk(_config.BatchSize).ToList();
        double units = _objective.Units(items);
        long tokens = _objective.Tokens(items);
        var sums = new Dictionary<string, double>();
        var ownUnits = new Dictionary<string, double>();

        _model.train();
        OptimizerFactory.SetLearningRate(Optimizer, lr);
        Optimizer.zero_grad();
        foreach (var mb in micro)
        {
            using var scope = torch.NewDisposeScope();
            var result = _objective.Loss(mb);
            // Normalise by the whole step's units: Σ over micro-batches of these equals the full-batch mean loss.
            (result.Sum / Math.Max(units, 1e-12)).backward();
            Accumulate(sums, ownUnits, result);
        }
        double gradNorm;
        using (var scope = torch.NewDisposeScope())
            gradNorm = nn.utils.clip_grad_norm_(_parameters, _config.MaxGradNorm > 0 ? _config.MaxGradNorm : double.PositiveInfinity);
        Optimizer.step();

        double seconds = sw.Elapsed.TotalSeconds;
        var metrics = Means(sums, ownUnits, units);
        metrics[MetricNames.Lr] = lr;
        metrics[MetricNames.GradNorm] = gradNorm;
        metrics["epoch"] = (double)(Step + 1) / StepsPerEpoch(train.Count);
        metrics[MetricNames.Throughput] = tokens / Math.Max(seconds, 1e-9);
        metrics[MetricNames.StepS] = seconds;
        return metrics;
    }

    static void Accumulate(Dictionary<string, double> sums, Dictionary<string, double> ownUnits, OfflineLoss result)
    {
        sums[MetricNames.Loss] = sums.GetValueOrDefault(MetricNames.Loss) + result.Sum.detach().to_type(ScalarType.Float64).cpu().item<double>();
        foreach (var (k, v) in result.MetricSums) sums[k] = sums.GetValueOrDefault(k) + v;
        foreach (var (k, v) in result.MetricUnits ?? new Dictionary<string, double>()) ownUnits[k] = ownUnits.GetValueOrDefault(k) + v;
    }

    /// <summary>Each sum over its units: the metric's own (left out when 0) or the step's loss units.</summary>
    Dictionary<string, double> Means(Dictionary<string, double> sums, Dictionary<string, double> ownUnits, double units)
    {
        var means = new Dictionary<string, double>();
        foreach (var (k, v) in sums)
        {
            if (!ownUnits.TryGetValue(k, out var u)) means[k] = v / Math.Max(units, 1e-12);
            else if (u > 0) means[k] = v / u;
        }
        _objective.Derive(means);
        return means;
    }

    /// <summary>The examples of optimizer step <paramref name="step"/> (0-based), from the epoch's seeded order.</summary>
    public IReadOnlyList<TItem> StepItems(IReadOnlyList<TItem> train, int step)
    {
        int perEpoch = StepsPerEpoch(train.Count);
        int epoch = step / perEpoch, k = step % perEpoch;
        if (epoch != _orderEpoch)
        {
            _order = DataShuffle.EpochOrder(train.Count, _config.Seed, epoch);
            _orderEpoch = epoch;
        }
        int start = k * _config.EffectiveBatchSize, end = Math.Min(start + _config.EffectiveBatchSize, train.Count);
        var items = new TItem[end - start];
        for (int i = start; i < end; i++) items[i - start] = train[_order[i]];
        return items;
    }

    /// <summary>Writes the model (HF config.json + model.safetensors, or the LoRA adapter), optimizer state, RNG state and the step into <paramref name="dir"/>.</summary>
    public void SaveState(string dir)
    {
        TrainableWeights.Save(_model, _modelConfig, dir);
        OfflineState.Save(dir, Optimizer, new OfflineStateInfo(Step, TrainSize, _config.Seed));
    }

    /// <summary>Restores what <see cref="SaveState"/> wrote; the next <see cref="Run"/> continues from the saved step.</summary>
    public void LoadState(string dir)
    {
        TrainableWeights.Load(_model, dir);
        var info = OfflineState.Load(dir, Optimizer);
        if (info.Seed != _config.Seed)
            throw new ArgumentException($"{Path.Combine(dir, Aha.Training.Checkpointing.TrainerState.FileName)}: saved with seed {info.Seed} but the config has seed {_config.Seed}; the data order would differ.", nameof(dir));
        Step = info.Step;
        TrainSize = info.TrainSize;
    }
}
