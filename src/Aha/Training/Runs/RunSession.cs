using Aha.Configuration;
using Aha.Tracking;
using Aha.Training.Checkpointing;

namespace Aha.Training.Runs;

/// <summary>
/// A run folder opened for training: created fresh (after everything that can fail on bad input has been built) or
/// reopened to resume from its newest checkpoint; its tracker and checkpoint manager. Checkpoint folders are written
/// atomically by <see cref="CheckpointManager"/>; plots are redrawn at each checkpoint and at the end.
/// </summary>
internal sealed class RunSession : IDisposable
{
    public const string FinalDir = "final";

    RunSession(RunDirectory dir, RunTracker tracker, CheckpointManager checkpoints, string? resumeFrom, int? resumeStep)
    {
        Dir = dir;
        Tracker = tracker;
        Checkpoints = checkpoints;
        ResumeFrom = resumeFrom;
        ResumeStep = resumeStep;
    }

    public RunDirectory Dir { get; }
    public RunTracker Tracker { get; }
    public CheckpointManager Checkpoints { get; }

    /// <summary>The checkpoint folder to load (resume with a checkpoint), else null.</summary>
    public string? ResumeFrom { get; }

    /// <summary>The step of <see cref="ResumeFrom"/>; 0 when resuming a run that saved no checkpoint yet; null on a fresh run.</summary>
    public int? ResumeStep { get; }

    public string FinalPath => Dir.File(FinalDir);

    /// <summary>Creates (or with <see cref="RunOptions.Resume"/> reopens) the run folder and its tracker.</summary>
    public static RunSession Open(object config, string prefix, RunOptions options, int totalSteps, int keepLast)
    {
        RunDirectory dir;
        string? from = null;
        int? step = null;
        if (options.Resume is { } resume)
        {
            dir = RunDirectory.Open(resume);
            ConfigWriter.Write(dir.ResolvedConfig, config, header: [$"Resolved configuration of run '{Path.GetFileName(dir.Path)}' (resumed)"]);
            from = new CheckpointManager(dir.Path, keepLast).Latest();
            step = from is null ? 0 : int.Parse(Path.GetFileName(from)["step-".Length..], System.Globalization.CultureInfo.InvariantCulture);
        }
        else dir = RunDirectory.Create(options.Root, options.Name ?? RunDirectory.DefaultName(prefix, DateTimeOffset.UtcNow), config);
        var tracker = new RunTracker(dir.Path, new RunTrackerOptions
        {
            TotalSteps = totalSteps, Console = options.Console, Interactive = options.Interactive, ResumeAfterStep = step,
        });
        if (from is not null) tracker.OnMessage(TrainingMessageLevel.Info, $"Resuming from {from}");
        else if (step == 0) tracker.OnMessage(TrainingMessageLevel.Info, "No checkpoint to resume from; starting the run over.");
        return new RunSession(dir, tracker, new CheckpointManager(dir.Path, keepLast), from, step);
    }

    /// <summary>Saves checkpoint <paramref name="step"/> through <paramref name="save"/> and redraws the plots.</summary>
    public void Checkpoint(int step, Action<string> save)
    {
        var path = Checkpoints.Save(step, save);
        Tracker.WritePlots();
        Tracker.OnMessage(TrainingMessageLevel.Info, $"Checkpoint {path}");
    }

    public void Dispose() => Tracker.Dispose();
}

/// <summary>Forwards to an observer set later, so a trainer can be built (and fail) before the run folder exists.</summary>
internal sealed class DeferredObserver : ITrainingObserver
{
    public ITrainingObserver Target { get; set; } = NullTrainingObserver.Instance;
    public void OnStep(int step, IReadOnlyDictionary<string, double> metrics) => Target.OnStep(step, metrics);
    public void OnSamples(int step, IReadOnlyList<SampleRecord> samples) => Target.OnSamples(step, samples);
    public void OnMessage(TrainingMessageLevel level, string text) => Target.OnMessage(level, text);
}
