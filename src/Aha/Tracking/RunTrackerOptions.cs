namespace Aha.Tracking;

/// <summary>How a <see cref="RunTracker"/> reports a run.</summary>
public sealed record RunTrackerOptions
{
    /// <summary>Total optimizer steps of the run, for the progress bar and ETA. Default 1.</summary>
    public int TotalSteps { get; init; } = 1;

    /// <summary>Console output; <see cref="Console.Out"/> when null. Tests pass a <see cref="StringWriter"/>.</summary>
    public TextWriter? Console { get; init; }

    /// <summary>Live progress bar (true) or plain lines (false); null detects an interactive terminal.</summary>
    public bool? Interactive { get; init; }

    /// <summary>Print progress and messages to the console at all. Default true; the files are written either way.</summary>
    public bool ShowConsole { get; init; } = true;

    /// <summary>Thresholds of the instability warnings; null turns the warnings off.</summary>
    public TrainingWarningOptions? Warnings { get; init; } = new();

    /// <summary>
    /// When resuming from the checkpoint of this step, metrics and completions the interrupted run logged after it are
    /// dropped before appending. Null on a fresh run.
    /// </summary>
    public int? ResumeAfterStep { get; init; }

    /// <summary>Write the plots when the tracker is disposed. Default true.</summary>
    public bool PlotsOnDispose { get; init; } = true;

    /// <summary>
    /// Where metrics go besides <c>metrics.jsonl</c>/<c>metrics.csv</c>, as TRL's <c>report_to</c>: <c>tensorboard</c>
    /// writes event files into <c>&lt;run&gt;/tensorboard/</c>. The default value is empty (files only).
    /// </summary>
    public IReadOnlyList<string> ReportTo { get; init; } = [];

    /// <summary>The <see cref="ReportTo"/> values understood.</summary>
    public static IReadOnlyList<string> ReportTargets { get; } = ["tensorboard"];

    /// <summary>Clock for ETA and log timestamps; the system clock when null.</summary>
    public TimeProvider? Time { get; init; }
}
