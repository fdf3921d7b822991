using System.Text.Json;

namespace Aha.Tracking;

/// <summary>
/// Appends sampled completions to <c>completions.jsonl</c>, one object per sample:
/// <c>{"step", "prompt", "completion", "answer", "reward", "rewards": {fn: score}, "advantage", "length", "finish_reason"}</c>.
/// Flushed after each step's batch.
/// </summary>
public sealed class CompletionsWriter : IDisposable
{
    private readonly StreamWriter _writer;

    /// <summary>Opens (or creates) <c>completions.jsonl</c> in <paramref name="runDir"/>.</summary>
    /// <param name="runDir">The run folder.</param>
    /// <param name="resumeAfterStep">When resuming from a checkpoint at this step, samples of later steps are dropped.</param>
    public CompletionsWriter(string runDir, int? resumeAfterStep = null)
    {
        Directory.CreateDirectory(runDir);
        var path = Path.Combine(runDir, RunFiles.CompletionsJsonl);
        JsonlFile.TrimAfterStep(path, resumeAfterStep);
        _writer = JsonlFile.OpenAppend(path);
    }

    /// <summary>Appends one line per sample and flushes.</summary>
    public void Append(int step, IReadOnlyList<SampleRecord> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        foreach (var s in samples) _writer.WriteLine(JsonlFile.Line(w => Write(w, step, s)));
        _writer.Flush();
    }

    /// <summary>Flushes and closes the file.</summary>
    public void Dispose() => _writer.Dispose();

    private static void Write(Utf8JsonWriter w, int step, SampleRecord s)
    {
        w.WriteNumber("step", step);
        w.WriteString("prompt", s.Prompt);
        w.WriteString("completion", s.Completion);
        if (s.Answer is null) w.WriteNull("answer"); else w.WriteString("answer", s.Answer);
        WriteNumber(w, "reward", s.Reward);
        w.WriteStartObject("rewards");
        foreach (var (fn, score) in s.RewardsByFunction) WriteNumber(w, fn, score);
        w.WriteEndObject();
        WriteNumber(w, "advantage", s.Advantage);
        w.WriteNumber("length", s.Length);
        w.WriteString("finish_reason", s.FinishReason);
    }

    private static void WriteNumber(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value);
        else w.WriteNull(name);
    }
}
