namespace Aha.Training.Runs;

/// <summary>Where and how a training run writes (the CLI's <c>--out</c>, <c>--name</c>, <c>--resume</c>).</summary>
public sealed record RunOptions
{
    /// <summary>Parent folder of run folders. The default value is <c>runs</c>.</summary>
    public string Root { get; init; } = "runs";

    /// <summary>Run folder name; null: <c>&lt;command&gt;-yyyyMMdd-HHmmss</c>.</summary>
    public string? Name { get; init; }

    /// <summary>An existing run folder to continue from its newest checkpoint (null: a fresh run).</summary>
    public string? Resume { get; init; }

    /// <summary>Console for progress and messages; null: <see cref="Console.Out"/>.</summary>
    public TextWriter? Console { get; init; }

    /// <summary>Live progress bar (true) or plain lines (false); null detects a terminal.</summary>
    public bool? Interactive { get; init; }

    /// <summary>Cancelling stops between steps and saves a checkpoint.</summary>
    public CancellationToken Cancellation { get; init; }
}

/// <summary>What a run produced.</summary>
/// <param name="RunDir">The run folder.</param>
/// <param name="Steps">Optimizer steps done (generation batches for rejection sampling).</param>
/// <param name="Output">The final model folder (<c>final/</c>), or the SFT JSONL of rejection sampling.</param>
/// <param name="LastMetrics">The last step's metrics.</param>
/// <param name="Completed">False when cancelled before the end (a checkpoint was saved).</param>
public sealed record RunResult(string RunDir, int Steps, string Output, IReadOnlyDictionary<string, double> LastMetrics, bool Completed);
