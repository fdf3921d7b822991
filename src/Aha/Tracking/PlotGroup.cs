using System.Text.RegularExpressions;

namespace Aha.Tracking;

/// <summary>
/// One PNG of related curves. <paramref name="Patterns"/> are metric names where <c>*</c> matches any run of
/// characters other than <c>/</c> (so <c>rewards/*/mean</c> matches <c>rewards/math/mean</c> but not <c>rewards/mean</c>).
/// </summary>
/// <param name="Name">File name without extension, e.g. <c>reward</c> → <c>plots/reward.png</c>.</param>
/// <param name="Title">Plot title.</param>
/// <param name="Patterns">Metric names or patterns drawn in this plot, in legend order.</param>
public sealed record PlotGroup(string Name, string Title, IReadOnlyList<string> Patterns)
{
    /// <summary>The curves of the default plots: the main signals TRL/veRL users watch.</summary>
    public static IReadOnlyList<PlotGroup> Defaults { get; } =
    [
        new("reward", "Reward", [MetricNames.RewardMean, "rewards/*/mean"]),
        new("accuracy", "Accuracy", [MetricNames.Accuracy, "*/accuracy", "pass@*"]),
        new("kl", "KL to reference", [MetricNames.Kl]),
        new("entropy", "Policy entropy (nats/token)", [MetricNames.Entropy]),
        new("completion_len", "Completion length (tokens)", [MetricNames.CompletionLenMean, MetricNames.CompletionLenMin, MetricNames.CompletionLenMax]),
        new("groups", "Zero-variance groups and truncation", [MetricNames.FracZeroStdGroups, MetricNames.TruncatedFrac]),
        new("loss", "Loss", [MetricNames.Loss, "*_loss", "*/loss"]),
        new("clip_ratio", "Clipped token fraction", ["clip_ratio/*"]),
        new("grad_norm", "Gradient norm", [MetricNames.GradNorm]),
        new("lr", "Learning rate", [MetricNames.Lr]),
        new("throughput", "Tokens per second", [MetricNames.GeneratedTokensPerS, MetricNames.Throughput]),
        new("preference", "Implicit rewards", [MetricNames.RewardsChosen, MetricNames.RewardsRejected, MetricNames.RewardsMargins, MetricNames.Margin]),
    ];

    /// <summary>The metric names among <paramref name="available"/> that this group draws, in pattern order then ordinal.</summary>
    public IReadOnlyList<string> Select(IEnumerable<string> available)
    {
        var names = available.ToList();
        var chosen = new List<string>();
        foreach (var pattern in Patterns)
        {
            var regex = new Regex("^" + Regex.Escape(pattern).Replace(@"\*", "[^/]*") + "$", RegexOptions.CultureInvariant);
            chosen.AddRange(names.Where(n => regex.IsMatch(n) && !chosen.Contains(n)).Order(StringComparer.Ordinal));
        }
        return chosen;
    }
}
