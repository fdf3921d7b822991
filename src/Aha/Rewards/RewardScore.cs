namespace Aha.Rewards;

/// <summary>
/// The result of one reward call: a finite value, or "not applicable" (<see cref="Value"/> is null — e.g. a math
/// reward on an item without a ground truth), plus what was extracted and a short human reason
/// ("number 7 used twice", "no &lt;answer&gt; tag", "equals 124, target 125").
/// </summary>
public readonly record struct RewardScore(double? Value, string? ExtractedAnswer, string Reason)
{
    public bool IsApplicable => Value.HasValue;

    public static RewardScore Of(double value, string? extracted, string reason) => new(value, extracted, reason);

    public static RewardScore NotApplicable(string reason) => new(null, null, reason);
}
