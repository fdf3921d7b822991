namespace Aha.Rewards;

/// <summary>
/// Loose format reward: <see cref="Bonus"/> (default 0.1) when the completion contains a closed
/// <c>&lt;think&gt;…&lt;/think&gt;</c> block anywhere, else 0.
/// </summary>
public sealed class ThinkBlockReward : IRewardFunction
{
    public ThinkBlockReward(double bonus = 0.1, bool thinkTagInPrompt = false, string name = "think")
    {
        if (!double.IsFinite(bonus)) throw new ArgumentException($"bonus must be finite, got {bonus}.", nameof(bonus));
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Bonus = bonus;
        ThinkTagInPrompt = thinkTagInPrompt;
        Name = name;
    }

    public string Name { get; }

    public double Bonus { get; }

    public bool ThinkTagInPrompt { get; }

    public RewardScore Score(RewardSample sample, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var s = sample.Completion;
        int open = ThinkTagInPrompt ? 0 : s.IndexOf(FormatReward.ThinkOpen, StringComparison.Ordinal);
        if (open < 0) return RewardScore.Of(0, null, "no <think>");
        int close = s.IndexOf(FormatReward.ThinkClose, open, StringComparison.Ordinal);
        return close < 0
            ? RewardScore.Of(0, null, "<think> is never closed")
            : RewardScore.Of(Bonus, null, "has a <think> block");
    }
}
