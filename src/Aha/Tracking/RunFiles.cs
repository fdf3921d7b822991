namespace Aha.Tracking;

/// <summary>The fixed names of the files and folders inside a run folder.</summary>
public static class RunFiles
{
    /// <summary>One JSON object per optimizer step: <c>{"step": n, "reward": …, …}</c>.</summary>
    public const string MetricsJsonl = "metrics.jsonl";
    /// <summary>The same metrics as a table: <c>step</c> first, then every metric name seen, sorted.</summary>
    public const string MetricsCsv = "metrics.csv";
    /// <summary>One JSON object per sampled completion, with its step, rewards and advantage.</summary>
    public const string CompletionsJsonl = "completions.jsonl";
    /// <summary>Info and warning messages, one per line, with a UTC timestamp.</summary>
    public const string Log = "log.txt";
    /// <summary>The configuration after file, preset and <c>--set</c> overrides, as YAML.</summary>
    public const string ResolvedConfig = "resolved_config.yaml";
    /// <summary>Folder of PNG plots, one per metric group.</summary>
    public const string PlotsDir = "plots";
    /// <summary>Folder of checkpoints <c>step-000123/</c>.</summary>
    public const string CheckpointsDir = "checkpoints";
}
