
namespace Aha.Tracking;

/// <summary>
/// What a run says: messages (to <c>log.txt</c> in the run folder, appended and flushed with a UTC timestamp, and to
/// the console progress when one is attached) and each step's summary line (to <c>log.txt</c> only: the console shows
/// it through the progress display).
/// </summary>
public sealed class TrainingLog : IDisposable
{
    private readonly StreamWriter _file;
    private readonly ConsoleProgress? _console;
    private readonly TimeProvider _time;

    /// <summary>Opens <c>log.txt</c> for appending (a resumed run continues the same log).</summary>
    /// <param name="runDir">The run folder; <c>log.txt</c> is appended to.</param>
    /// <param name="console">Also print messages here; null for the file only.</param>
    /// <param name="time">Clock for the timestamps; the system clock when null.</param>
    public TrainingLog(string runDir, ConsoleProgress? console = null, TimeProvider? time = null)
    {
        Directory.CreateDirectory(runDir);
        _file = JsonlFile.OpenAppend(Path.Combine(runDir, RunFiles.Log));
        _console = console;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Writes <c>2025-01-31T12:00:00Z [warning] text</c> to the file and the text to the console.</summary>
    public void Write(TrainingMessageLevel level, string text)
    {
        var tag = level == TrainingMessageLevel.Warning ? "warning" : "info";
        _file.WriteLine($"{Stamp()} [{tag}] {text}");
        _file.Flush();
        _console?.WriteMessage(level, text);
    }

    /// <summary>Writes <c>2025-01-31T12:00:00Z [step] step 3/10 reward 0.531 acc 0.400 …</c> to the file.</summary>
    public void WriteStep(int step, int totalSteps, IReadOnlyDictionary<string, double> metrics)
    {
        var summary = StepSummary.Format(metrics);
        _file.WriteLine($"{Stamp()} [step] step {step}/{totalSteps}{(summary.Length == 0 ? "" : " " + summary)}");
        _file.Flush();
    }

    string Stamp() => _time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Closes the file (the console belongs to the caller).</summary>
    public void Dispose() => _file.Dispose();
}
