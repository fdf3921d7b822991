
namespace Aha.Tracking;

/// <summary>
/// Messages of a run: each goes to <c>log.txt</c> in the run folder (appended, flushed, with a UTC timestamp) and to
/// the console progress when one is attached.
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
        var stamp = _time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var tag = level == TrainingMessageLevel.Warning ? "warning" : "info";
        _file.WriteLine($"{stamp} [{tag}] {text}");
        _file.Flush();
        _console?.WriteMessage(level, text);
    }

    /// <summary>Closes the file (the console belongs to the caller).</summary>
    public void Dispose() => _file.Dispose();
}
