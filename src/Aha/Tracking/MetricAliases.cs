namespace Aha.Tracking;

/// <summary>
/// Deprecated metric names, kept for one release: the names earlier releases wrote before the metrics took TRL's
/// (and veRL's) names. <c>metrics.jsonl</c> and <c>metrics.csv</c> carry each old name beside its canonical one, so
/// scripts and spreadsheets that read the old columns keep working; the console, the plots and TensorBoard use the
/// canonical names only. A metric has one canonical name. One old name, <c>tokens_per_s</c>, meant two quantities: generated
/// tokens in the on-policy trainer and forward tokens in the offline ones; it is written from the first of its
/// canonical names a trainer reports (<see cref="Table"/> order), so each trainer's column keeps its old meaning.
/// </summary>
public static class MetricAliases
{
    /// <summary>Canonical name → the deprecated name also written, in priority order for a shared old name.</summary>
    static readonly (string Canonical, string Old)[] Table =
    [
        (MetricNames.RewardMean, "reward/mean"),
        (MetricNames.RewardStd, "reward/std"),
        (MetricNames.FracZeroStdGroups, "frac_zero_std_groups"),
        (MetricNames.ClipFracLow, "clip_frac/low"),
        (MetricNames.ClipFracHigh, "clip_frac/high"),
        (MetricNames.ClipFracDual, "clip_frac/dual"),
        (MetricNames.ClipFracCov, "clip_frac/cov"),
        (MetricNames.Lr, "lr"),
        (MetricNames.CompletionLenMean, "completion_len/mean"),
        (MetricNames.CompletionLenMax, "completion_len/max"),
        (MetricNames.TruncatedFrac, "truncated_frac"),
        // grpo/ppo report both: their tokens_per_s was the generated tokens; sft/rm/dpo/kto report only the throughput.
        (MetricNames.GeneratedTokensPerS, "tokens_per_s"),
        (MetricNames.Throughput, "tokens_per_s"),
        (MetricNames.SamplesPerS, "samples_per_s"),
        (MetricNames.StepS, "step_s"),
        (MetricNames.SamplingLogpDiffMax, "rollout_corr/logp_diff_max"),
    ];

    /// <summary>Canonical name → the deprecated name also written.</summary>
    public static IReadOnlyDictionary<string, string> Deprecated { get; } =
        Table.ToDictionary(e => e.Canonical, e => e.Old, StringComparer.Ordinal);

    const string RewardsPrefix = "rewards/", OldRewardPrefix = "reward/", MeanSuffix = "/mean";

    /// <summary>The deprecated name of <paramref name="canonical"/>, or null when it never had another.
    /// Per-function rewards <c>rewards/&lt;fn&gt;/mean</c> were <c>reward/&lt;fn&gt;/mean</c>.</summary>
    public static string? OldName(string canonical)
    {
        if (Deprecated.TryGetValue(canonical, out var old)) return old;
        if (canonical.StartsWith(RewardsPrefix, StringComparison.Ordinal) && canonical.EndsWith(MeanSuffix, StringComparison.Ordinal)
            && canonical.Length > RewardsPrefix.Length + MeanSuffix.Length)
            return OldRewardPrefix + canonical[RewardsPrefix.Length..];
        return null;
    }

    /// <summary>The canonical name <paramref name="name"/> stands for when it is a deprecated name (the first listed
    /// for a shared one), else null.</summary>
    public static string? CanonicalOf(string name)
    {
        foreach (var (canonical, old) in Table)
            if (old == name) return canonical;
        if (name.StartsWith(OldRewardPrefix, StringComparison.Ordinal) && name.EndsWith(MeanSuffix, StringComparison.Ordinal)
            && name.Length > OldRewardPrefix.Length + MeanSuffix.Length)
            return RewardsPrefix + name[OldRewardPrefix.Length..];
        return null;
    }

    /// <summary><paramref name="metrics"/> plus the deprecated name of each metric that has one (a name the trainer
    /// reported itself is never overwritten; a shared old name takes the first of its canonical names reported).</summary>
    public static IReadOnlyDictionary<string, double> WithOldNames(IReadOnlyDictionary<string, double> metrics)
    {
        var all = new Dictionary<string, double>(metrics, StringComparer.Ordinal);
        foreach (var (canonical, old) in Table)
            if (metrics.TryGetValue(canonical, out var value)) all.TryAdd(old, value);
        foreach (var (name, value) in metrics)
            if (!Deprecated.ContainsKey(name) && OldName(name) is { } old) all.TryAdd(old, value);
        return all;
    }
}
