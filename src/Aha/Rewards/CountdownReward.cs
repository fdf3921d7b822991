using System.Globalization;

namespace Aha.Rewards;

/// <summary>
/// Countdown reward (TinyZero, github.com/Jiayi-Pan/TinyZero): the expression in the last
/// <c>&lt;answer&gt;…&lt;/answer&gt;</c> is checked by <see cref="CountdownVerifier"/>.
/// Score: <see cref="CorrectScore"/> (1) if it equals the target using allowed numbers; <see cref="FormatScore"/>
/// (default 0.1) if it parses but is wrong (value, numbers, division by zero); 0 if the tag is missing, empty, or not
/// an expression. Numbers come from metadata "numbers" ("3,7,25", "[3, 7, 25]" or "3 7 25"); the target from
/// metadata "target", else the ground truth.
/// </summary>
public sealed class CountdownReward : IRewardFunction
{
    public CountdownReward(
        double correctScore = 1.0, double formatScore = 0.1, bool requireAllNumbers = false,
        CountdownLimits? limits = null, string name = "countdown")
    {
        if (!double.IsFinite(correctScore)) throw new ArgumentException($"correctScore must be finite, got {correctScore}.", nameof(correctScore));
        if (!double.IsFinite(formatScore)) throw new ArgumentException($"formatScore must be finite, got {formatScore}.", nameof(formatScore));
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        CorrectScore = correctScore;
        FormatScore = formatScore;
        RequireAllNumbers = requireAllNumbers;
        Limits = limits ?? CountdownLimits.Default;
        Name = name;
    }

    public string Name { get; }

    /// <summary>Score of a correct answer. Default 1.</summary>
    public double CorrectScore { get; }

    /// <summary>Score of a well-formed but wrong answer. Default 0.1 (TinyZero's format_score).</summary>
    public double FormatScore { get; }

    /// <summary>Every given number must be used (TinyZero's rule). Default false: each at most once.</summary>
    public bool RequireAllNumbers { get; }

    public CountdownLimits Limits { get; }

    public RewardScore Score(RewardSample sample, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var numbersText = sample.Meta("numbers");
        var targetText = sample.Meta("target") ?? sample.GroundTruth;
        if (numbersText is null || targetText is null)
            return RewardScore.NotApplicable("no 'numbers' and 'target' in the sample");
        var numbers = ParseNumbers(numbersText);
        var target = ParseTarget(targetText);

        var answer = AnswerExtractor.LastAnswerTag(sample.Completion);
        if (answer is null) return RewardScore.Of(0, null, "no <answer> tag");
        var verdict = CountdownVerifier.Verify(answer, numbers, target, RequireAllNumbers, Limits);
        var shown = MathReward.Shorten(answer);
        double score = verdict.IsCorrect ? CorrectScore : verdict.IsWellFormed ? FormatScore : 0;
        return RewardScore.Of(score, shown, verdict.Reason);
    }

    /// <summary>Parses "3,7,25", "[3, 7, 25]" or "3 7 25".</summary>
    /// <exception cref="ArgumentException">when the text is not a list of integers.</exception>
    public static int[] ParseNumbers(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().TrimStart('[').TrimEnd(']')
            .Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw new ArgumentException($"numbers: expected a list like \"3,7,25\", got \"{text}\".", nameof(text));
        var result = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out result[i]))
                throw new ArgumentException($"numbers: \"{parts[i]}\" in \"{text}\" is not an integer.", nameof(text));
        return result;
    }

    private static int ParseTarget(string text) =>
        int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var t)
            ? t
            : throw new ArgumentException($"target: expected an integer, got \"{text}\".", nameof(text));
}
