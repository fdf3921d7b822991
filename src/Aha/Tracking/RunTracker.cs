
namespace Aha.Tracking;

/// <summary>
/// The observer a trainer reports to. Fans each call out to the run folder's files and the console:
/// <list type="bullet">
/// <item><see cref="OnStep"/> → <c>metrics.jsonl</c> + <c>metrics.csv</c> (with the deprecated names of <see cref="MetricAliases"/>
/// beside the canonical ones), TensorBoard event files with <c>report_to: tensorboard</c> (canonical names), the progress
/// display, the step line in <c>log.txt</c>, the warnings.</item>
/// <item><see cref="OnSamples"/> → <c>completions.jsonl</c>.</item>
/// <item><see cref="OnMessage"/> (and every warning) → <c>log.txt</c> and the console.</item>
/// </list>
/// <see cref="WritePlots()"/> draws <c>plots/*.png</c> (call it at each checkpoint; disposal draws them once more).
/// Calls are serialised by a lock, so reward workers may post messages from other threads.
/// </summary>
public sealed class RunTracker : ITrainingObserver, IDisposable
{
    private readonly object _gate = new();
    private readonly RunTrackerOptions _options;
    private readonly MetricsWriter _metrics;
    private readonly CompletionsWriter _completions;
    private readonly ConsoleProgress? _console;
    private readonly TrainingLog _log;
    private readonly TrainingWarnings? _warnings;
    private readonly TensorBoardWriter? _tensorBoard;
    private bool _disposed;

    /// <summary>Opens (or, when resuming, continues) the tracking files of <paramref name="runDir"/>.</summary>
    public RunTracker(string runDir, RunTrackerOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDir);
        RunDir = runDir;
        _options = options ?? new RunTrackerOptions();
        _metrics = new MetricsWriter(runDir, _options.ResumeAfterStep);
        _completions = new CompletionsWriter(runDir, _options.ResumeAfterStep);
        if (_options.ShowConsole)
            _console = new ConsoleProgress(Math.Max(1, _options.TotalSteps), _options.Console, _options.Interactive, _options.Time);
        _log = new TrainingLog(runDir, _console, _options.Time);
        if (_options.Warnings is { } w) _warnings = new TrainingWarnings(w, this);
        foreach (var target in _options.ReportTo)
        {
            if (!RunTrackerOptions.ReportTargets.Contains(target, StringComparer.Ordinal))
                throw new ArgumentException($"report_to: unknown target '{target}'; expected one of {string.Join(", ", RunTrackerOptions.ReportTargets)}.");
            _tensorBoard ??= new TensorBoardWriter(runDir, _options.Time);
        }
    }

    /// <summary>The run folder.</summary>
    public string RunDir { get; }

    /// <summary>Where <see cref="WritePlots()"/> draws: <c>&lt;run&gt;/plots</c>.</summary>
    public string PlotsDir => Path.Combine(RunDir, RunFiles.PlotsDir);

    /// <summary>Every metric row of the run so far.</summary>
    public IReadOnlyList<MetricRow> Rows { get { lock (_gate) return _metrics.Rows.ToArray(); } }

    /// <inheritdoc />
    public void OnStep(int step, IReadOnlyDictionary<string, double> metrics)
    {
        lock (_gate)
        {
            _metrics.Append(step, MetricAliases.WithOldNames(metrics));
            _tensorBoard?.Write(step, metrics);
            _console?.Update(step, metrics);
            _log.WriteStep(step, _options.TotalSteps, metrics);
            _warnings?.OnStep(step, metrics);
        }
    }

    /// <inheritdoc />
    public void OnSamples(int step, IReadOnlyList<SampleRecord> samples)
    {
        lock (_gate) _completions.Append(step, samples);
    }

    /// <inheritdoc />
    public void OnMessage(TrainingMessageLevel level, string text)
    {
        lock (_gate) _log.Write(level, text);
    }

    /// <summary>Draws the plots into <see cref="PlotsDir"/>; returns the files written.</summary>
    public IReadOnlyList<string> WritePlots() => WritePlots(PlotsDir);

    /// <summary>Draws the plots into <paramref name="dir"/> (e.g. a checkpoint folder); returns the files written.</summary>
    public IReadOnlyList<string> WritePlots(string dir)
    {
        lock (_gate) return PlotWriter.Write(dir, _metrics.Rows);
    }

    /// <summary>Draws the final plots (unless turned off), then closes the files and the progress display.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            try
            {
                if (_options.PlotsOnDispose && _metrics.Rows.Count > 0) PlotWriter.Write(PlotsDir, _metrics.Rows);
            }
            catch (Exception e)
            {
                // A plot failure must not hide the run's real outcome (often an exception already propagating).
                _log.Write(TrainingMessageLevel.Warning, $"Could not write plots: {e.Message}");
            }
            finally
            {
                _console?.Dispose();
                _log.Dispose();
                _metrics.Dispose();
                _completions.Dispose();
            }
        }
    }
}
