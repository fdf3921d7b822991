namespace Aha.Rewards;

/// <summary>Why a reward call was not scored normally.</summary>
public enum RewardFailureKind
{
    Threw,
    TimedOut,
    NonFinite,
}

/// <summary>A reward call that failed, with the sample it failed on (for the log).</summary>
public sealed record RewardFailure(int SampleIndex, string RewardName, RewardFailureKind Kind, string Message, RewardSample Sample)
{
    public override string ToString()
    {
        var completion = Sample.Completion.Length <= 200 ? Sample.Completion : Sample.Completion[..200] + "…";
        return $"reward '{RewardName}' {Kind} on sample {SampleIndex}: {Message} (completion: \"{completion}\")";
    }
}

/// <summary>One reward function's result on one sample. <see cref="Value"/> is null when not applicable.</summary>
public sealed record ComponentScore(string Name, double Weight, double? Value, string? ExtractedAnswer, string Reason, RewardFailure? Failure);

/// <summary>
/// All rewards on one sample. <see cref="Total"/> = Σ weight·value over the applicable components (failures count
/// with the failure score); 0 when none applies (<see cref="AnyApplicable"/> false).
/// </summary>
public sealed record SampleReward(double Total, bool AnyApplicable, IReadOnlyList<ComponentScore> Components)
{
    /// <summary>The named component, or null.</summary>
    public ComponentScore? this[string name] => Components.FirstOrDefault(c => c.Name == name);
}

/// <summary>A scored batch, its failures, and per-function metrics.</summary>
public sealed record RewardBatchResult(IReadOnlyList<SampleReward> Samples, IReadOnlyList<RewardFailure> Failures)
{
    public double[] Totals() => Samples.Select(s => s.Total).ToArray();

    /// <summary>
    /// Metrics with TRL's names: "reward", "reward_std" (totals), "rewards/{name}/mean", "rewards/{name}/std"
    /// (over applicable samples), plus "rewards/{name}/failures" and "rewards/{name}/applicable_frac".
    /// </summary>
    public IReadOnlyDictionary<string, double> Metrics()
    {
        var m = new Dictionary<string, double>();
        var totals = Totals();
        (m["reward"], m["reward_std"]) = MeanStd(totals);
        if (Samples.Count == 0) return m;
        foreach (var name in Samples[0].Components.Select(c => c.Name))
        {
            var comps = Samples.Select(s => s[name]!).ToList();
            var values = comps.Where(c => c.Value.HasValue).Select(c => c.Value!.Value).ToArray();
            (m[$"rewards/{name}/mean"], m[$"rewards/{name}/std"]) = MeanStd(values);
            m[$"rewards/{name}/failures"] = comps.Count(c => c.Failure is not null);
            m[$"rewards/{name}/applicable_frac"] = (double)values.Length / comps.Count;
        }
        return m;
    }

    /// <summary>Mean and population standard deviation; (NaN, NaN) for no values.</summary>
    private static (double Mean, double Std) MeanStd(double[] xs)
    {
        if (xs.Length == 0) return (double.NaN, double.NaN);
        double mean = xs.Average();
        return (mean, Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / xs.Length));
    }
}
