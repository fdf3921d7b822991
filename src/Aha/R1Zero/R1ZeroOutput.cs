using Aha.Tracking;

namespace Aha.R1Zero;

/// <summary>
/// The files and folders an <c>aha r1zero</c> run writes into its output folder, so a rerun with
/// <see cref="R1ZeroOptions.Overwrite"/> removes exactly an earlier run's outputs and nothing a user put there.
/// </summary>
public static class R1ZeroOutput
{
    /// <summary>The pretrained base model (HF folder with its tokenizer).</summary>
    public const string BaseModelDir = "base_model";

    /// <summary>The RL-trained policy (HF folder with its tokenizer), as the training commands' <c>final/</c>.</summary>
    public const string FinalDir = "final";

    /// <summary>Per-problem evaluation results, one line per (phase, problem).</summary>
    public const string EvalCompletionsFile = "eval_completions.jsonl";

    public const string SummaryFile = "summary.json";
    public const string ReportFile = "report.md";
    public const string CorpusSampleFile = "corpus_sample.txt";

    /// <summary>Every top-level name a run writes.</summary>
    public static IReadOnlySet<string> Names { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        BaseModelDir, FinalDir, EvalCompletionsFile, SummaryFile, ReportFile, CorpusSampleFile,
        RunFiles.MetricsJsonl, RunFiles.MetricsCsv, RunFiles.CompletionsJsonl, RunFiles.Log, RunFiles.PlotsDir,
    };

    /// <summary>Entries of <paramref name="dir"/> that no r1zero run writes.</summary>
    public static IEnumerable<string> Foreign(string dir) =>
        Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Where(n => !Names.Contains(n!)).Order(StringComparer.Ordinal)!;

    /// <summary>Deletes an earlier run's outputs from <paramref name="dir"/> (callers check <see cref="Foreign"/> first).</summary>
    public static void Clear(string dir)
    {
        if (!Directory.Exists(dir)) return;
        foreach (var name in Names)
        {
            var path = Path.Combine(dir, name);
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
            else if (File.Exists(path)) File.Delete(path);
        }
    }
}
