namespace Aha.Tracking;

/// <summary>
/// Receives what a trainer reports; Tracking implements it (console progress, metrics.jsonl/csv, completions.jsonl,
/// plots, warnings). Metric names are stable and slash-grouped, TRL's where the meaning is the same
/// (<c>reward</c>, <c>clip_ratio/high_mean</c>, <c>frac_reward_zero_std</c>, <c>completions/mean_length</c>, …; see <see cref="MetricNames"/>).
/// </summary>
public interface ITrainingObserver
{
    /// <summary>Called once per optimizer step with every metric of that step (values read once, plain doubles).</summary>
    void OnStep(int step, IReadOnlyDictionary<string, double> metrics);

    /// <summary>Sampled completions of a step, with their rewards and advantages.</summary>
    void OnSamples(int step, IReadOnlyList<SampleRecord> samples);

    /// <summary>A human-readable note (info or warning) worth showing on the console and keeping in the log.</summary>
    void OnMessage(TrainingMessageLevel level, string text);
}

public enum TrainingMessageLevel { Info, Warning }

/// <summary>One sampled completion as logged to completions.jsonl.</summary>
public sealed record SampleRecord(
    string Prompt,
    string Completion,
    string? Answer,
    double Reward,
    IReadOnlyDictionary<string, double> RewardsByFunction,
    double Advantage,
    int Length,
    string FinishReason);

/// <summary>Discards everything; the default when no tracker is attached.</summary>
public sealed class NullTrainingObserver : ITrainingObserver
{
    public static NullTrainingObserver Instance { get; } = new();
    public void OnStep(int step, IReadOnlyDictionary<string, double> metrics) { }
    public void OnSamples(int step, IReadOnlyList<SampleRecord> samples) { }
    public void OnMessage(TrainingMessageLevel level, string text) { }
}
