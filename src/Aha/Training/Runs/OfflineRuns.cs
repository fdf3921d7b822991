using Aha.Tracking;
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
        var (train, eval) = RunData.Sft(config.Data);
        using var run = RunContext.Open(config.Threads, config.Device, config.Model, RunData.Texts(train.Concat(eval)));
        var model = run.Policy();
        return Train(run, config, "sft", options, config.Trainer, train.Count, config.Checkpointing, model,
            observer =>
            {
                var t = new SftTrainer(model, run.Tokenizer, config.Trainer, observer);
                return new Job(t.LoadState, t.SaveState, (after, ct) => t.Train(train, eval.Count > 0 ? eval : null, after, ct));
            });
    }

    public static RunResult RewardModel(RewardModelRunConfig config, RunOptions options)
    {
        var (train, eval) = RunData.Preferences(config.Data);
        using var run = RunContext.Open(config.Threads, config.Device, config.Model, RunData.Texts(train.Concat(eval)));
        var model = run.ScalarHead();
        return Train(run, config, "rm", options, config.Trainer, train.Count, config.Checkpointing, model,
            observer =>
            {
                var t = new RewardModelTrainer(model, run.Tokenizer, config.Trainer, observer);
                return new Job(t.LoadState, t.SaveState, (after, ct) => t.Train(train, eval.Count > 0 ? eval : null, after, ct));
            });
    }

    public static RunResult Dpo(DpoRunConfig config, RunOptions options)
    {
        var (train, eval) = RunData.Preferences(config.Data);
        using var run = RunContext.Open(config.Threads, config.Device, config.Model, RunData.Texts(train.Concat(eval)));
        var model = run.Policy();
        return Train(run, config, "dpo", options, config.Trainer, train.Count, config.Checkpointing, model,
            observer =>
            {
                var t = new DpoTrainer(model, run.Tokenizer, config.Trainer, observer: observer);
                return new Job(t.LoadState, t.SaveState, (after, ct) => t.Train(train, eval.Count > 0 ? eval : null, after, ct));
            });
    }

    public static RunResult Kto(KtoRunConfig config, RunOptions options)
    {
        config = config with { Data = config.Data with { Task = config.Data.ResolvedTask } };
        var (train, eval) = RunData.Unpaired(config.Data);
        using var run = RunContext.Open(config.Threads, config.Device, config.Model, RunData.Texts(train.Concat(eval)));
        var model = run.Policy();
        return Train(run, config, "kto", options, config.Trainer, train.Count, config.Checkpointing, model,
            observer =>
            {
                var t = new KtoTrainer(model, run.Tokenizer, config.Trainer, observer: observer);
                return new Job(t.LoadState, t.SaveState, (after, ct) => t.Train(train, eval.Count > 0 ? eval : null, after, ct));
            });
    }

    /// <summary>The offline loop of every command: folder, trainer, resume, checkpoints every N steps, <c>final/</c>.</summary>
    static RunResult Train(RunContext run, object config, string prefix, RunOptions options, OfflineTrainingConfig trainer,
        int trainCount, CheckpointSection checkpointing, TorchSharp.torch.nn.Module model, Func<ITrainingObserver, Job> build)
    {
        if (trainCount == 0) throw new ArgumentException("data: the training set is empty.", nameof(config));
        int perEpoch = (trainCount + trainer.EffectiveBatchSize - 1) / trainer.EffectiveBatchSize;
        int total = trainer.MaxSteps ?? trainer.Epochs * perEpoch;
        var session = run.OpenFolder(config, prefix, options, total, checkpointing.KeepLast);
        var job = run.Build(build);
        var save = job.Save;
        if (session.ResumeFrom is { } from) job.Load(from);
        int every = checkpointing.Every;
        var result = job.Train(step =>
        {
            if (every > 0 && step % every == 0) session.Checkpoint(step, save);
        }, options.Cancellation);
        if (result.Steps < total)
        {
            if (every == 0 || result.Steps % every != 0) session.Checkpoint(result.Steps, save);
            return new RunResult(session.Dir.Path, result.Steps, session.FinalPath, result.LastMetrics, Completed: false);
        }
        run.SaveFinal(model);
        return new RunResult(session.Dir.Path, result.Steps, session.FinalPath, result.LastMetrics, Completed: true);
    }

    /// <summary>A built offline trainer, as the loop uses it: resume, checkpoint, train (calling back after each step).</summary>
    sealed record Job(Action<string> Load, Action<string> Save, Func<Action<int>, CancellationToken, OfflineRunResult> Train);
}
