using Aha.Data;
using Aha.Models;
using Aha.Tokenization;
using Aha.Tracking;
using Aha.Training.Offline;
using static TorchSharp.torch;

namespace Aha.Training.Runs;

/// <summary>
/// <c>aha sft | rm | dpo | kto</c>: builds the model and data from the run config, trains with checkpoints every N steps
/// (model + optimizer + RNG + step through the trainer's SaveState), and saves the final model as a HF folder
/// (<c>final/</c>, tokenizer included). The offline loop's data position is a function of the step, so resuming from
/// a checkpoint continues exactly (<see cref="OfflineStage"/>). Each command differs only in its data reader, its model
/// (policy or scalar head) and its trainer; <see cref="Train{TExample, TModel}"/> is the rest.
/// </summary>
public static class OfflineRuns
{
    public static RunResult Sft(SftRunConfig config, RunOptions options)
    {
        config = Resolve(config);
        var data = RunData.Sft(config.Data);
        using var run = Open(config, data, RunData.Texts);
        return Sft(run, config, data, options);
    }

    /// <summary>The SFT stage on an open context (<c>aha sft</c>, recipe r1's SFT stages): <paramref name="config"/>
    /// resolved by <see cref="Resolve"/>, <paramref name="data"/> read from its data section.</summary>
    internal static RunResult Sft(RunContext run, SftRunConfig config, (IReadOnlyList<SftExample> Train, IReadOnlyList<SftExample> Eval) data, RunOptions options) =>
        Train(run, config, "sft", options, data, r => r.Policy(),
            (model, tokenizer, observer) => new SftTrainer(model, tokenizer, config.Trainer, observer),
            "sft: next-token cross-entropy on completion tokens");

    /// <summary>The SFT config with its data section's task resolved (what the run folder records).</summary>
    internal static SftRunConfig Resolve(SftRunConfig config) => config with { Data = config.Data with { Task = config.Data.ResolvedTask } };

    public static RunResult RewardModel(RewardModelRunConfig config, RunOptions options)
    {
        var data = RunData.Preferences(config.Data);
        using var run = Open(config, data, RunData.Texts);
        return Train(run, config, "rm", options, data, r => r.ScalarHead(),
            (model, tokenizer, observer) => new RewardModelTrainer(model, tokenizer, config.Trainer, observer),
            "reward model: Bradley-Terry −log σ(r(chosen) − r(rejected))");
    }

    public static RunResult Dpo(DpoRunConfig config, RunOptions options)
    {
        var data = RunData.Preferences(config.Data);
        using var run = Open(config, data, RunData.Texts);
        return Train(run, config, "dpo", options, data, r => r.Policy(),
            (model, tokenizer, observer) => new DpoTrainer(model, tokenizer, config.Trainer, observer: observer),
            $"dpo: loss_type {config.Trainer.LossType}, beta {config.Trainer.Beta}, reference = the starting model");
    }

    public static RunResult Kto(KtoRunConfig config, RunOptions options)
    {
        config = config with { Data = config.Data with { Task = config.Data.ResolvedTask } };
        var data = RunData.Unpaired(config.Data);
        using var run = Open(config, data, RunData.Texts);
        return Train(run, config, "kto", options, data, r => r.Policy(),
            (model, tokenizer, observer) => new KtoTrainer(model, tokenizer, config.Trainer, observer: observer),
            $"kto: loss_type {config.Trainer.LossType}, beta {config.Trainer.Beta}, reference = the starting model");
    }

    /// <summary>The runtime, tokenizer (a character tokenizer's alphabet from the data) and model config of the run.</summary>
    static RunContext Open<TExample>(IOfflineRunConfig config, (IReadOnlyList<TExample> Train, IReadOnlyList<TExample> Eval) data,
        Func<IEnumerable<TExample>, IEnumerable<string>> texts) =>
        RunContext.Open(config.Threads, config.Device, config.Model, texts(data.Train.Concat(data.Eval)));

    /// <summary>
    /// The offline run of every command on its context: model, folder and header, trainer, the <see cref="OfflineStage"/>
    /// (resume, checkpoints every N steps), <c>final/</c>; an error that ends the run is written to log.txt.
    /// </summary>
    static RunResult Train<TExample, TModel>(RunContext run, IOfflineRunConfig config, string prefix, RunOptions options,
        (IReadOnlyList<TExample> Train, IReadOnlyList<TExample> Eval) data,
        Func<RunContext, TModel> buildModel, Func<TModel, ITokenizer, ITrainingObserver, IOfflineTrainer<TExample>> buildTrainer,
        string algorithm) where TModel : nn.Module
    {
        var (train, eval) = data;
        var model = buildModel(run);
        var trainer = config.OfflineTrainer;
        if (train.Count == 0) throw new ArgumentException("data: the training set is empty.", nameof(config));
        int perEpoch = (train.Count + trainer.EffectiveBatchSize - 1) / trainer.EffectiveBatchSize;
        int total = trainer.MaxSteps ?? trainer.Epochs * perEpoch;
        var session = run.OpenFolder(config, prefix, options, total, config.Checkpointing.KeepLast);
        RunHeader.Write(run, prefix, model, config.Data, train.Count, eval.Count, algorithm);
        var job = run.Build(observer => buildTrainer(model, run.Tokenizer, observer)); // refusing its input removes the new folder
        try
        {
            var result = OfflineStage.Run(session, job, train, eval, total, config.Checkpointing.Every, options.Cancellation);
            if (result.Completed) run.SaveFinal(model);
            return result;
        }
        catch (Exception e) when (session.LogFatal(e))
        {
            throw; // never reached: LogFatal returns false, so the exception propagates unchanged
        }
    }
}
