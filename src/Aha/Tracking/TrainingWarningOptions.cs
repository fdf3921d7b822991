namespace Aha.Tracking;

/// <summary>
/// Thresholds of <see cref="TrainingWarnings"/>. Each check reads a metric smoothed by a trailing mean over the last
/// <see cref="Smoothing"/> steps, and is skipped while its metric is not reported.
/// </summary>
public sealed record TrainingWarningOptions
{
    /// <summary>Steps in the trailing mean used by the KL, entropy and zero-variance checks. Default 5.</summary>
    public int Smoothing { get; init; } = 5;

    /// <summary>
    /// Warn when <c>kl</c> (mean per-token KL to the reference) exceeds this. Default 0.5 nats/token: healthy GRPO runs
    /// with β around 0.04 typically stay below 0.1; above 0.5 the policy is moving far from the reference fast.
    /// </summary>
    public double KlMax { get; init; } = 0.5;

    /// <summary>
    /// Warn when <c>entropy</c> (mean per-token policy entropy) falls below this. Default 0.05 nats/token: the policy
    /// is close to deterministic, the G samples of a group become identical and the group advantage vanishes
    /// (the "entropy collapse" that DAPO's clip-higher, arXiv:2503.14476, counters).
    /// </summary>
    public double EntropyMin { get; init; } = 0.05;

    /// <summary>
    /// Warn when <c>frac_reward_zero_std</c> exceeds this. Default 0.8: most groups have all-equal rewards, so most of
    /// the batch carries no gradient signal.
    /// </summary>
    public double ZeroStdGroupsMax { get; init; } = 0.8;

    /// <summary>
    /// Steps compared by the reward-hacking check (default 20): the mean of the window's second half against its first.
    /// Must be even and ≥ 2.
    /// </summary>
    public int HackingWindow { get; init; } = 20;

    /// <summary>Reward-hacking check: the least rise of <c>reward</c> across the window. Default 0.05.</summary>
    public double HackingRewardRise { get; init; } = 0.05;

    /// <summary>Reward-hacking check: the least fall of <c>accuracy</c> across the window. Default 0.05 (5 points).</summary>
    public double HackingAccuracyDrop { get; init; } = 0.05;

    /// <summary>Throws <see cref="ArgumentException"/> listing every invalid option.</summary>
    public TrainingWarningOptions Validate()
    {
        var errors = new List<string>();
        if (Smoothing < 1) errors.Add($"Smoothing must be ≥ 1, got {Smoothing}.");
        if (HackingWindow < 2 || HackingWindow % 2 != 0) errors.Add($"HackingWindow must be even and ≥ 2, got {HackingWindow}.");
        if (!(KlMax > 0)) errors.Add($"KlMax must be > 0, got {KlMax}.");
        if (!(EntropyMin >= 0)) errors.Add($"EntropyMin must be ≥ 0, got {EntropyMin}.");
        if (!(ZeroStdGroupsMax is >= 0 and <= 1)) errors.Add($"ZeroStdGroupsMax must be in [0, 1], got {ZeroStdGroupsMax}.");
        if (!(HackingRewardRise >= 0)) errors.Add($"HackingRewardRise must be ≥ 0, got {HackingRewardRise}.");
        if (!(HackingAccuracyDrop >= 0)) errors.Add($"HackingAccuracyDrop must be ≥ 0, got {HackingAccuracyDrop}.");
        if (errors.Count > 0) throw new ArgumentException("Invalid training warning options: " + string.Join(" ", errors));
        return this;
    }
}
