using Aha.Native;
using Aha.Training.Offline;

namespace Aha.Training.Runs;

/// <summary>
/// <c>aha sft | rm | dpo | kto</c>: builds the model and data from the run config, trains with checkpoints every N steps
/// (model + optimizer + RNG + step through the trainer's SaveState), and saves the final model as a HF folder
/// (<c>final/</c>, tokenizer included). The offline loop's data position is a function of the step, so resuming from
/// a checkpoint continues exactly.
/// </summary>
public static class OfflineRuns
{
    public static RunResult Sft(SftRunConfig config, RunOptions options)
    {
        config = config with { Data = config.Data with { Task = config.Data.ResolvedTask } };
        var device = AhaRuntime.Initialize(new RuntimeOptions { Threads = config.Threads, Device = config.Device });
        var (train, eval) = RunData.Sft(config.Data);
        var tokenizer = RunModels.Tokenizer(config.Model, RunData.Texts(train.Concat(eval)));
        var modelConfig = RunModels.Config(config.Model, tokenizer);
        using var model = RunModels.Policy(config.Model, modelConfig, device);
        var observer = new DeferredObserver();
        var trainer = new SftTrainer(model, tokenizer, config.Trainer, observer);
        return Train(config, "sft", options, config.Trainer, train.Count, config.Checkpointing, observer,
            trainer.LoadState, trainer.SaveState, (after, ct) => trainer.Train(train, eval.Count > 0 ? eval : null, after, ct),
            dir => RunModels.SaveFolder(model, modelConfig, tokenizer, config.Model, dir));
    }

    public static RunResult RewardModel(RewardModelRunConfig config, RunOptions options)
    {
        var device = AhaRuntime.Initialize(new RuntimeOptions { Threads = config.Threads, Device = config.Device });
        var (train, eval) = RunData.Preferences(config.Data);
        var tokenizer = RunModels.Tokenizer(config.Model, RunData.Texts(train.Concat(eval)));
        var modelConfig = RunModels.Config(config.Model, tokenizer);
        using var model = RunModels.ScalarHead(config.Model, modelConfig, device);
        var observer = new DeferredObserver();
        var trainer = new RewardModelTrainer(model, tokenizer, config.Trainer, observer);
        return Train(config, "rm", options, config.Trainer, train.Count, config.Checkpointing, observer,
            trainer.LoadState, trainer.SaveState, (after, ct) => trainer.Train(train, eval.Count > 0 ? eval : null, after, ct),
            dir => RunModels.SaveFolder(model, modelConfig, tokenizer, config.Model, dir));
    }

    public static RunResult Dpo(DpoRunConfig config, RunOptions options)
    {
        var device = AhaRuntime.Initialize(new RuntimeOptions { Threads = config.Threads, Device = config.Device });
        var (train, eval) = RunData.Preferences(config.Data);
        var tokenizer = RunModels.Tokenizer(config.Model, RunData.Texts(train.Concat(eval)));
        var modelConfig = RunModels.Config(config.Model, tokenizer);
        using var model = RunModels.Policy(config.Model, modelConfig, device);
        var observer = new DeferredObserver();
        var trainer = new DpoTrainer(model, tokenizer, config.Trainer, observer: observer);
        return Train(config, "dpo", options, config.Trainer, train.Count, config.Checkpointing, observer,
            trainer.LoadState, trainer.SaveState, (after, ct) => trainer.Train(train, eval.Count > 0 ? eval : null, after, ct),
            dir => RunModels.SaveFolder(model, modelConfig, tokenizer, config.Model, dir));
    }

    public static RunResult Kto(KtoRunConfig config, RunOptions options)
    {
        config = config with { Data = config.Data with { Task = config.Data.ResolvedTask } };
        var device = AhaRuntime.Initialize(new RuntimeOptions { Threads = config.Threads, Device = config.Device });
        var (train, eval) = RunData.Unpaired(config.Data);
        var tokenizer = RunModels.Tokenizer(config.Model, RunData.Texts(train.Concat(eval)));
        var modelConfig = RunModels.Config(config.Model, tokenizer);
        using var model = RunModels.Policy(config.Model, modelConfig, device);
        var observer = new DeferredObserver();
        var trainer = new KtoTrainer(model, tokenizer, config.Trainer, observer: observer);
        return Train(config, "kto", options, config.Trainer, train.Count, config.Checkpointing, observer,
            trainer.LoadState, trainer.SaveState, (after, ct) => trainer.Train(train, eval.Count > 0 ? eval : null, after, ct),
            dir => RunModels.SaveFolder(model, modelConfig, tokenizer, config.Model, dir));
    }

    static RunResult Train(object config, string prefix, RunOptions options, OfflineTrainingConfig trainer, int trainCount,
        CheckpointSection checkpointing, DeferredObserver observer, Action<string> load, Action<string> save,
        Func<Action<int>, CancellationToken, OfflineRunResult> train, Action<string> saveFinal)
    {
        if (trainCount == 0) throw new ArgumentException("data: the training set is empty.", nameof(config));
        int perEpoch = (trainCount + trainer.EffectiveBatchSize - 1) / trainer.EffectiveBatchSize;
        int total = trainer.MaxSteps ?? trainer.Epochs * perEpoch;
        using var session = RunSession.Open(config, prefix, options, total, checkpointing.KeepLast);
        observer.Target = session.Tracker;
        if (session.ResumeFrom is { } from) load(from);
        int every = checkpointing.Every;
        var result = train(step =>
        {
            if (every > 0 && step % every == 0) session.Checkpoint(step, save);
        }, options.Cancellation);
        if (result.Steps < total)
        {
            if (every == 0 || result.Steps % every != 0) session.Checkpoint(result.Steps, save);
            return new RunResult(session.Dir.Path, result.Steps, session.FinalPath, result.LastMetrics, Completed: false);
        }
        saveFinal(session.FinalPath);
        return new RunResult(session.Dir.Path, result.Steps, session.FinalPath, result.LastMetrics, Completed: true);
    }
}
