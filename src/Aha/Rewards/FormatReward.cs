namespace Aha.Rewards;

/// <summary>
/// Strict format reward (DeepSeek-R1, arXiv:2501.12948): the completion is <c>&lt;think&gt;…&lt;/think&gt;</c>
/// followed by an answer — <c>&lt;answer&gt;…&lt;/answer&gt;</c> or <c>\boxed{…}</c> (optionally inside $…$ and
/// with a final period) — and nothing else of substance (whitespace only). Exactly one think block and one answer.
/// Scores <see cref="Bonus"/> (default 0.1, the seed recipe: correctness 1 + format 0.1) when well-formed, else 0.
/// </summary>
public sealed class FormatReward : IRewardFunction
{
    public const string ThinkOpen = "<think>";
    public const string ThinkClose = "</think>";

    public FormatReward(double bonus = 0.1, bool thinkTagInPrompt = false, bool requireNonEmptyThink = true, string name = "format")
    {
        if (!double.IsFinite(bonus)) throw new ArgumentException($"bonus must be finite, got {bonus}.", nameof(bonus));
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Bonus = bonus;
        ThinkTagInPrompt = thinkTagInPrompt;
        RequireNonEmptyThink = requireNonEmptyThink;
        Name = name;
    }

    public string Name { get; }

    /// <summary>Score for a well-formed completion. Default 0.1.</summary>
    public double Bonus { get; }

    /// <summary>The prompt already ends with "&lt;think&gt;" (TinyZero's template), so the completion starts inside it.</summary>
    public bool ThinkTagInPrompt { get; }

    /// <summary>The think block must contain non-whitespace text. Default true (an empty block is not reasoning).</summary>
    public bool RequireNonEmptyThink { get; }

    public RewardScore Score(RewardSample sample, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var (ok, answer, reason) = Check(sample.Completion);
        return RewardScore.Of(ok ? Bonus : 0, answer, reason);
    }

    /// <summary>Whether the text is well-formed, the answer found, and a short reason.</summary>
    public (bool Ok, string? Answer, string Reason) Check(string completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        var s = completion.Trim();
        if (ThinkTagInPrompt) s = ThinkOpen + s;
        if (!s.StartsWith(ThinkOpen, StringComparison.Ordinal))
            return (false, null, "does not start with <think>");
        int close = s.IndexOf(ThinkClose, StringComparison.Ordinal);
        if (close < 0) return (false, null, "no </think>");
        var think = s.AsSpan(ThinkOpen.Length, close - ThinkOpen.Length);
        if (think.Contains(ThinkOpen, StringComparison.Ordinal)) return (false, null, "nested or repeated <think>");
        if (RequireNonEmptyThink && think.IsWhiteSpace()) return (false, null, "empty <think> block");
        var rest = s[(close + ThinkClose.Length)..].Trim();
        if (rest.Contains(ThinkOpen, StringComparison.Ordinal) || rest.Contains(ThinkClose, StringComparison.Ordinal))
            return (false, null, "more than one <think> block");
        if (rest.Length == 0) return (false, null, "no answer after </think>");

        if (rest.StartsWith(AnswerExtractor.AnswerOpen, StringComparison.Ordinal))
        {
            if (!rest.EndsWith(AnswerExtractor.AnswerClose, StringComparison.Ordinal))
                return (false, null, "text after </answer> or no </answer>");
            var inner = rest[AnswerExtractor.AnswerOpen.Length..^AnswerExtractor.AnswerClose.Length];
            if (inner.Contains(AnswerExtractor.AnswerOpen, StringComparison.Ordinal) ||
                inner.Contains(AnswerExtractor.AnswerClose, StringComparison.Ordinal))
                return (false, null, "more than one <answer>");
            if (string.IsNullOrWhiteSpace(inner)) return (false, "", "empty <answer>");
            return (true, inner.Trim(), "well-formed: <think> then <answer>");
        }

        var boxed = rest.TrimEnd('.').Trim();
        if (boxed.StartsWith("$$") && boxed.EndsWith("$$") && boxed.Length >= 4) boxed = boxed[2..^2].Trim();
        else if (boxed.StartsWith('$') && boxed.EndsWith('$') && boxed.Length >= 2) boxed = boxed[1..^1].Trim();
        if (boxed.StartsWith("\\boxed{", StringComparison.Ordinal) &&
            AnswerExtractor.MatchBrace(boxed, "\\boxed".Length) == boxed.Length - 1)
        {
            var inner = boxed["\\boxed{".Length..^1].Trim();
            return inner.Length == 0 ? (false, "", "empty \\boxed{}") : (true, inner, "well-formed: <think> then \\boxed{}");
        }
        return (false, null, rest.Contains(AnswerExtractor.AnswerOpen, StringComparison.Ordinal) || rest.Contains("\\boxed", StringComparison.Ordinal)
            ? "text between </think> and the answer, or after it"
            : "no <answer> or \\boxed{} after </think>");
    }
}
