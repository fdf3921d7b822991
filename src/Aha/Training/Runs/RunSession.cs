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

    RunSession(RunDirectory dir, RunFolderLock runLock, RunTracker tracker, CheckpointManager checkpoints, string? resumeFrom, int? resumeStep)
    {
        _lock = runLock;
        Dir = dir;
        Tracker = tracker;
        Checkpoints = checkpoints;
        ResumeFrom = resumeFrom;
        ResumeStep = resumeStep;
    }

    private readonly RunFolderLock _lock;
    private bool _fatalLogged;

    public RunDirectory Dir { get; }
    public RunTracker Tracker { get; }
    public CheckpointManager Checkpoints { get; }

    /// <summary>The checkpoint folder to load (resume with a checkpoint), else null.</summary>
    public string? ResumeFrom { get; }

    /// <summary>The step of <see cref="ResumeFrom"/>; 0 when resuming a run that saved no checkpoint yet; null on a fresh run.</summary>
    public int? ResumeStep { get; }

    public string FinalPath => Dir.File(FinalDir);

    /// <summary>
    /// Creates (or with <see cref="RunOptions.Resume"/> reopens) the run folder and its tracker. A fresh folder validates
    /// <paramref name="config"/> first unless the caller has <paramref name="validated"/> it already.
    /// </summary>
    public static RunSession Open(object config, string prefix, RunOptions options, int totalSteps, int keepLast, bool validated = false)
    {
        RunDirectory dir;
        string? from = null;
        int? step = null;
        var skipped = new List<string>();
        RunFolderLock runLock;
        if (options.Resume is { } resume)
        {
            dir = RunDirectory.Open(resume);
            // Locked before anything is written, so a second --resume of this run fails without touching it.
            runLock = RunFolderLock.Acquire(dir.Path);
            try
            {
                from = Resumable(resume, new CheckpointManager(dir.Path, keepLast), skipped.Add);
            }
            catch
            {
                runLock.Dispose();
                throw;
            }
            ConfigWriter.Write(dir.ResolvedConfig, config, header: [$"Resolved configuration of run '{Path.GetFileName(dir.Path)}' (resumed)"]);
            step = from is null ? 0 : CheckpointManager.CheckpointStep(from);
        }
        else
        {
            dir = RunDirectory.Create(options.Root, options.Name ?? RunDirectory.DefaultName(prefix, DateTimeOffset.UtcNow), config, null, validated);
            runLock = RunFolderLock.Acquire(dir.Path);
        }
        var tracker = new RunTracker(dir.Path, new RunTrackerOptions
        {
            TotalSteps = totalSteps, Console = options.Console, Interactive = options.Interactive, ResumeAfterStep = step,
            ReportTo = (config as IReportTargets)?.ReportTo ?? [],
        });
        foreach (var line in skipped) tracker.OnMessage(TrainingMessageLevel.Warning, line);
        if (from is not null) tracker.OnMessage(TrainingMessageLevel.Info, $"Resuming from {from}");
        else if (step == 0) tracker.OnMessage(TrainingMessageLevel.Info, "No checkpoint to resume from; starting the run over.");
        return new RunSession(dir, runLock, tracker, new CheckpointManager(dir.Path, keepLast), from, step);
    }

    /// <summary>
    /// The checkpoint a resume loads: the one named (<c>--resume &lt;run&gt;/checkpoints/step-N</c>), which must be
    /// intact, or else the newest intact one, damaged newer ones reported through <paramref name="skipped"/>.
    /// </summary>
    private static string? Resumable(string resume, CheckpointManager checkpoints, Action<string> skipped)
    {
        if (CheckpointManager.CheckpointStep(resume) is null) return checkpoints.NewestIntact(skipped);
        var named = Path.GetFullPath(resume).TrimEnd(Path.DirectorySeparatorChar);
        if (!Directory.Exists(named)) throw new DirectoryNotFoundException($"--resume: checkpoint folder '{named}' not found.");
        if (CheckpointManifest.Problem(named) is { } problem)
            throw new InvalidDataException($"--resume: checkpoint {named} is damaged: {problem}.");
        return named;
    }

    /// <summary>
    /// Saves checkpoint <paramref name="step"/> through <paramref name="save"/> and redraws the plots. A failure (a
    /// full disk) is written to log.txt before it propagates; the half-written folder is already gone.
    /// </summary>
    public void Checkpoint(int step, Action<string> save)
    {
        string path;
        try
        {
            path = Checkpoints.Save(step, save);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Tracker.OnMessage(TrainingMessageLevel.Warning, $"Fatal: checkpoint of step {step} failed and was removed: {e.Message}");
            _fatalLogged = true;
            throw;
        }
        Tracker.WritePlots();
        Tracker.OnMessage(TrainingMessageLevel.Info, $"Checkpoint {path}");
    }

    /// <summary>
    /// Writes the error that ends the run to <c>log.txt</c> (once) and returns false: an exception filter,
    /// <c>catch (Exception e) when (session.LogFatal(e))</c>, so the log is written while the tracker is still open
    /// and the exception propagates untouched to the command's error line.
    /// </summary>
    public bool LogFatal(Exception e)
    {
        if (_fatalLogged) return false;
        _fatalLogged = true;
        try
        {
            Tracker.OnMessage(TrainingMessageLevel.Warning, $"Fatal: {e.Message}");
        }
        catch (IOException)
        {
            // A log that cannot be written (a full disk) must not replace the run's real error.
        }
        return false;
    }

    public void Dispose()
    {
        Tracker.Dispose();
        _lock.Dispose();
    }
}
