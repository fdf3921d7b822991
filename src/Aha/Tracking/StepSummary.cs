using System.Globalization;

namespace Aha.Tracking;

/// <summary>The few numbers shown on the console for a step, in a fixed order, each only when reported.</summary>
internal static class StepSummary
{
    private static readonly (string Metric, string Label, string Format)[] Shown =
    [
        (MetricNames.RewardMean, "reward", "F3"),
        (MetricNames.Accuracy, "acc", "F3"),
        (MetricNames.RewardsAccuracies, "acc", "F3"),
        (MetricNames.Loss, "loss", "F4"),
        (MetricNames.RewardsChosen, "chosen", "F3"),
        (MetricNames.RewardsRejected, "rejected", "F3"),
        (MetricNames.RewardsMargins, "margin", "F3"),
        (MetricNames.Margin, "margin", "F3"),
        (MetricNames.Kl, "kl", "G3"),
        (MetricNames.Entropy, "entropy", "F3"),
        (MetricNames.GeneratedTokensPerS, "gen tok/s", "F0"),
        (MetricNames.Throughput, "fwd tok/s", "F0"),
    ];

    /// <summary>For example <c>reward 0.531 acc 0.400 kl 0.00213 entropy 1.234 gen tok/s 850</c>; DPO shows
    /// <c>acc 0.750 loss 0.6412 chosen 0.031 rejected -0.012 margin 0.043 fwd tok/s 2100</c>.</summary>
    public static string Format(IReadOnlyDictionary<string, double> metrics)
    {
        var parts = new List<string>();
        foreach (var (metric, label, format) in Shown)
            if (metrics.TryGetValue(metric, out var v))
                parts.Add($"{label} {v.ToString(format, CultureInfo.InvariantCulture)}");
        return string.Join(" ", parts);
    }

    /// <summary><c>h:mm:ss</c>, or <c>?</c> when unknown.</summary>
    public static string Duration(TimeSpan? t)
        => t is { } d && d >= TimeSpan.Zero && d < TimeSpan.FromDays(100)
            ? $"{(int)d.TotalHours}:{d.Minutes:00}:{d.Seconds:00}"
            : "?";
}
