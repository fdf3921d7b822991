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
/// a checkpoint continues exactly. Each command differs only in its data reader, its model (policy or scalar head)
/// and its trainer; <see cref="Train{TExample, TModel}"/> is the rest.
/// </summary>
public static class OfflineRuns
{
    public static RunResult Sft(SftRunConfig config, RunOptions options)
    {
        config = config with { Data = config.Data with { Task = config.Data.ResolvedTask } };
        return Train(config, "sft", options, RunData.Sft(config.Data), RunData.Texts, run => run.Policy(),
            (model, tokenizer, observer) => new SftTrainer(model, tokenizer, config.Trainer, observer),
            "sft: next-token cross-entropy on completion tokens");
    }

    public static RunResult RewardModel(RewardModelRunConfig config, RunOptions options) =>
        Train(config, "rm", options, RunData.Preferences(config.Data), RunData.Texts, run => run.ScalarHead(),
            (model, tokenizer, observer) => new RewardModelTrainer(model, tokenizer, config.Trainer, observer),
            "reward model: Bradley-Terry −log σ(r(chosen) − r(rejected))");

    public static RunResult Dpo(DpoRunConfig config, RunOptions options) =>
        Train(config, "dpo", options, RunData.Preferences(config.Data), RunData.Texts, run => run.Policy(),
            (model, tokenizer, observer) => new DpoTrainer(model, tokenizer, config.Trainer, observer: observer),
            $"dpo: loss_type {config.Trainer.LossType}, beta {config.Trainer.Beta}, reference = the starting model");

    public static RunResult Kto(KtoRunConfig config, RunOptions options)
    {
        config = config with { Data = config.Data with { Task = config.Data.ResolvedTask } };
        return Train(config, "kto", options, RunData.Unpaired(config.Data), RunData.Texts, run => run.Policy(),
            (model, tokenizer, observer) => new KtoTrainer(model, tokenizer, config.Trainer, observer: observer),
            $"kto: loss_type {config.Trainer.LossType}, beta {config.Trainer.Beta}, reference = the starting model");
    }

    /// <summary>
    /// The offline run of every command: runtime and model, folder and header, trainer, resume, checkpoints every N
    /// steps, <c>final/</c>; an error that ends the run is written to log.txt.
    /// </summary>
    static RunResult Train<TExample, TModel>(IOfflineRunConfig config, string prefix, RunOptions options,
        (IReadOnlyList<TExample> Train, IReadOnlyList<TExample> Eval) data, Func<IEnumerable<TExample>, IEnumerable<string>> texts,
        Func<RunContext, TModel> buildModel, Func<TModel, ITokenizer, ITrainingObserver, IOfflineTrainer<TExample>> buildTrainer,
        string algorithm) where TModel : nn.Module
    {
        var (train, eval) = data;
        using var run = RunContext.Open(config.Threads, config.Device, config.Model, texts(train.Concat(eval)));
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
            if (session.ResumeFrom is { } from) job.LoadState(from);
            int every = config.Checkpointing.Every;
            var result = job.Train(train, eval.Count > 0 ? eval : null, step =>
            {
                if (every > 0 && step % every == 0) session.Checkpoint(step, job.SaveState);
            }, options.Cancellation);
            if (result.Steps < total)
            {
                if (every == 0 || result.Steps % every != 0) session.Checkpoint(result.Steps, job.SaveState);
                return new RunResult(session.Dir.Path, result.Steps, session.FinalPath, result.LastMetrics, Completed: false);
            }
            run.SaveFinal(model);
            return new RunResult(session.Dir.Path, result.Steps, session.FinalPath, result.LastMetrics, Completed: true);
        }
        catch (Exception e) when (session.LogFatal(e))
        {
            throw; // never reached: LogFatal returns false, so the exception propagates unchanged
        }
    }
}
