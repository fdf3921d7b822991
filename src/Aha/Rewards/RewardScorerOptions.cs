namespace Aha.Rewards;

/// <summary>One reward function and its weight in the total.</summary>
public sealed record WeightedReward(IRewardFunction Function, double Weight = 1.0);

/// <summary>How a batch is scored.</summary>
public sealed record RewardScorerOptions
{
    /// <summary>Time limit per reward call. Default 5 s. <see cref="Timeout.InfiniteTimeSpan"/> disables it.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Score given to a call that throws, times out or returns NaN/∞. Default 0.</summary>
    public double FailureScore { get; init; }

    /// <summary>Worker threads. Default: the number of logical cores.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Called once per failure, in sample order, when the batch has been scored (e.g. to log it).</summary>
    public Action<RewardFailure>? OnFailure { get; init; }

    internal void Validate()
    {
        var errors = new List<string>();
        if (Timeout != System.Threading.Timeout.InfiniteTimeSpan && Timeout <= TimeSpan.Zero)
            errors.Add($"Timeout must be positive or infinite, got {Timeout}");
        if (!double.IsFinite(FailureScore)) errors.Add($"FailureScore must be finite, got {FailureScore}");
        if (MaxDegreeOfParallelism < 1) errors.Add($"MaxDegreeOfParallelism must be ≥ 1, got {MaxDegreeOfParallelism}");
        if (errors.Count > 0) throw new ArgumentException("Invalid reward scorer options: " + string.Join("; ", errors) + ".");
    }
}
