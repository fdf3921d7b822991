namespace Aha.Rewards;

/// <summary>Which DAPO length penalty <see cref="OverlongReward"/> applies.</summary>
public enum OverlongMode
{
    /// <summary>Linear ramp over the buffer before L_max, −λ beyond.</summary>
    Soft,
    /// <summary>−λ beyond L_max, 0 otherwise.</summary>
    Hard,
}

/// <summary>
/// Length shaping as a reward term (<see cref="OverlongShaping"/>). Length is <see cref="RewardSample.CompletionTokens"/>
/// when the trainer supplies it, else the completion's character count. Combine with weight 1 next to correctness.
/// </summary>
public sealed class OverlongReward : IRewardFunction
{
    public OverlongReward(int maxLength, int buffer = 0, double penalty = 1.0, OverlongMode mode = OverlongMode.Soft, string name = "overlong")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (mode == OverlongMode.Soft && buffer <= 0) buffer = Math.Max(1, maxLength / 5);
        // Validate once with a dummy length so bad settings fail at construction, not per sample.
        _ = mode == OverlongMode.Soft ? OverlongShaping.Soft(0, maxLength, buffer, penalty) : OverlongShaping.Hard(0, maxLength, penalty);
        MaxLength = maxLength;
        Buffer = buffer;
        Penalty = penalty;
        Mode = mode;
        Name = name;
    }

    public string Name { get; }

    /// <summary>L_max.</summary>
    public int MaxLength { get; }

    /// <summary>L_buf (soft mode). Default when not given: L_max / 5 (DAPO's 4096 of 20480).</summary>
    public int Buffer { get; }

    /// <summary>λ. Default 1.</summary>
    public double Penalty { get; }

    public OverlongMode Mode { get; }

    public RewardScore Score(RewardSample sample, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sample);
        int length = sample.CompletionTokens ?? sample.Completion.Length;
        var unit = sample.CompletionTokens is null ? "chars" : "tokens";
        double r = Mode == OverlongMode.Soft
            ? OverlongShaping.Soft(length, MaxLength, Buffer, Penalty)
            : OverlongShaping.Hard(length, MaxLength, Penalty);
        var reason = r == 0
            ? $"length {length} {unit} within limit"
            : length > MaxLength
                ? $"length {length} {unit} over L_max {MaxLength}"
                : $"length {length} {unit} in the last {Buffer} before L_max {MaxLength}";
        return RewardScore.Of(r, null, reason);
    }
}
