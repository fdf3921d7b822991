namespace Aha.Rewards;

/// <summary>Settings for the built-in rewards, by name (the CLI's <c>aha reward --fn NAME</c> uses these).</summary>
public sealed record BuiltInRewardOptions
{
    /// <summary>Format / think bonus. Default 0.1.</summary>
    public double FormatBonus { get; init; } = 0.1;

    /// <summary>Countdown score for a well-formed wrong answer. Default 0.1.</summary>
    public double CountdownFormatScore { get; init; } = 0.1;

    /// <summary>Countdown: every given number must be used. Default false.</summary>
    public bool CountdownRequireAllNumbers { get; init; }

    /// <summary>Overlong L_max. Default 1024.</summary>
    public int MaxLength { get; init; } = 1024;

    /// <summary>Overlong L_buf (soft). Default 0 = L_max / 5.</summary>
    public int Buffer { get; init; }

    /// <summary>Overlong λ. Default 1.</summary>
    public double Penalty { get; init; } = 1.0;

    /// <summary>The overlong reward's shape: soft (a linear ramp over the buffer before the limit) or hard (−λ beyond it). The default value is soft.</summary>
    public OverlongMode OverlongMode { get; init; } = OverlongMode.Soft;
}

/// <summary>The built-in reward functions by name: math, format, think, countdown, overlong.</summary>
public static class BuiltInRewards
{
    public static IReadOnlyList<string> Names { get; } = ["math", "format", "think", "countdown", "overlong"];

    /// <exception cref="ArgumentException">for an unknown name, listing the known ones.</exception>
    public static IRewardFunction Create(string name, BuiltInRewardOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var o = options ?? new BuiltInRewardOptions();
        return name.Trim().ToLowerInvariant() switch
        {
            "math" => new MathReward(),
            "format" => new FormatReward(o.FormatBonus),
            "think" => new ThinkBlockReward(o.FormatBonus),
            "countdown" => new CountdownReward(formatScore: o.CountdownFormatScore, requireAllNumbers: o.CountdownRequireAllNumbers),
            "overlong" => new OverlongReward(o.MaxLength, o.Buffer, o.Penalty, o.OverlongMode),
            _ => throw new ArgumentException($"Unknown reward '{name}'; known: {string.Join(", ", Names)}.", nameof(name)),
        };
    }
}
